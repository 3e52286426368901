/**
 * The outcome figures of the metrics against a generator that knows the truth (issue 21): across
 * 400 seeded services, each person has a true score trajectory (a true baseline and a true change
 * drawn about the service's true mean change) and each measure adds measurement error; the
 * co-ordinator's answers are built to give the observed score, and scored by the instrument. Some
 * follow-ups are missed and some journeys close before 12 weeks. For every service the metrics'
 * counts, denominators, mean change and reliable change equal the generator's own record, and
 * across services the 95% interval the metrics report covers the true mean change at its stated
 * rate. Fast and pure: no Temporal (the simulated year checks the audit trail end to end).
 */
import jstat from 'jstat';
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { shippedInstrument } from '../../domain/instruments.js';
import { computeMetrics, type AuditEvent } from '../../domain/metrics.js';
import { scoreMeasure, type Answers } from '../../domain/outcomeMeasures.js';
import type { ProgrammeInput } from '../../domain/programme.js';
import { seededRandom } from '../../scripts/seededRandom.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 0, 4, 9, 0);
const phq9 = shippedInstrument('phq-9')!;
const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
const [programme] = parseProgrammes(
  {
    programmes: [
      { ...frailty, id: 'measured', outcomes: { measures: [{ instrument: 'phq-9', every: 'P84D' }] } },
    ] satisfies ProgrammeInput[],
  },
  'test',
);
/** The service's true mean change in PHQ-9 at 12 weeks. */
const TRUE_CHANGE = -3;
const SERVICES = 400;

/** PHQ-9 answers (item by item, 0–3 points) whose total is `score`. */
function answersFor(score: number): Answers {
  const answers: Answers = {};
  let left = score;
  for (const item of phq9.items) {
    if (item.unscored) continue;
    answers[item.id] = Math.min(3, left);
    left -= answers[item.id]!;
  }
  return answers;
}
const scored = (score: number) => {
  const result = scoreMeasure(phq9, answersFor(score));
  if (!result.ok) throw new Error('unscorable');
  return result.scores[0]!.score;
};

interface ServiceRecord {
  events: AuditEvent[];
  expected: number;
  changes: number[];
  improved: number;
  deteriorated: number;
}

/**
 * One service of 20 to 60 people with a PHQ-9 baseline in its first 30 days. Every noise is
 * symmetric about zero and bounded so no score leaves 0–27: the expected observed change is
 * exactly TRUE_CHANGE, with no clamping to bias it.
 */
function service(seed: number): ServiceRecord {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const events: AuditEvent[] = [];
  const record: ServiceRecord = { events, expected: 0, changes: [], improved: 0, deteriorated: 0 };
  const people = int(20, 60);
  for (let i = 0; i < people; i++) {
    const journeyId = `measured.p${i}`;
    let seq = 0;
    const event = (at: number, type: string, data: AuditEvent['data']): AuditEvent => {
      const e = {
        journeyId,
        programmeId: 'measured',
        teamId: 't',
        seq: ++seq,
        at: new Date(at).toISOString(),
        type,
        data,
      };
      events.push(e);
      return e;
    };
    const trueBaseline = int(10, 19);
    const trueLater = trueBaseline + TRUE_CHANGE + int(-4, 4);
    const observedBaseline = scored(trueBaseline + int(-2, 2));
    const observedLater = scored(trueLater + int(-2, 2));
    const baselineAt = T0 + int(0, 29) * DAY;
    const b = event(baselineAt, 'measure.recorded', {
      instrument: 'phq-9',
      occasion: 'baseline',
      at: new Date(baselineAt).toISOString(),
      'score.total': observedBaseline,
    });
    // One in ten closes before 12 weeks (not expected); of the rest, one in four is not measured.
    if (rnd() < 0.1) {
      event(baselineAt + int(20, 70) * DAY, 'journey.closed', { reason: 'goals-met' });
      continue;
    }
    record.expected += 1;
    if (rnd() < 0.25) continue;
    const laterAt = baselineAt + (84 + int(-20, 20)) * DAY;
    event(laterAt, 'measure.recorded', {
      instrument: 'phq-9',
      occasion: 'follow-up',
      at: new Date(laterAt).toISOString(),
      'score.total': observedLater,
      baselineAt: b.at,
      baselineSeq: b.seq,
      'baseline.total': observedBaseline,
    });
    const change = observedLater - observedBaseline;
    record.changes.push(change);
    if (change <= -6) record.improved += 1;
    if (change >= 6) record.deteriorated += 1;
  }
  return record;
}

/** The period in which every 12-week window of the service closes (baseline + 126 days). */
const period = { from: new Date(T0 + 120 * DAY), to: new Date(T0 + 160 * DAY) };
const round = (x: number) => Math.round(x * 1000) / 1000;

describe('outcome figures against the truth', () => {
  const services = Array.from({ length: SERVICES }, (_, s) => service(1000 + s));
  const figures = services.map(
    (r) => computeMetrics(r.events, period, { programmes: [programme!] }).outcomes[0]!.points[0]!,
  );

  it('give every service the generator’s own count, denominator, mean change and reliable change', () => {
    services.forEach((r, s) => {
      const f = figures[s]!;
      const mean = r.changes.reduce((a, b) => a + b, 0) / r.changes.length;
      expect(f.point).toBe('at 12 weeks');
      expect(f.of).toBe(r.expected);
      expect(f.measured).toBe(r.changes.length);
      expect(f.measured).toBeLessThan(f.of); // some are missed
      expect(f.meanChange).toBe(round(mean));
      expect(f.reliable).toMatchObject({
        improved: r.improved,
        deteriorated: r.deteriorated,
        unchanged: r.changes.length - r.improved - r.deteriorated,
      });
    });
  });

  it('report 95% intervals that cover the true mean change at the stated rate, where an 80% interval would not', () => {
    const covered = figures.filter((f) => f.ci95![0] <= TRUE_CHANGE && TRUE_CHANGE <= f.ci95![1]).length;
    // Binomial(400, 0.95): mean 380, sd 4.36. Within three sd either way; a 90% interval (mean
    // 360) or an 80% one (mean 320) falls below it.
    const [low, high] = [367, 393];
    expect(covered).toBeGreaterThanOrEqual(low);
    expect(covered).toBeLessThanOrEqual(high);
    // The same services with an 80% interval: this test would fail it.
    const at80 = services.filter((r) => {
      const n = r.changes.length;
      const m = r.changes.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(r.changes.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
      const half = jstat.jStat.studentt.inv(0.9, n - 1) * (sd / Math.sqrt(n));
      return m - half <= TRUE_CHANGE && TRUE_CHANGE <= m + half;
    }).length;
    expect(at80).toBeLessThan(low);
  });
});
