/**
 * Outcome evaluation from the audit trail (issue 21): whether people are better off, each figure
 * with its denominator. Pure, like domain/metrics.ts, which calls it; the definitions are written
 * down in docs/evaluation.md, and a change to one here is a change to what a commissioner is told.
 *
 * It is fed the events of a team or programme from `EVALUATION_LOOKBACK_DAYS` before the period to
 * its end: a figure of the period ("PHQ-9 at 12 weeks") is about the people whose 12 weeks came in
 * the period, and their baseline came earlier.
 */
import type { Programme } from './programme.js';
import { instrumentOf } from './programme.js';
import { ms, nominalMs } from './durations.js';
import { changeFromBaseline, type ChangeFromBaseline } from './outcomeEvaluation.js';
import type { AuditEvent } from './metrics.js';

const DAY = 86_400_000;

/**
 * How far before a period the events that evaluation needs reach: a follow-up point is reported
 * only while its window closes within this many days of the baseline, and a person's 6 months
 * after referral start in it.
 */
export const EVALUATION_LOOKBACK_DAYS = 400;

/** Entries marked entered in error: by journey, the record entries (audit `seq`) marked. */
export type EnteredInErrorMarks = ReadonlyMap<string, ReadonlySet<number>>;

export interface EvaluationContext {
  programmes: readonly Programme[];
  enteredInError?: EnteredInErrorMarks;
}

/** One follow-up point (or closure) of one scale: the change from baseline and who it is of. */
export type OutcomePoint = {
  /** `at N weeks` / `at N days`, or `at closure`. */
  point: string;
  /** Days after baseline the point is set at; null for closure. */
  daysAfterBaseline: number | null;
  /** People measured at the point, of those expected (`of`), as a share. */
  completeness: number | null;
} & ChangeFromBaseline & {
    reliable:
      | (NonNullable<ChangeFromBaseline['reliable']> & { improvedRate: number | null; deterioratedRate: number | null })
      | null;
  };

export type OutcomeFigures = {
  programme: string;
  instrument: string;
  name: string;
  scale: string;
  label: string;
  higherIs: 'worse' | 'better';
  /** The instrument's reliable change in points, where it publishes one. */
  reliableChangePoints: number | null;
  points: OutcomePoint[];
};

export type AdmissionsBeforeAfter = {
  /** People whose 6 months after referral ended in the period, with the journey open throughout. */
  of: number;
  /** Of them, those whose referrer gave their emergency admissions in the 6 months before. */
  measured: number;
  completeness: number | null;
  /** Emergency admissions of the `measured` people: in the 6 months before (the referrer's count) and after (the feed). */
  before: number;
  after: number;
  /** Admissions heard from the feed in the 6 months after, of all `of` people. */
  afterAll: number;
  meanBefore: number | null;
  meanAfter: number | null;
};

export type CaseloadDays = {
  teamId: string;
  coordinatorId: string;
  /** People on the co-ordinator's caseload for some of the period. */
  people: number;
  days: number;
};

const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;
const share = (part: number, whole: number): number | null => (whole === 0 ? null : round(part / whole));
const isMarked = (marks: EnteredInErrorMarks | undefined, e: AuditEvent, seq: unknown = e.seq) =>
  typeof seq === 'number' && (marks?.get(e.journeyId)?.has(seq) ?? false);

/** Six calendar months after an instant (UTC calendar; a day either way matters to no count). */
export function sixMonthsAfter(at: string): string {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + 6);
  return d.toISOString();
}

function pointLabel(days: number): string {
  return days % 7 === 0 ? `at ${days / 7} weeks` : `at ${days} days`;
}

interface Measure {
  event: AuditEvent;
  at: number;
  baselineSeq: number | null;
  baselineAt: number | null;
  baselineScores: Record<string, number>;
  scores: Record<string, number>;
}

const scoresIn = (data: AuditEvent['data'], prefix: string) =>
  Object.fromEntries(
    Object.entries(data ?? {})
      .filter(([k, v]) => k.startsWith(prefix) && typeof v === 'number')
      .map(([k, v]) => [k.slice(prefix.length), v as number]),
  );

function measureOf(e: AuditEvent): Measure {
  const d = e.data ?? {};
  return {
    event: e,
    at: ms(typeof d.at === 'string' ? d.at : e.at),
    baselineSeq: typeof d.baselineSeq === 'number' ? d.baselineSeq : null,
    baselineAt: typeof d.baselineAt === 'string' ? ms(d.baselineAt) : null,
    baselineScores: scoresIn(d, 'baseline.'),
    scores: scoresIn(d, 'score.'),
  };
}

/**
 * Change from baseline per programme, instrument and scale, at each follow-up point whose window
 * closed in the period and at closure in the period (definitions in docs/evaluation.md).
 */
export function outcomeFigures(
  events: AuditEvent[],
  period: { from: Date; to: Date },
  context: EvaluationContext,
): OutcomeFigures[] {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const marks = context.enteredInError;
  const closedAt = new Map<string, { at: number; reason: string }>();
  for (const e of events)
    if (e.type === 'journey.closed') closedAt.set(e.journeyId, { at: ms(e.at), reason: String(e.data?.reason) });
  const measures = events
    .filter((e) => e.type === 'measure.recorded' && !isMarked(marks, e))
    .sort((a, b) => a.journeyId.localeCompare(b.journeyId) || a.seq - b.seq);

  const figures: OutcomeFigures[] = [];
  for (const programme of context.programmes) {
    for (const schedule of programme.outcomes?.measures ?? []) {
      const instrument = instrumentOf(programme, schedule.instrument);
      if (!instrument) continue;
      const every = nominalMs(schedule.every);
      const ofInstrument = measures.filter(
        (e) => e.programmeId === programme.id && e.data?.instrument === instrument.id,
      );
      // Each person's baseline (one they have marked in error is none), and their later measures.
      const people = new Map<string, { baseline?: Measure; later: Measure[] }>();
      for (const e of ofInstrument) {
        const person = people.get(e.journeyId) ?? { later: [] };
        people.set(e.journeyId, person);
        const m = measureOf(e);
        if (e.data?.occasion === 'baseline') person.baseline = m;
        else if (!isMarked(marks, e, m.baselineSeq)) person.later.push(m);
      }
      const baselineOf = (person: { baseline?: Measure; later: Measure[] }, m?: Measure) =>
        person.baseline
          ? { at: person.baseline.at, scores: person.baseline.scores }
          : m && m.baselineAt !== null
            ? { at: m.baselineAt, scores: m.baselineScores }
            : undefined;

      const pointsFor = (scaleId: string): OutcomePoint[] => {
        const scale = instrument.scales.find((s) => s.id === scaleId)!;
        const result: OutcomePoint[] = [];
        for (let k = 1; k * every + every / 2 <= EVALUATION_LOOKBACK_DAYS * DAY; k++) {
          const target = k * every;
          const scores: { baseline: number; later?: number }[] = [];
          for (const [journeyId, person] of people) {
            const base = person.baseline;
            if (!base || base.scores[scaleId] === undefined) continue;
            const closes = base.at + target + every / 2;
            if (closes < from || closes >= to) continue;
            const closed = closedAt.get(journeyId);
            if (closed && closed.at < base.at + target) continue;
            const inWindow = person.later
              .filter((m) => m.event.data?.occasion !== 'closure')
              .filter((m) => m.at - base.at - target >= -every / 2 && m.at - base.at - target < every / 2)
              .sort((a, b) => Math.abs(a.at - base.at - target) - Math.abs(b.at - base.at - target) || b.at - a.at);
            const later = inWindow[0]?.scores[scaleId];
            scores.push({ baseline: base.scores[scaleId]!, ...(later !== undefined ? { later } : {}) });
          }
          result.push(pointOf(scale, pointLabel(Math.round(target / DAY)), Math.round(target / DAY), scores));
        }
        // At closure: people who had a baseline and whose journey closed in the period, other than by death.
        const atClosure: { baseline: number; later?: number }[] = [];
        for (const [journeyId, person] of people) {
          const closed = closedAt.get(journeyId);
          if (!closed || closed.at < from || closed.at >= to || closed.reason === 'deceased') continue;
          const closure = person.later.find((m) => m.event.data?.occasion === 'closure');
          const base = baselineOf(person, closure);
          if (!base || base.scores[scaleId] === undefined) continue;
          const later = closure?.scores[scaleId];
          atClosure.push({ baseline: base.scores[scaleId]!, ...(later !== undefined ? { later } : {}) });
        }
        result.push(pointOf(scale, 'at closure', null, atClosure));
        return result;
      };

      for (const scale of instrument.scales)
        figures.push({
          programme: programme.id,
          instrument: instrument.id,
          name: instrument.name,
          scale: scale.id,
          label: scale.label,
          higherIs: scale.higherIs,
          reliableChangePoints: scale.reliableChange?.points ?? null,
          points: pointsFor(scale.id),
        });
    }
  }
  return figures;
}

function pointOf(
  scale: Parameters<typeof changeFromBaseline>[0],
  point: string,
  days: number | null,
  scores: { baseline: number; later?: number }[],
): OutcomePoint {
  const change = changeFromBaseline(scale, scores);
  return {
    point,
    daysAfterBaseline: days,
    ...change,
    completeness: share(change.measured, change.of),
    reliable: change.reliable
      ? {
          ...change.reliable,
          improvedRate: share(change.reliable.improved, change.measured),
          deterioratedRate: share(change.reliable.deteriorated, change.measured),
        }
      : null,
  };
}

/**
 * Emergency admissions in the 6 months before referral (the referrer's count, carried by
 * `referral.received` as `emergencyAdmissions6Months`) and in the 6 months after (hospital
 * admissions the feed told the journey of), for the people whose 6 months after ended in the
 * period with their journey open throughout: carepath hears of no admission once it has closed.
 */
export function admissionsBeforeAfter(
  events: AuditEvent[],
  period: { from: Date; to: Date },
  cancelled: ReadonlySet<AuditEvent>,
): AdmissionsBeforeAfter {
  const [from, to] = [period.from.toISOString(), period.to.toISOString()];
  const closedAt = new Map(events.filter((e) => e.type === 'journey.closed').map((e) => [e.journeyId, e.at]));
  const admitted = new Map<string, string[]>();
  for (const e of events)
    if (e.type === 'hospital.admitted' && !cancelled.has(e))
      admitted.set(e.journeyId, [...(admitted.get(e.journeyId) ?? []), e.at]);
  let of = 0;
  let measured = 0;
  let before = 0;
  let after = 0;
  let afterAll = 0;
  for (const e of events) {
    if (e.type !== 'referral.received') continue;
    const end = sixMonthsAfter(e.at);
    if (end < from || end >= to) continue;
    const closed = closedAt.get(e.journeyId);
    if (closed !== undefined && closed < end) continue;
    of += 1;
    const inSix = (admitted.get(e.journeyId) ?? []).filter((at) => at >= e.at && at < end).length;
    afterAll += inSix;
    const told = e.data?.emergencyAdmissions6Months;
    if (typeof told !== 'number') continue;
    measured += 1;
    before += told;
    after += inSix;
  }
  return {
    of,
    measured,
    completeness: share(measured, of),
    before,
    after,
    afterAll,
    meanBefore: measured ? round(before / measured) : null,
    meanAfter: measured ? round(after / measured) : null,
  };
}

/**
 * Days people were on each co-ordinator's caseload in the period: from their naming (assigned or
 * reassigned) to the next naming or the journey's close, the part inside the period, to a tenth of
 * a day. A person named before the events reach (`EVALUATION_LOOKBACK_DAYS` before the period) and
 * not named since is not seen: docs/evaluation.md says so.
 */
export function caseloadDays(events: AuditEvent[], period: { from: Date; to: Date }): CaseloadDays[] {
  const [from, to] = [period.from.getTime(), period.to.getTime()];
  const spans = new Map<string, { days: number; people: Set<string> }>();
  const add = (teamId: string, coordinatorId: string, journeyId: string, start: number, end: number) => {
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap <= 0) return;
    const key = `${teamId}\u0000${coordinatorId}`;
    const span = spans.get(key) ?? { days: 0, people: new Set<string>() };
    span.days += overlap / DAY;
    span.people.add(journeyId);
    spans.set(key, span);
  };
  const ordered = events
    .filter((e) => ['coordinator.assigned', 'coordinator.reassigned', 'journey.closed'].includes(e.type))
    .sort((a, b) => a.journeyId.localeCompare(b.journeyId) || a.seq - b.seq);
  let current: { journeyId: string; teamId: string; coordinatorId: string; since: number } | undefined;
  for (const e of ordered) {
    if (current && current.journeyId !== e.journeyId) {
      add(current.teamId, current.coordinatorId, current.journeyId, current.since, to);
      current = undefined;
    }
    if (current) add(current.teamId, current.coordinatorId, current.journeyId, current.since, ms(e.at));
    current =
      e.type === 'journey.closed' || typeof e.data?.coordinatorId !== 'string'
        ? undefined
        : { journeyId: e.journeyId, teamId: e.teamId, coordinatorId: e.data.coordinatorId, since: ms(e.at) };
  }
  if (current) add(current.teamId, current.coordinatorId, current.journeyId, current.since, to);
  return [...spans.entries()]
    .map(([key, span]) => {
      const [teamId, coordinatorId] = key.split('\u0000') as [string, string];
      return { teamId, coordinatorId, people: span.people.size, days: round(span.days, 1) };
    })
    .sort((a, b) => a.teamId.localeCompare(b.teamId) || a.coordinatorId.localeCompare(b.coordinatorId));
}
