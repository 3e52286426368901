/**
 * What clients see of a journey, derived from its state at a given instant: the summary that
 * lists and the read model hold, and the detail `GET /journeys/{id}` answers.
 */
import { displayStatus } from './deadlines.js';
import { ms } from './durations.js';
import { nextDueAt, type JourneyState } from './journey.js';

export interface JourneySummary {
  id: string;
  /**
   * The person's pseudonym (never an identifier), so that the API can name the person from the
   * patient record. Summaries written before it was kept have none. The API does not answer it.
   */
  patientId?: string;
  programme: string;
  teamId: string;
  phase: JourneyState['phase'];
  coordinatorId: string | null;
  riskTier: JourneyState['risk']['tier'];
  nextDueAt: string | null;
  /** Which deadline `nextDueAt` belongs to (`review`, `action:<id>` …), so lists can say what is due. */
  nextDeadline: string | null;
  overdue: boolean;
  /** When the person was last readmitted within the programme's window: the MDT list shows these. */
  lastReadmissionAt: string | null;
  /** Bumps on every change: the read model keeps the highest it has seen. */
  revision: number;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
  /** Triage's decision and its reason, once made: what a referrer is told of their referral. */
  triage?: { decision: 'accept' | 'decline'; reason: string } | null;
  /**
   * The referrals the journey holds, by id: an answer to a referral waits until its id is here
   * (lambdas/routes/referrals.ts). Absent from summaries recorded before it was added.
   */
  referralIds?: string[];
}

export function journeySummary(s: JourneyState, now: number): JourneySummary {
  const next = nextDueAt(s) ?? null;
  const readmissions = s.hospitalStays.filter((stay) => stay.readmission);
  return {
    id: s.journeyId,
    patientId: s.patientId,
    programme: s.programme.id,
    teamId: s.teamId,
    phase: s.phase,
    coordinatorId: s.coordinatorId,
    riskTier: s.risk.tier,
    nextDueAt: next,
    nextDeadline:
      next === null
        ? null
        : (s.deadlines.find((d) => d.status === 'open' && !d.pausedSince && d.dueAt === next)?.name ?? null),
    overdue: next !== null && ms(next) <= now,
    lastReadmissionAt: readmissions.at(-1)?.admittedAt ?? null,
    revision: s.counters.revision,
    openedAt: s.openedAt,
    closedAt: s.closure?.at ?? null,
    closeReason: s.closure?.reason ?? null,
    triage: s.triage ? { decision: s.triage.decision, reason: s.triage.reason } : null,
    referralIds: s.referrals.map((r) => r.referralId),
  };
}

export function journeyDetail(s: JourneyState, now: number) {
  const ladder = s.programme.escalation;
  return {
    ...journeySummary(s, now),
    communityPhase: s.communityPhase,
    urgency: s.urgency,
    risk: s.risk,
    referrals: s.referrals,
    triage: s.triage ?? null,
    triageConcerns: s.triageConcerns ?? [],
    assessment: s.assessment ?? null,
    carePlan: s.carePlan ?? null,
    reviews: s.reviews,
    contacts: s.contacts,
    measures: s.measures ?? [],
    mdtDiscussions: s.mdtDiscussions ?? [],
    mdtActions: s.mdtActions ?? [],
    hospitalStays: s.hospitalStays.map(({ undoDischarge: _undo, ...stay }) => stay),
    attendances: s.attendances ?? [],
    deadlines: s.deadlines.map((d) => ({
      id: d.id,
      name: d.name,
      dueAt: d.dueAt,
      status: displayStatus(d, now),
      paused: !!d.pausedSince,
      ladderStep: d.ladderStep,
      nextStep: d.status === 'open' && d.ladderStep < ladder.length ? ladder[d.ladderStep] : null,
      metAt: d.metAt ?? null,
      ...(d.owner ? { owner: d.owner } : {}),
    })),
    closure: s.closure ?? null,
    timeline: s.timeline,
  };
}
export type JourneyDetail = ReturnType<typeof journeyDetail>;
