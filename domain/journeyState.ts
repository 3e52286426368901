/**
 * The state of one patient's journey, and the helpers every stage of it shares.
 *
 * The state is one plain serialisable object: it is the workflow's query answer, the source of
 * the read model and the argument to continue-as-new. This file holds its types, the rule error,
 * and what every stage's rules use to change it: timeline entries (`record`), the outbox
 * (`notify`), phases, deadlines (open, meet, cancel, the escalation ladder, the review schedule)
 * and the risk score. It is separate so that each stage file imports it and nothing else of the
 * journey's; it imports no stage file. `journey.ts` re-exports only what was public before the
 * split: the other helpers here are for the stage files, not for callers.
 */
import type { ScaleScore } from './outcomeMeasures.js';
import { addDuration, iso, ms } from './durations.js';
import { dueSteps, nextStepAt, openDeadline, type Deadline, type Deliverable } from './deadlines.js';
import { findTeam, levelOf, type EscalationStep, type Programme, type RecipientRole, type Team } from './programme.js';
import type { JourneyReferral, Urgency } from './referral.js';
import { scoreRisk, type RiskFactor, type RiskTier } from './risk.js';
import type { Audience } from './staff.js';
import { addBusinessDays, businessDaysOf, nextWorkingMoment, type WorkingCalendar } from './workingCalendar.js';
import type {
  Actor,
  AssessmentCommand,
  By,
  CloseOutcome,
  CloseReason,
  ContactCommand,
  Phase,
  ReassignCommand,
  ReviewCommand,
} from './commands.js';
import { systemActor } from './commands.js';

export type CommunityPhase = Exclude<Phase, 'in-hospital'>;

export interface TimelineEntry {
  /** Position in the journey's audit trail; the audit store's sort key, so retries never duplicate. */
  seq: number;
  at: string;
  type: string;
  by: string;
  detail: string;
  data?: Record<string, string | number | boolean | null>;
  /**
   * What a person (or a hospital feed) entered to cause this entry, whole: the command, referral or
   * hospital event as accepted. It is the clinical record's entry (record.ts); it travels only as
   * far as the record store and is dropped from the journey's state once written there.
   */
  content?: RecordContent;
}

/** An entry's content: what was entered, as plain JSON. */
export interface RecordContent {
  kind: 'command' | 'referral' | 'hospital-event';
  /** The command type (`assessment`, `contact` …), `referral`, or the ADT event (`A01` …). */
  type: string;
  value: unknown;
}

export interface Notification {
  /** Deterministic per journey, deadline and ladder step: the same step never notifies twice. */
  id: string;
  journeyId: string;
  programmeId: string;
  teamId: string;
  kind: 'reminder' | 'overdue' | 'escalation' | 'notice';
  level: 0 | 1 | 2;
  deadline: string;
  dueAt?: string;
  /** Who the journey knew to tell when it was made: used when the staff directory has no one. */
  recipients: string[];
  /**
   * Whom it is for, by role: the notify activity asks the staff directory who that is when it
   * sends, cover included (domain/staff.ts). Absent on notifications made before the directory.
   */
  audience?: Audience;
  message: string;
  createdAt: string;
}

export type Effect =
  /** `at`: when the decision that queued it was taken, which the assignment is recorded at. */
  | { type: 'assign'; teamId: string; at?: number }
  | { type: 'release'; coordinatorId: string }
  | { type: 'notify'; notification: Notification }
  | ReassignEffect;

/** Move the named co-ordinator once the caseload store has a place; `commandId` gets the outcome. */
export interface ReassignEffect {
  type: 'reassign';
  commandId: string;
  command: By<ReassignCommand>;
  /** When the command was sent, which the reassignment is recorded at. */
  at?: number;
}

export interface HospitalStay {
  stayNo: number;
  admittedAt: string;
  dischargedAt?: string;
  location?: string;
  readmission: boolean;
  /** The stay ended in the person's death (an A03 saying so), not a discharge home. */
  died?: boolean;
  /** A planned (elective) or maternity admission (PV1-4): never a readmission. */
  planned?: boolean;
  /**
   * Discharged to another hospital (an A03 saying so) and not yet heard of there: the stay goes
   * on, and the next hospital's admission or discharge continues it (HAZ-04).
   */
  transferredOut?: { at: string };
  /** Transfers to another hospital during this stay, for their notices' ids. */
  transfers?: number;
  /** Discharges recorded for this stay (a cancelled one, A13, then a new A03 makes two). */
  discharges?: number;
  /** What the discharge changed, so that a cancelled discharge (A13) can put it back. */
  undoDischarge?: {
    deadlines: { id: string; dueAt: string; pausedSince?: string }[];
    postDischargeDeadlineId?: string;
  };
}

export interface CarePlan {
  version: number;
  agreedAt: string;
  agreedBy: string;
  goals: { id: string; description: string }[];
  actions: {
    id: string;
    description: string;
    owner: string;
    due: string;
    completedAt?: string;
    completedBy?: string;
    completionNotes?: string;
  }[];
  agreedWithPatient: boolean;
  agreedWithCarer?: boolean;
  notAgreedReason?: string;
}

/**
 * Changes to the rules a running journey could notice, each named as the workflow patch that
 * turns it on for journeys started since:
 * - `past-steps-once`: a deadline opened with more than one ladder step behind it fires one (HAZ-06);
 * - `two-way-contacts`: only a conversation at or after the discharge meets the post-discharge
 *   contact deadline; an unanswered call, a message or a refusal is an attempt (HAZ-05);
 * - `person-decides-triage`: a referral failing an eligibility criterion waits for a person unless
 *   the programme lets that criterion close it (never an urgent one), and every decline is sent to
 *   the referrer (HAZ-01);
 * - `staff-from-directory`: who may be named co-ordinator is the staff directory's to say, asked
 *   when the reassignment is carried out, not the team as the journey started with it (issue 18).
 */
export const RULE_CHANGES = [
  'past-steps-once',
  'two-way-contacts',
  'person-decides-triage',
  'staff-from-directory',
] as const;
export type RuleChange = (typeof RULE_CHANGES)[number];

export const ruleInForce = (s: JourneyState, rule: RuleChange): boolean => s.rulesInForce?.includes(rule) ?? false;

export interface JourneyState {
  /** Shape version of this object, for migrations of long-lived journeys. */
  schema: 1;
  /** `<workflowId>.<episode key>`: unique per episode, never derived from an identifier. */
  journeyId: string;
  workflowId: string;
  patientId: string;
  programme: Programme;
  teamId: string;
  phase: Phase;
  /** Where the journey stands outside hospital; equals `phase` except while in hospital. */
  communityPhase: CommunityPhase;
  /**
   * Rules that changed what a journey does, in force for this one: each is set by the journey
   * workflow for journeys started since its patch of the same name (`RULE_CHANGES`), so journeys
   * started before go on as they were. See `ruleInForce`.
   */
  rulesInForce?: RuleChange[];
  openedAt: string;
  urgency: Urgency;
  coordinatorId: string | null;
  assignment: 'none' | 'pending' | 'assigned' | 'unassigned';
  risk: { score: number; tier: RiskTier; factors: RiskFactor[]; tierSetBy: 'score' | 'person' };
  referrals: JourneyReferral[];
  triage?: { decision: 'accept' | 'decline'; reason: string; by: string; at: string; automatic: boolean };
  /** Why the referral may not be eligible, while it waits for a person to decide (HAZ-01). */
  triageConcerns?: string[];
  assessment?: AssessmentCommand & { at: string; by: string };
  carePlan?: CarePlan;
  reviews: {
    at: string;
    by: string;
    outcome: ReviewCommand['outcome'];
    riskTier: RiskTier;
    notes: string;
    dueAt?: string;
    /** The record entry that holds it. */
    seq?: number;
  }[];
  contacts: {
    at: string;
    by: string;
    kind: ContactCommand['kind'];
    channel: ContactCommand['channel'];
    /** Absent on contacts recorded before outcomes were: those reached the person. */
    outcome?: ContactCommand['outcome'];
    notes?: string;
    /** The record entry that holds it (so a correction to the entry can be shown beside it). */
    seq?: number;
  }[];
  hospitalStays: HospitalStay[];
  /**
   * Day cases and outpatient attendances the hospital told us of: recorded, but no stay — they
   * pause nothing and are no readmission (HAZ-04). The latest 50.
   */
  attendances?: { at: string; kind: 'day-case' | 'outpatient'; location?: string; endedAt?: string }[];
  deadlines: Deadline[];
  /** Outcome measures recorded (domain/measuresDue.ts), the latest 100; absent before any was. */
  measures?: RecordedMeasure[];
  /** MDT meetings the journey was discussed at (domain/mdtMeetings.ts), the latest 50; absent before any. */
  mdtDiscussions?: MdtDiscussion[];
  /** Actions agreed at those meetings: every open one, and the latest done; absent before any. */
  mdtActions?: MdtAction[];
  closure?: { reason: CloseReason; outcome: CloseOutcome; at: string; by: string };
  /** The most recent entries only; the full trail is in the audit store. */
  timeline: TimelineEntry[];
  /** Side effects waiting for the workflow to carry them out. */
  outbox: Effect[];
  /** Recent hospital message ids, so a repeated message changes nothing. */
  seenControlIds: string[];
  /** `seq`: last timeline entry; `audited`: last one written to the audit store; `revision`: bumps on every change. */
  counters: { seq: number; audited: number; reviews: number; stays: number; revision: number };
}

/** One recorded outcome measure, as the journey keeps it: the scores, not the answers (those are in the record). */
export interface RecordedMeasure {
  instrument: string;
  /** The first of its instrument in the journey is the baseline; one taken with the close command, the closure. */
  occasion: 'baseline' | 'follow-up' | 'closure';
  at: string;
  by: string;
  scores: ScaleScore[];
  /** The record entry that holds the answers. */
  seq?: number;
}

/** A discussion at an MDT, as the journey keeps it: the decision itself is in the record entry `seq`. */
export interface MdtDiscussion {
  meetingId: string;
  heldOn: string;
  presenterId: string;
  at: string;
  by: string;
  seq: number;
}

/** An action agreed at an MDT: its deadline is `mdt-action:<id>`, and its ladder goes to the owner. */
export interface MdtAction {
  /** `<seq>-<n>`: the discussion's record entry, and the action's place in it. */
  id: string;
  meetingId: string;
  heldOn: string;
  description: string;
  ownerId: string;
  due: string;
  completedAt?: string;
  completedBy?: string;
}

export const TIMELINE_KEPT = 200;
export const CONTROL_IDS_KEPT = 200;
/** Deadlines no longer open are kept this many at most (the audit store has them all). */
export const FINISHED_DEADLINES_KEPT = 30;

export class JourneyRuleError extends Error {
  override name = 'JourneyRuleError';
  constructor(
    /** `phase`: not now; `not-found`: no such thing in this journey; `invalid`: the content is wrong. */
    readonly code: 'phase' | 'not-found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export const phaseError = (s: JourneyState, what: string): JourneyRuleError =>
  new JourneyRuleError(
    'phase',
    `cannot ${what} while the journey is ${s.phase === 'in-hospital' ? `in hospital (${s.communityPhase})` : s.phase}`,
  );

// ---------------------------------------------------------------------------------------------
// Small helpers

export function team(s: JourneyState): Team {
  const t = findTeam(s.programme, s.teamId);
  if (!t) throw new Error(`team ${s.teamId} is not in programme ${s.programme.id}`);
  return t;
}

export function touch(s: JourneyState): void {
  s.counters.revision += 1;
}

export function record(
  s: JourneyState,
  now: number,
  type: string,
  by: Actor | string,
  detail: string,
  data?: TimelineEntry['data'],
): void {
  s.counters.seq += 1;
  s.timeline.push({
    seq: s.counters.seq,
    at: iso(now),
    type,
    by: typeof by === 'string' ? by : by.sub,
    detail,
    ...(data ? { data } : {}),
  });
  if (s.timeline.length > TIMELINE_KEPT) s.timeline.splice(0, s.timeline.length - TIMELINE_KEPT);
  touch(s);
}

export function setPhase(s: JourneyState, phase: CommunityPhase): void {
  s.communityPhase = phase;
  if (s.phase !== 'in-hospital' || phase === 'closed') s.phase = phase;
}

export const inHospital = (s: JourneyState): boolean => s.phase === 'in-hospital';

export function findDeadline(s: JourneyState, id: string): Deadline | undefined {
  return s.deadlines.find((d) => d.id === id);
}

export function openDeadlineNamed(
  s: JourneyState,
  name: string,
  now: number,
  dueAt: number,
  id = name,
  /** Who owns the work, when not the co-ordinator: set before any step behind it fires. */
  owner?: string,
): Deadline {
  // Deadlines opened while the person is in hospital start paused (except triage, which goes on).
  const d = openDeadline(name, id, now, dueAt, inHospital(s) && name !== 'triage');
  if (owner) d.owner = owner;
  s.deadlines.push(d);
  if (ruleInForce(s, 'past-steps-once')) firePastStepsOnce(s, d, now);
  touch(s);
  return d;
}

/**
 * A deadline opened with more than one ladder step already behind it (a backdated referral, a late
 * triage, a discharge reported days late) fires one of them, once. Never the whole ladder at once —
 * reminder, overdue notice and escalations to the lead and the manager together — for work that has
 * only just arrived (HAZ-06).
 * - Already past due: the overdue notice, now; the ladder after it then counts from now, so the
 *   lead hears a day later (by the default ladder) if the work is still not done.
 * - Not yet due: the step most recently due; the rest of the ladder follows as usual.
 */
function firePastStepsOnce(s: JourneyState, d: Deadline, now: number): void {
  const ladder = s.programme.escalation;
  const past = dueSteps([d], ladder, now);
  if (past.length < 2) return; // none, or one the timer fires at once as usual
  const overdue = past.find((p) => p.step.kind === 'overdue');
  if (overdue) {
    // So that the overdue step falls at now (its offset is at the due time in most ladders).
    const back = overdue.step.at.startsWith('-') ? overdue.step.at.slice(1) : `-${overdue.step.at}`;
    fireOnceNow(s, d, overdue.stepIndex, now);
    d.ladderFrom = iso(addDuration(now, back as typeof overdue.step.at));
    return;
  }
  fireOnceNow(s, d, past.at(-1)!.stepIndex, now);
}

/**
 * Fires one ladder step of a deadline now, whose time has passed, as the one step of several
 * behind it that is still worth sending. In quiet hours it waits, like any other step, for the
 * next working start: the journey's timer fires it then.
 */
export function fireOnceNow(s: JourneyState, d: Deadline, stepIndex: number, now: number): void {
  if (deliverable(s)(now) !== now) d.ladderStep = stepIndex;
  else fireStep(s, d, stepIndex, s.programme.escalation[stepIndex]!, now);
}

export function meet(s: JourneyState, d: Deadline | undefined, now: number, by: Actor): void {
  if (!d || d.status !== 'open') return;
  d.status = 'met';
  d.metAt = iso(now);
  delete d.pausedSince;
  const onTime = now <= ms(d.dueAt);
  record(s, now, 'deadline.met', by, `${d.name} met ${onTime ? 'on time' : 'late'}`, {
    deadline: d.name,
    dueAt: d.dueAt,
    onTime,
  });
  pruneFinishedDeadlines(s);
}

export function cancel(s: JourneyState, d: Deadline | undefined, because: string): void {
  if (!d || d.status !== 'open') return;
  d.status = 'cancelled';
  d.cancelledBecause = because;
  delete d.pausedSince;
  touch(s);
  pruneFinishedDeadlines(s);
}

export function pruneFinishedDeadlines(s: JourneyState): void {
  const finished = s.deadlines.filter((d) => d.status !== 'open');
  if (finished.length <= FINISHED_DEADLINES_KEPT) return;
  const drop = new Set(finished.slice(0, finished.length - FINISHED_DEADLINES_KEPT));
  s.deadlines = s.deadlines.filter((d) => !drop.has(d));
}

export function notify(
  s: JourneyState,
  now: number,
  n: Omit<Notification, 'journeyId' | 'programmeId' | 'teamId' | 'createdAt' | 'id'> & { key: string },
): void {
  const { key, ...rest } = n;
  s.outbox.push({
    type: 'notify',
    notification: {
      id: `${s.journeyId}/${key}`,
      journeyId: s.journeyId,
      programmeId: s.programme.id,
      teamId: s.teamId,
      createdAt: iso(now),
      ...rest,
    },
  });
}

/** Who a ladder step reaches. Work addressed to a co-ordinator goes to the team lead while there is none. */
export function recipientsFor(s: JourneyState, role: RecipientRole): string[] {
  const t = team(s);
  if (role === 'coordinator') return s.coordinatorId ? [s.coordinatorId] : t.leads;
  return role === 'team-lead' ? t.leads : t.serviceManagers;
}

/**
 * The team's working calendar (its own, else its programme's), or undefined for a programme that
 * runs round the clock on calendar days, as every journey started before calendars does.
 */
export const calendarOf = (s: JourneyState): WorkingCalendar | undefined => team(s).calendar ?? s.programme.calendar;

/** Whether ladder steps wait for working hours: a calendar that does not run round the clock. */
const hasQuietHours = (s: JourneyState): boolean => {
  const cal = calendarOf(s);
  return cal !== undefined && !cal.roundTheClock;
};

/** When a ladder step due at an instant may reach someone: out of quiet hours (domain/workingCalendar.ts). */
export function deliverable(s: JourneyState): Deliverable {
  const cal = calendarOf(s);
  return cal && !cal.roundTheClock ? (t) => nextWorkingMoment(cal, t) : (t) => t;
}

/**
 * When the journey's next ladder step fires, as of `now` (the journey passes its own time, that of
 * its latest message or timer, never a clock: rule change `next-step-from-journey-time`). With
 * quiet hours, never in them: a step whose time had passed by `now` fires at the next working
 * moment from `now`. Without, exactly the step's time, as before calendars.
 */
export function nextStepFires(s: JourneyState, now: number): number | undefined {
  const quiet = deliverable(s);
  const next = nextStepAt(s.deadlines, s.programme.escalation, quiet);
  if (next === undefined || !hasQuietHours(s)) return next;
  return quiet(Math.max(next, now));
}

/** `from` + a deadline's length: ISO 8601 on the plain calendar, or business days on the team's. */
export function dueAfter(s: JourneyState, from: number, length: string): number {
  const days = businessDaysOf(length);
  if (days === undefined) return addDuration(from, length);
  const cal = calendarOf(s);
  // The programme schema requires a calendar wherever a deadline is in business days.
  if (!cal) throw new Error(`${s.programme.id}: "${length}" needs a working calendar`);
  return addBusinessDays(cal, from, days);
}

/** The same, as a role for the staff directory to resolve when the notification is sent. */
export const audienceFor = (s: JourneyState, role: RecipientRole): Audience =>
  role === 'coordinator' ? { role, teamId: s.teamId, coordinatorId: s.coordinatorId } : { role, teamId: s.teamId };

/**
 * Whom a ladder step of a deadline reaches: a deadline someone owns (an MDT action) goes to its
 * owner where the ladder says co-ordinator; the steps above go up the team as for any deadline.
 */
function ladderAudience(
  s: JourneyState,
  d: Deadline,
  role: RecipientRole,
): { recipients: string[]; audience: Audience } {
  if (d.owner && role === 'coordinator')
    return { recipients: [d.owner], audience: { ...audienceFor(s, role), ownerId: d.owner } };
  return { recipients: recipientsFor(s, role), audience: audienceFor(s, role) };
}

/**
 * Marks every ladder step due by `upTo` as sent and queues its notification, oldest first.
 * `stamp` is the time they are recorded at: `'when-due'` records each at the time it fell due,
 * which is the same whichever message or timer caught it up (the journey workflow's choice; the
 * inbox item says when it was delivered). A number stamps them all with that time.
 */
export function fireDueSteps(s: JourneyState, upTo: number, stamp: number | 'when-due' = upTo): void {
  // In quiet hours nothing is sent, whatever woke the journey: it waits for the working day.
  if (hasQuietHours(s) && deliverable(s)(upTo) !== upTo) return;
  for (const { deadline: d, step, stepIndex, at } of dueSteps(
    s.deadlines,
    s.programme.escalation,
    upTo,
    deliverable(s),
  ))
    fireStep(s, d, stepIndex, step, stamp === 'when-due' ? at : stamp);
}

/** Marks one ladder step sent, queues its notification and records it, at `now`. */
function fireStep(s: JourneyState, d: Deadline, stepIndex: number, step: EscalationStep, now: number): void {
  d.ladderStep = stepIndex + 1;
  const level = levelOf(step.notify);
  notify(s, now, {
    key: `${d.id}/${stepIndex}`,
    kind: step.kind,
    level,
    deadline: d.name,
    dueAt: d.dueAt,
    ...ladderAudience(s, d, step.notify),
    message: `${d.name} ${step.kind === 'reminder' ? 'is due' : 'was due'} ${d.dueAt}`,
  });
  record(s, now, 'deadline.step', systemActor, `${d.name}: ${step.kind} to ${step.notify}`, {
    deadline: d.name,
    kind: step.kind,
    level,
    step: stepIndex,
  });
}

// ---------------------------------------------------------------------------------------------
// Shared by the stages: the risk score (referrals and assessment), the referral clock
// (triage and assessment) and the review schedule (care plan, reviews and discharges)

export function rescore(s: JourneyState): void {
  const first = s.referrals[0];
  if (!first) return;
  const a = s.assessment;
  const conditions = [...s.referrals.flatMap((r) => r.conditions), ...(a?.conditions ?? [])];
  const carerStrain = a?.carer?.strain ?? s.referrals.some((r) => r.carer?.strain === true);
  const hasCarer = a?.carer ? a.carer.present : s.referrals.some((r) => r.carer) ? true : undefined;
  const scored = scoreRisk(s.programme.risk, {
    age: Math.max(...s.referrals.map((r) => r.age)),
    conditions,
    admissionsLast12Months: Math.max(0, ...s.referrals.map((r) => r.admissionsLast12Months ?? 0)),
    livesAlone: a?.livesAlone ?? s.referrals.some((r) => r.livesAlone === true),
    hasCarer,
    carerStrain,
  });
  s.risk = { ...scored, tier: s.risk.tierSetBy === 'person' ? s.risk.tier : scored.tier, tierSetBy: s.risk.tierSetBy };
  touch(s);
}

/** The referral-to-assessment clock starts when the first referral was received (never in the future). */
export const referredAt = (s: JourneyState, now: number): number => Math.min(ms(s.referrals[0]!.receivedAt), now);

export const reviewInterval = (s: JourneyState, tier: RiskTier): string => s.programme.deadlines.review[tier];

export function openNextReview(s: JourneyState, now: number, interval: string): void {
  s.counters.reviews += 1;
  openDeadlineNamed(s, 'review', now, dueAfter(s, now, interval), `review#${s.counters.reviews}`);
}

export const openReview = (s: JourneyState): Deadline | undefined =>
  s.deadlines.find((d) => d.name === 'review' && d.status === 'open');

// ---------------------------------------------------------------------------------------------
// Views

export const nextDueAt = (s: JourneyState): string | undefined =>
  s.deadlines
    .filter((d) => d.status === 'open' && !d.pausedSince)
    .map((d) => d.dueAt)
    .sort()[0];
