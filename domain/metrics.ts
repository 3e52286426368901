/**
 * Evaluation metrics, computed from the audit trail — the same events that record who did what
 * and when — so what the service reports is what happened. Pure: the API feeds it the events of a
 * team (or a programme's teams) in a period.
 */
import {
  admissionsBeforeAfter,
  caseloadDays,
  outcomeFigures,
  type AdmissionsBeforeAfter,
  type CaseloadDays,
  type EvaluationContext,
  type OutcomeFigures,
} from './evaluationFigures.js';

export interface AuditEvent {
  journeyId: string;
  programmeId: string;
  teamId: string;
  seq: number;
  at: string;
  type: string;
  data?: Record<string, string | number | boolean | null>;
}

export interface Metrics {
  period: { from: string; to: string };
  referrals: { total: number; bySource: Record<string, number> };
  referralToAssessmentDays: { count: number; median: number | null; p90: number | null };
  onTime: Record<'assessment' | 'care-plan' | 'review', { met: number; onTime: number; rate: number | null }>;
  postDischargeContact: { discharges: number; contactedInWindow: number; rate: number | null };
  readmissions: { admissions: number; within30Days: number };
  /**
   * What else hospitals told us, none of it an admission or a discharge home: deaths in hospital,
   * transfers to another hospital, and day cases and outpatient attendances.
   */
  hospital: { deaths: number; transfers: number; attendances: number };
  /**
   * Contacts that did not reach the person in a conversation — no answer, a message left, declined,
   * or a one-way message — never counted as a contact made.
   */
  contactAttempts: number;
  escalationsByLevel: Record<'0' | '1' | '2', number>;
  closures: {
    total: number;
    byReason: Record<string, number>;
    byGoalsMet: Record<string, number>;
    /**
     * Of the deaths (closures as deceased), those recorded as in the person's preferred place
     * (`yes`) or not (`no`); `rate` is yes of yes + no, and deaths neither says are not recorded.
     */
    placeOfDeathAchieved: { yes: number; no: number; deaths: number; notRecorded: number; rate: number | null };
  };
  /** Change from baseline per instrument and scale, at each follow-up point and at closure (docs/evaluation.md). */
  outcomes: OutcomeFigures[];
  /** Emergency admissions in the 6 months before referral and the 6 months after. */
  admissionsBeforeAfter: AdmissionsBeforeAfter;
  /** Days people were on each co-ordinator's caseload in the period. */
  caseloadDays: CaseloadDays[];
}

const DAY = 86_400_000;
const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;

/** Nearest-rank percentile of a sorted list. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Admissions and discharges the hospital later cancelled as entered in error (A11, A13): they did
 * not happen, so they are no admission, readmission or discharge. A cancel undoes the latest
 * admission or discharge of its stay before it.
 */
function cancelledByHospital(events: AuditEvent[]): Set<AuditEvent> {
  const undone = new Set<AuditEvent>();
  const latest = new Map<string, AuditEvent>();
  const ordered = events
    .filter((e) => e.type.startsWith('hospital.'))
    .sort((a, b) => a.journeyId.localeCompare(b.journeyId) || a.seq - b.seq);
  for (const e of ordered) {
    const stay = `${e.journeyId} ${String(e.data?.stayNo)}`;
    if (e.type === 'hospital.admitted') latest.set(`admitted ${stay}`, e);
    else if (e.type === 'hospital.discharged') latest.set(`discharged ${stay}`, e);
    else if (e.type === 'hospital.admission-cancelled' || e.type === 'hospital.discharge-cancelled') {
      const key = `${e.type === 'hospital.admission-cancelled' ? 'admitted' : 'discharged'} ${stay}`;
      const target = latest.get(key);
      if (target) undone.add(target);
      latest.delete(key);
    }
  }
  return undone;
}

/**
 * The whole metrics object of a period: the one function the API, the CSV and the quarterly report
 * compute figures with. `events` may reach back before the period (`EVALUATION_LOOKBACK_DAYS`):
 * every count but evaluation's is of the events in the period alone. Without `context` (the
 * programmes, and the entries marked entered in error) there are no outcome figures.
 */
export function computeMetrics(
  events: AuditEvent[],
  period: { from: Date; to: Date },
  context: EvaluationContext = { programmes: [] },
): Metrics {
  const inPeriod = events.filter((e) => e.at >= period.from.toISOString() && e.at < period.to.toISOString());
  const of = (type: string) => inPeriod.filter((e) => e.type === type);
  const count = (list: AuditEvent[], key: (e: AuditEvent) => string) =>
    list.reduce<Record<string, number>>((acc, e) => ({ ...acc, [key(e)]: (acc[key(e)] ?? 0) + 1 }), {});

  const referrals = [...of('referral.received'), ...of('referral.merged')];
  const waits = of('assessment.recorded')
    .filter((e) => typeof e.data?.referredAt === 'string')
    .map((e) => Math.round(((Date.parse(e.at) - Date.parse(e.data!.referredAt as string)) / DAY) * 100) / 100)
    .sort((a, b) => a - b);

  const met = of('deadline.met');
  const onTimeFor = (deadline: string) => {
    const list = met.filter((e) => e.data?.deadline === deadline);
    const onTime = list.filter((e) => e.data?.onTime === true).length;
    return { met: list.length, onTime, rate: rate(onTime, list.length) };
  };

  const cancelled = cancelledByHospital(events);
  const discharges = of('hospital.discharged').filter((e) => !cancelled.has(e)).length;
  const contactedInWindow = met.filter(
    (e) => e.data?.deadline === 'post-discharge-contact' && e.data?.onTime === true,
  ).length;
  const admissions = of('hospital.admitted').filter((e) => !cancelled.has(e));
  const steps = of('deadline.step').filter((e) => e.data?.kind === 'escalation' || e.data?.kind === 'overdue');
  const closed = of('journey.closed');
  const deaths = closed.filter((e) => e.data?.reason === 'deceased');
  const achieved = {
    yes: closed.filter((e) => e.data?.placeOfDeathAchieved === true).length,
    no: closed.filter((e) => e.data?.placeOfDeathAchieved === false).length,
  };

  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    referrals: { total: referrals.length, bySource: count(referrals, (e) => String(e.data?.source ?? 'unknown')) },
    referralToAssessmentDays: { count: waits.length, median: percentile(waits, 50), p90: percentile(waits, 90) },
    onTime: { assessment: onTimeFor('assessment'), 'care-plan': onTimeFor('care-plan'), review: onTimeFor('review') },
    postDischargeContact: { discharges, contactedInWindow, rate: rate(contactedInWindow, discharges) },
    readmissions: {
      admissions: admissions.length,
      within30Days: admissions.filter((e) => e.data?.readmission === true).length,
    },
    hospital: {
      deaths: of('hospital.died').length,
      transfers: of('hospital.transferred-out').length - of('hospital.transfer-cancelled').length,
      attendances: of('hospital.attended').length,
    },
    contactAttempts: of('contact.recorded').filter((e) => e.data?.attempt === true).length,
    escalationsByLevel: {
      '0': steps.filter((e) => e.data?.level === 0).length,
      '1': steps.filter((e) => e.data?.level === 1).length,
      '2': steps.filter((e) => e.data?.level === 2).length,
    },
    closures: {
      total: closed.length,
      byReason: count(closed, (e) => String(e.data?.reason)),
      byGoalsMet: count(
        closed.filter((e) => e.data?.goalsMet),
        (e) => String(e.data?.goalsMet),
      ),
      placeOfDeathAchieved: {
        ...achieved,
        deaths: deaths.length,
        notRecorded: deaths.filter((e) => typeof e.data?.placeOfDeathAchieved !== 'boolean').length,
        rate: rate(achieved.yes, achieved.yes + achieved.no),
      },
    },
    outcomes: outcomeFigures(events, period, context),
    admissionsBeforeAfter: admissionsBeforeAfter(events, period, cancelled),
    caseloadDays: caseloadDays(events, period),
  };
}

/**
 * A metric as shown to someone outside the team: every count from 1 to `below - 1` is given as
 * `"<below>"` (`"<5"` by default), so that a small number cannot point at a person (one death in
 * hospital in a small team this month). A rate, median or percentile worked out from a count that
 * is hidden is hidden too (null), since it would give the count back. Zero is shown: it points at
 * no one.
 *
 * This is primary suppression only. Counts that are shown can still be subtracted from a total to
 * find one that is hidden; the deploying organisation's IG lead decides whether its publication
 * rules need more (docs/security/information-governance.md).
 */
export type Shown<T> = T extends number
  ? number | string
  : T extends string | null | boolean
    ? T
    : { [K in keyof T]: K extends Derived ? T[K] : Shown<T[K]> };

/**
 * Keys whose value is worked out from the counts beside it, never a count itself: hidden (null)
 * when a count beside them is. A mean or interval of a hidden number of people would give it back.
 */
const DERIVED_KEYS = [
  'rate',
  'median',
  'p90',
  'completeness',
  'meanBaseline',
  'meanLater',
  'meanChange',
  'ci95',
  'improvedRate',
  'deterioratedRate',
  'meanBefore',
  'meanAfter',
  'days',
] as const;
/** Keys that define a figure (a point's days after baseline, an instrument's threshold), never counts of people. */
const DEFINING_KEYS = ['daysAfterBaseline', 'reliableChangePoints'] as const;
type Derived = (typeof DERIVED_KEYS)[number] | (typeof DEFINING_KEYS)[number];
const DERIVED = new Set<string>(DERIVED_KEYS);
const DEFINING = new Set<string>(DEFINING_KEYS);

export function withSmallNumbersSuppressed<T extends object>(metrics: T, below: number): Shown<T> {
  const hide = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(hide);
    if (value === null || typeof value !== 'object') return value;
    let hidden = false;
    const shown: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (DEFINING.has(key)) shown[key] = v;
      else if (typeof v === 'number' && !DERIVED.has(key) && Number.isInteger(v) && v > 0 && v < below) {
        shown[key] = `<${below}`;
        hidden = true;
      } else shown[key] = hide(v);
    }
    if (hidden) for (const key of DERIVED) if (key in shown) shown[key] = null;
    return shown;
  };
  return hide(metrics) as Shown<T>;
}
