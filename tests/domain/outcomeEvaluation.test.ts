/**
 * Change from baseline, as a commissioner is shown it: the mean change with its 95% interval
 * (checked against a worked example, and shown to cover the true change 95% of the time across
 * many simulated services), the reliable change shares, and the denominator with every figure.
 */
import { describe, expect, it } from 'vitest';
import { shippedInstrument } from '../../domain/instruments.js';
import { changeFromBaseline, meanInterval } from '../../domain/outcomeEvaluation.js';

const phq9 = shippedInstrument('phq-9')!.scales[0]!;
const barthel = shippedInstrument('barthel')!.scales[0]!;

/** A seeded generator (mulberry32), so every run draws the same services. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A normal draw (Box–Muller). */
const normal = (r: () => number, mu: number, sd: number) =>
  mu + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

describe('change from baseline', () => {
  it('gives the mean change with its t interval, the reliable change counts and the denominator', () => {
    // Changes −6, −5, −4, −3, −2: mean −4, SD 1.581, t(0.975, 4) = 2.776, so −4 ± 1.963.
    const people = [18, 17, 16, 15, 14].map((baseline, i) => ({ baseline, later: baseline - (6 - i) }));
    const result = changeFromBaseline(phq9, [...people, { baseline: 20 }, { baseline: 11 }]);
    expect(result).toEqual({
      measured: 5,
      of: 7,
      meanBaseline: 15.857,
      meanLater: 12,
      meanChange: -4,
      ci95: [-5.963, -2.037],
      // Only the fall of 6 is at PHQ-9's reliable change of 6 points.
      reliable: { improved: 1, deteriorated: 0, unchanged: 4 },
    });
  });

  it('says nothing it cannot: no interval from one person, no reliable change where none is published', () => {
    expect(changeFromBaseline(phq9, [{ baseline: 12, later: 6 }, { baseline: 9 }])).toMatchObject({
      measured: 1,
      of: 2,
      meanChange: -6,
      ci95: null,
      reliable: { improved: 1, deteriorated: 0, unchanged: 0 },
    });
    expect(
      changeFromBaseline(barthel, [
        { baseline: 40, later: 60 },
        { baseline: 50, later: 80 },
      ]).reliable,
    ).toBeNull();
    expect(changeFromBaseline(phq9, [])).toEqual({
      measured: 0,
      of: 0,
      meanBaseline: null,
      meanLater: null,
      meanChange: null,
      ci95: null,
      reliable: { improved: 0, deteriorated: 0, unchanged: 0 },
    });
  });

  it('covers the true change 95% of the time across 4 000 simulated services of 5 to 60 people', () => {
    const r = random(20261207);
    let covered = 0;
    const services = 4000;
    for (let s = 0; s < services; s++) {
      const truth = normal(r, -3, 2);
      const n = 5 + Math.floor(r() * 56);
      const changes = Array.from({ length: n }, () => normal(r, truth, 4));
      const [lo, hi] = meanInterval(changes)!;
      if (lo <= truth && truth <= hi) covered += 1;
    }
    // 95% ± about three standard errors of a proportion over 4 000 services (0.0034 each).
    expect(covered / services).toBeGreaterThan(0.94);
    expect(covered / services).toBeLessThan(0.96);
  });

  it('would show too narrow an interval (the normal one, not t) as undercovering in small services', () => {
    // The same simulation with 1.96 in place of t, at 5 people a service: coverage falls well short.
    const r = random(7);
    let covered = 0;
    for (let s = 0; s < 4000; s++) {
      const changes = Array.from({ length: 5 }, () => normal(r, 0, 4));
      const m = changes.reduce((a, b) => a + b, 0) / 5;
      const sd = Math.sqrt(changes.reduce((a, x) => a + (x - m) ** 2, 0) / 4);
      if (Math.abs(m) <= 1.96 * (sd / Math.sqrt(5))) covered += 1;
    }
    expect(covered / 4000).toBeLessThan(0.9);
    const [lo, hi] = meanInterval([1, 2, 3, 4, 5])!;
    expect(hi - lo).toBeGreaterThan(2 * 1.96 * (Math.sqrt(2.5) / Math.sqrt(5)));
  });
});
