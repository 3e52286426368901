import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDuration, isDuration, nominalMs } from '../../domain/durations.js';

const DAY = 86_400_000;
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });

describe('ISO 8601 durations', () => {
  it('adds fixed units exactly', () => {
    const t = Date.UTC(2026, 2, 28, 12); // across the UK clock change: still 24-hour days
    expect(addDuration(t, 'PT72H')).toBe(t + 3 * DAY);
    expect(addDuration(t, 'P2W')).toBe(t + 14 * DAY);
    expect(addDuration(t, '-P1D')).toBe(t - DAY);
    expect(addDuration(t, 'PT0S')).toBe(t);
  });

  it('adds calendar months and years on the UTC calendar, clamping to the end of short months', () => {
    expect(new Date(addDuration(Date.UTC(2026, 0, 31), 'P1M')).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(new Date(addDuration(Date.UTC(2028, 0, 31), 'P1M')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(new Date(addDuration(Date.UTC(2028, 1, 29), 'P1Y')).toISOString()).toBe('2029-02-28T00:00:00.000Z');
    expect(new Date(addDuration(Date.UTC(2026, 4, 15, 9), 'P6M')).toISOString()).toBe('2026-11-15T09:00:00.000Z');
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['', 'P', '7D', 'P7', 'PT', 'P1.5.2D', 'soon']) expect(isDuration(bad)).toBe(false);
    for (const good of ['P7D', 'PT72H', '-P1D', 'P1Y2M', 'P6W', 'PT0S']) expect(isDuration(good)).toBe(true);
  });

  it('property: fixed-unit durations are additive and invertible', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 200 }), (t, days, hours) => {
        const forward = addDuration(t, `P${days}DT${hours}H`);
        expect(forward).toBe(addDuration(addDuration(t, `P${days}D`), `PT${hours}H`));
        expect(addDuration(forward, `-P${days}DT${hours}H`)).toBe(t);
      }),
    );
  });

  it('property: adding a positive duration always moves forward, and longer durations never land earlier', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 36 }), (t, months) => {
        const a = addDuration(t, `P${months}M`);
        const b = addDuration(t, `P${months + 1}M`);
        expect(a).toBeGreaterThan(t);
        expect(b).toBeGreaterThan(a);
        expect(nominalMs(`P${months}M`)).toBeGreaterThan(0);
      }),
    );
  });
});
