/**
 * Outcome evaluation as a commissioner is shown it (docs/evaluation.md): change from baseline at
 * each follow-up point and at closure, each with who was expected and who was measured; measures
 * marked entered in error left out; place of death with its denominator; admissions before and
 * after referral; caseload days; and small numbers hidden with the means worked out from them.
 */
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { computeMetrics, withSmallNumbersSuppressed, type AuditEvent } from '../../domain/metrics.js';
import type { ProgrammeInput } from '../../domain/programme.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 0, 4, 9, 0);
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
const [programme] = parseProgrammes(
  {
    programmes: [
      {
        ...frailty,
        id: 'measured',
        outcomes: { measures: [{ instrument: 'phq-9', every: 'P84D' }] },
      } satisfies ProgrammeInput,
    ],
  },
  'test',
);

let seq = 0;
const event = (journeyId: string, days: number, type: string, data?: AuditEvent['data']): AuditEvent => ({
  journeyId,
  programmeId: 'measured',
  teamId: 'team-1',
  seq: ++seq,
  at: at(days),
  type,
  ...(data ? { data } : {}),
});
const baseline = (j: string, days: number, score: number) =>
  event(j, days, 'measure.recorded', { instrument: 'phq-9', occasion: 'baseline', at: at(days), 'score.total': score });
const later = (j: string, days: number, score: number, base: AuditEvent, occasion = 'follow-up') =>
  event(j, days, 'measure.recorded', {
    instrument: 'phq-9',
    occasion,
    at: at(days),
    'score.total': score,
    baselineAt: base.at,
    baselineSeq: base.seq,
    daysSinceBaseline: days - (Date.parse(base.at) - T0) / DAY,
    'baseline.total': base.data!['score.total']!,
  });

describe('outcome evaluation', () => {
  it('pairs each follow-up with its baseline at the point nearest, and says who was expected', () => {
    // Five people with a baseline on day 0. At 12 weeks (window days 42–126, closing in the period):
    // a is measured on day 80, b on day 90 and again on day 100 (the nearest, 90, counts), c on
    // day 130 (outside the window: at 24 weeks' window instead, not closed yet), d closed on
    // day 50 (before the point: not expected), e's follow-up is marked entered in error.
    const b = ['a', 'b', 'c', 'd', 'e'].map((j, i) => baseline(j, 0, 15 + i));
    const events = [
      ...b,
      later('a', 80, 9, b[0]!),
      later('b', 90, 10, b[1]!),
      later('b', 100, 2, b[1]!),
      later('c', 130, 12, b[2]!),
      event('d', 50, 'journey.closed', { reason: 'goals-met' }),
      later('e', 84, 5, b[4]!),
    ];
    const wrong = events.at(-1)!;
    const period = { from: new Date(T0 + 100 * DAY), to: new Date(T0 + 190 * DAY) };
    const m = computeMetrics(events, period, {
      programmes: [programme!],
      enteredInError: new Map([['e', new Set([wrong.seq])]]),
    });
    const phq = m.outcomes.find((o) => o.instrument === 'phq-9')!;
    expect(phq.points.map((p) => p.point)).toEqual([
      'at 12 weeks',
      'at 24 weeks',
      'at 36 weeks',
      'at 48 weeks',
      'at closure',
    ]);
    const twelve = phq.points[0]!;
    // a: 15 → 9 (−6), b: 16 → 10 (−6); c and e expected but not measured.
    expect(twelve).toMatchObject({
      daysAfterBaseline: 84,
      measured: 2,
      of: 4,
      completeness: 0.5,
      meanChange: -6,
      reliable: { improved: 2, deteriorated: 0, unchanged: 0, improvedRate: 1, deterioratedRate: 0 },
    });
    // 24 weeks' window closes on day 210, after the period: nobody is expected yet.
    expect(phq.points[1]).toMatchObject({ measured: 0, of: 0, completeness: null });
    // d closed before the period: no closure in it.
    expect(phq.points.at(-1)).toMatchObject({ measured: 0, of: 0 });
  });

  it('counts a measure at closure against the baseline it carries, and a closure without one as missing', () => {
    const b1 = baseline('f', -300, 20);
    const events = [
      later('f', 10, 14, b1, 'closure'),
      event('f', 10, 'journey.closed', { reason: 'goals-met' }),
      baseline('g', 0, 18),
      event('g', 20, 'journey.closed', { reason: 'goals-met' }),
      baseline('h', 0, 18),
      event('h', 20, 'journey.closed', { reason: 'deceased', placeOfDeathAchieved: true }),
    ];
    const m = computeMetrics(events, { from: new Date(T0), to: new Date(T0 + 30 * DAY) }, { programmes: [programme!] });
    // f's baseline is before the events reach, but its closure measure carries it; g closed with
    // none; h died, and is asked for no measure.
    expect(m.outcomes[0]!.points.at(-1)).toMatchObject({ point: 'at closure', measured: 1, of: 2, meanChange: -6 });
    expect(m.closures.placeOfDeathAchieved).toEqual({ yes: 1, no: 0, deaths: 1, notRecorded: 0, rate: 1 });
  });

  it('leaves out a person whose baseline was entered in error, and every measure paired with it', () => {
    const b = baseline('k', 0, 20);
    const events = [b, later('k', 84, 4, b)];
    const period = { from: new Date(T0 + 100 * DAY), to: new Date(T0 + 190 * DAY) };
    const counted = computeMetrics(events, period, { programmes: [programme!] }).outcomes[0]!.points[0]!;
    expect(counted).toMatchObject({ measured: 1, of: 1, meanChange: -16 });
    const marked = computeMetrics(events, period, {
      programmes: [programme!],
      enteredInError: new Map([['k', new Set([b.seq])]]),
    }).outcomes[0]!.points[0]!;
    expect(marked).toMatchObject({ measured: 0, of: 0, meanChange: null });
  });

  it('compares the referrer’s count of admissions before with the feed’s after, for people 6 months on', () => {
    const events = [
      event('p', 0, 'referral.received', { source: 'gp', emergencyAdmissions6Months: 3 }),
      event('p', 40, 'hospital.admitted', { stayNo: 1 }),
      event('q', 0, 'referral.received', { source: 'gp', emergencyAdmissions6Months: 1 }),
      event('r', 0, 'referral.received', { source: 'gp' }),
      event('r', 10, 'hospital.admitted', { stayNo: 1 }),
      event('r', 11, 'hospital.admission-cancelled', { stayNo: 1 }),
      event('r', 12, 'hospital.admitted', { stayNo: 2 }),
      // s closed before 6 months: carepath heard of nothing after, so s is not in the comparison.
      event('s', 0, 'referral.received', { source: 'gp', emergencyAdmissions6Months: 2 }),
      event('s', 30, 'journey.closed', { reason: 'goals-met' }),
    ];
    const m = computeMetrics(events, { from: new Date(T0 + 150 * DAY), to: new Date(T0 + 200 * DAY) });
    expect(m.admissionsBeforeAfter).toEqual({
      of: 3,
      measured: 2,
      completeness: 0.667,
      before: 4,
      after: 1,
      afterAll: 2,
      meanBefore: 2,
      meanAfter: 0.5,
    });
  });

  it('counts the days each co-ordinator had each person in the period', () => {
    const events = [
      event('u', -10, 'coordinator.assigned', { coordinatorId: 'ana' }),
      event('u', 5, 'coordinator.reassigned', { from: 'ana', coordinatorId: 'ben' }),
      event('u', 8, 'journey.closed', { reason: 'goals-met' }),
      event('v', 2, 'coordinator.assigned', { coordinatorId: 'ana' }),
    ];
    const m = computeMetrics(events, { from: new Date(T0), to: new Date(T0 + 10 * DAY) });
    expect(m.caseloadDays).toEqual([
      { teamId: 'team-1', coordinatorId: 'ana', people: 2, days: 13 },
      { teamId: 'team-1', coordinatorId: 'ben', people: 1, days: 3 },
    ]);
  });

  it('hides small counts outside the team, and the means, intervals and shares worked out from them', () => {
    const b = [12, 14, 16].map((s, i) => baseline(`w${i}`, 0, s));
    const events = [...b, ...b.map((x, i) => later(`w${i}`, 84, 8 - i, x))];
    const period = { from: new Date(T0 + 100 * DAY), to: new Date(T0 + 190 * DAY) };
    const m = computeMetrics(events, period, { programmes: [programme!] });
    expect(m.outcomes[0]!.points[0]).toMatchObject({ measured: 3, of: 3, meanChange: -7 });
    expect(m.outcomes[0]!.points[0]!.ci95).not.toBeNull();
    const shown = withSmallNumbersSuppressed(m, 5).outcomes[0]!.points[0]!;
    expect(shown).toMatchObject({
      daysAfterBaseline: 84,
      measured: '<5',
      of: '<5',
      completeness: null,
      meanBaseline: null,
      meanLater: null,
      meanChange: null,
      ci95: null,
    });
    expect(shown.reliable).toMatchObject({ improved: '<5', improvedRate: null, deterioratedRate: null });
    expect(withSmallNumbersSuppressed(m, 5).outcomes[0]!.reliableChangePoints).toBe(6);
  });
});
