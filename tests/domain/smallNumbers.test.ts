/** Small-number suppression of metrics shown outside the team (domain/metrics.ts). */
import { describe, expect, it } from 'vitest';
import { computeMetrics, withSmallNumbersSuppressed } from '../../domain/metrics.js';
import { smallNumbersBelowFrom } from '../../lambdas/wiring.js';

const period = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };

describe('small numbers', () => {
  it('hides counts from 1 to 4 as "<5", and the rates and times worked out from them; shows 0 and 5 up', () => {
    const m = computeMetrics([], period);
    const sample = {
      ...m,
      referrals: { total: 12, bySource: { gp: 9, hospital: 3 } },
      referralToAssessmentDays: { count: 4, median: 3, p90: 6 },
      onTime: {
        assessment: { met: 10, onTime: 8, rate: 0.8 },
        'care-plan': { met: 10, onTime: 2, rate: 0.2 },
        review: { met: 0, onTime: 0, rate: null },
      },
      hospital: { deaths: 1, transfers: 0, attendances: 5 },
    };
    const shown = withSmallNumbersSuppressed(sample, 5);
    expect(shown.referrals).toEqual({ total: 12, bySource: { gp: 9, hospital: '<5' } });
    expect(shown.referralToAssessmentDays).toEqual({ count: '<5', median: null, p90: null });
    expect(shown.onTime).toEqual({
      assessment: { met: 10, onTime: 8, rate: 0.8 },
      'care-plan': { met: 10, onTime: '<5', rate: null },
      review: { met: 0, onTime: 0, rate: null },
    });
    expect(shown.hospital).toEqual({ deaths: '<5', transfers: 0, attendances: 5 });
    expect(shown.period).toEqual(sample.period);
    // The threshold is configurable: under 3, a 3 shows.
    expect(withSmallNumbersSuppressed(sample, 3).referrals.bySource).toEqual({ gp: 9, hospital: 3 });
  });

  it('reads its threshold from CAREPATH_SMALL_NUMBERS_BELOW, refusing anything but a whole number', () => {
    expect(smallNumbersBelowFrom('8')).toBe(8);
    expect(smallNumbersBelowFrom('0')).toBe(0);
    for (const bad of ['five', '-1', '2.5', '101', ''])
      expect(() => smallNumbersBelowFrom(bad)).toThrow(/whole number/);
  });
});
