/**
 * The state of one patient's journey through a programme, and the rules that change it.
 *
 * The state is one plain serialisable object: it is the workflow's query answer, the source of
 * the read model and the argument to continue-as-new. Rules are pure functions `(state, command,
 * now) → state'`; each checks that the command fits the journey first (`check*`, used by the
 * API before it sends a command and by the workflow when it arrives, so a refused command changes
 * nothing), then applies it,
 * recording a timeline entry for the audit trail and queueing any side effect (assign a
 * co-ordinator, notify someone) in `outbox` for the workflow to carry out.
 */
import { addDuration, iso, ms } from './durations.js';
import { dueSteps, openDeadline, type Deadline } from './deadlines.js';
import { findTeam, levelOf, type Programme, type RecipientRole, type Team } from './programme.js';
import type { JourneyReferral, Urgency } from './referral.js';
import { scoreRisk, stepDown, type RiskFactor, type RiskTier } from './risk.js';
import type {
  Actor,
  AssessmentCommand,
  By,
  CarePlanCommand,
  CloseCommand,
  CloseOutcome,
  CloseReason,
  CompleteActionCommand,
  ContactCommand,
  HospitalEvent,
  Phase,
  ReassignCommand,
  ReviewCommand,
  TriageCommand,
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
  recipients: string[];
  message: string;
  createdAt: string;
}

export type Effect =
  | { type: 'assign'; teamId: string }
  | { type: 'release'; coordinatorId: string }
  | { type: 'notify'; notification: Notification }
  | ReassignEffect;

/** Move the named co-ordinator once the caseload store has a place; `commandId` gets the outcome. */
export interface ReassignEffect {
  type: 'reassign';
  commandId: string;
  command: By<ReassignCommand>;
}

export interface HospitalStay {
  stayNo: number;
  admittedAt: string;
  dischargedAt?: string;
  location?: string;
  readmission: boolean;
  /** Discharges recorded for this stay (a cancelled one, A13, then a new A03 makes two). */
  discharges?: number;
  /** What the discharge changed, so that a cancelled discharge (A13) can put it back. */
  undoDischarge?: { deadlines: { id: string; dueAt: string; pausedSince?: string }[]; postDischargeDeadlineId: string };
}

export interface CarePlan {
  version: number;
  agreedAt: string;
  agreedBy: string;
  goals: { id: string; description: string }[];
  actions: { id: string; description: string; owner: string; due: string; completedAt?: string }[];
  agreedWithPatient: boolean;
  agreedWithCarer?: boolean;
  notAgreedReason?: string;
}

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
  openedAt: string;
  urgency: Urgency;
  coordinatorId: string | null;
  assignment: 'none' | 'pending' | 'assigned' | 'unassigned';
  risk: { score: number; tier: RiskTier; factors: RiskFactor[]; tierSetBy: 'score' | 'person' };
  referrals: JourneyReferral[];
  triage?: { decision: 'accept' | 'decline'; reason: string; by: string; at: string; automatic: boolean };
  assessment?: AssessmentCommand & { at: string; by: string };
  carePlan?: CarePlan;
  reviews: {
    at: string;
    by: string;
    outcome: ReviewCommand['outcome'];
    riskTier: RiskTier;
    notes: string;
    dueAt?: string;
  }[];
  contacts: { at: string; by: string; kind: ContactCommand['kind']; channel: ContactCommand['channel'] }[];
  hospitalStays: HospitalStay[];
  deadlines: Deadline[];
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

export const TIMELINE_KEPT = 200;
const CONTROL_IDS_KEPT = 200;
/** Deadlines no longer open are kept this many at most (the audit store has them all). */
const FINISHED_DEADLINES_KEPT = 30;

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

const phaseError = (s: JourneyState, what: string): JourneyRuleError =>
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

function touch(s: JourneyState): void {
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

function setPhase(s: JourneyState, phase: CommunityPhase): void {
  s.communityPhase = phase;
  if (s.phase !== 'in-hospital' || phase === 'closed') s.phase = phase;
}

const inHospital = (s: JourneyState): boolean => s.phase === 'in-hospital';

export function findDeadline(s: JourneyState, id: string): Deadline | undefined {
  return s.deadlines.find((d) => d.id === id);
}

function openDeadlineNamed(s: JourneyState, name: string, now: number, dueAt: number, id = name): Deadline {
  // Deadlines opened while the person is in hospital start paused (except triage, which goes on).
  const d = openDeadline(name, id, now, dueAt, inHospital(s) && name !== 'triage');
  s.deadlines.push(d);
  touch(s);
  return d;
}

function meet(s: JourneyState, d: Deadline | undefined, now: number, by: Actor): void {
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

function cancel(s: JourneyState, d: Deadline | undefined, because: string): void {
  if (!d || d.status !== 'open') return;
  d.status = 'cancelled';
  d.cancelledBecause = because;
  delete d.pausedSince;
  touch(s);
  pruneFinishedDeadlines(s);
}

function pruneFinishedDeadlines(s: JourneyState): void {
  const finished = s.deadlines.filter((d) => d.status !== 'open');
  if (finished.length <= FINISHED_DEADLINES_KEPT) return;
  const drop = new Set(finished.slice(0, finished.length - FINISHED_DEADLINES_KEPT));
  s.deadlines = s.deadlines.filter((d) => !drop.has(d));
}

function notify(
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
 * Marks every ladder step due by `upTo` as sent and queues its notification, oldest first; `now`
 * stamps them (the workflow fires what its timer was set for, which is not always the clock).
 */
export function fireDueSteps(s: JourneyState, upTo: number, now = upTo): void {
  for (const { deadline: d, step, stepIndex } of dueSteps(s.deadlines, s.programme.escalation, upTo)) {
    d.ladderStep = stepIndex + 1;
    const level = levelOf(step.notify);
    notify(s, now, {
      key: `${d.id}/${stepIndex}`,
      kind: step.kind,
      level,
      deadline: d.name,
      dueAt: d.dueAt,
      recipients: recipientsFor(s, step.notify),
      message: `${d.name} ${step.kind === 'reminder' ? 'is due' : 'was due'} ${d.dueAt}`,
    });
    record(s, now, 'deadline.step', systemActor, `${d.name}: ${step.kind} to ${step.notify}`, {
      deadline: d.name,
      kind: step.kind,
      level,
      step: stepIndex,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Opening a journey and receiving referrals

export interface NewJourney {
  journeyId: string;
  workflowId: string;
  patientId: string;
  programme: Programme;
  teamId: string;
}

export function newJourney(input: NewJourney, now: number): JourneyState {
  return {
    schema: 1,
    journeyId: input.journeyId,
    workflowId: input.workflowId,
    patientId: input.patientId,
    programme: input.programme,
    teamId: input.teamId,
    phase: 'referred',
    communityPhase: 'referred',
    openedAt: iso(now),
    urgency: 'routine',
    coordinatorId: null,
    assignment: 'none',
    risk: { score: 0, tier: 'low', factors: [], tierSetBy: 'score' },
    referrals: [],
    reviews: [],
    contacts: [],
    hospitalStays: [],
    deadlines: [],
    timeline: [],
    outbox: [],
    seenControlIds: [],
    counters: { seq: 0, audited: 0, reviews: 0, stays: 0, revision: 0 },
  };
}

/**
 * The phase a journey opened by `referral` is in once it has taken the referral in. Triage decides
 * clear cases from the referral and the programme alone, so whoever starts the journey can tell the
 * referrer at once, without asking the journey.
 */
export function phaseOnOpening(programme: Programme, referral: JourneyReferral): Phase {
  const at = ms(referral.receivedAt);
  const s = newJourney({ journeyId: '', workflowId: '', patientId: '', programme, teamId: referral.teamId }, at);
  receiveReferral(s, referral, at);
  return s.phase;
}

function rescore(s: JourneyState): void {
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

export function checkReferral(s: JourneyState, referral: JourneyReferral): void {
  if (s.phase === 'closed')
    throw new JourneyRuleError('phase', 'this journey has closed; the referral opens a new episode');
  // A later referral naming another team still joins the one open journey (single point of entry).
  if (s.referrals.length === 0 && !findTeam(s.programme, referral.teamId))
    throw new JourneyRuleError('invalid', `team ${referral.teamId} is not in programme ${s.programme.id}`);
}

/** A referral opens the journey, or is merged into the open one as another source. */
export function receiveReferral(s: JourneyState, referral: JourneyReferral, now: number): { merged: boolean } {
  if (s.referrals.some((r) => r.referralId === referral.referralId))
    return { merged: s.referrals[0]!.referralId !== referral.referralId };
  checkReferral(s, referral);
  const merged = s.referrals.length > 0;
  s.referrals.push(referral);
  const by = referral.referrerOrganisation ?? referral.source;
  record(
    s,
    now,
    merged ? 'referral.merged' : 'referral.received',
    by,
    `${referral.urgency} referral from ${referral.source}`,
    {
      source: referral.source,
      urgency: referral.urgency,
      referralId: referral.referralId,
    },
  );
  if (!merged) {
    s.teamId = referral.teamId;
    s.urgency = referral.urgency;
    rescore(s);
    triage(s, now);
    return { merged };
  }
  rescore(s);
  if (referral.urgency === 'urgent' && s.urgency === 'routine') {
    s.urgency = 'urgent';
    // An urgent second referral brings a routine assessment forward.
    const a = findDeadline(s, 'assessment');
    if (a?.status === 'open') {
      const urgentDue = addDuration(referredAt(s, now), s.programme.deadlines.assessment.urgent);
      if (urgentDue < ms(a.dueAt)) {
        // Steps already sent stay sent; the rest of the ladder follows the new due time.
        a.dueAt = iso(Math.max(urgentDue, now));
        record(s, now, 'deadline.moved', systemActor, 'assessment brought forward by an urgent referral', {
          deadline: 'assessment',
          dueAt: a.dueAt,
        });
      }
    }
  }
  return { merged };
}

/** The referral-to-assessment clock starts when the first referral was received (never in the future). */
const referredAt = (s: JourneyState, now: number): number => Math.min(ms(s.referrals[0]!.receivedAt), now);

/** Eligibility and risk decide clear cases at once; the rest wait for a person. */
function triage(s: JourneyState, now: number): void {
  setPhase(s, 'triage');
  const e = s.programme.eligibility;
  const first = s.referrals[0]!;
  const reasons: string[] = [];
  if (e.minAge !== undefined && first.age < e.minAge) reasons.push(`age ${first.age} is under ${e.minAge}`);
  if (e.maxAge !== undefined && first.age > e.maxAge) reasons.push(`age ${first.age} is over ${e.maxAge}`);
  if (e.minRiskScore !== undefined && s.risk.score < e.minRiskScore)
    reasons.push(`risk score ${s.risk.score} is below ${e.minRiskScore}`);
  if (reasons.length > 0) {
    decideTriage(
      s,
      { decision: 'decline', reason: reasons.join('; '), closeReason: 'ineligible', by: systemActor },
      now,
      true,
    );
    return;
  }
  if (first.consentGiven && e.autoAcceptRiskScore !== undefined && s.risk.score >= e.autoAcceptRiskScore) {
    decideTriage(
      s,
      { decision: 'accept', reason: `risk score ${s.risk.score} meets ${e.autoAcceptRiskScore}`, by: systemActor },
      now,
      true,
    );
    return;
  }
  const within = s.programme.deadlines.triage;
  if (within) openDeadlineNamed(s, 'triage', now, addDuration(now, within));
}

export function checkTriage(s: JourneyState): void {
  if (s.phase !== 'triage' && !(inHospital(s) && s.communityPhase === 'triage'))
    throw phaseError(s, 'record a triage decision');
}

export function decideTriage(s: JourneyState, cmd: By<TriageCommand>, now: number, automatic = false): void {
  checkTriage(s);
  s.triage = { decision: cmd.decision, reason: cmd.reason, by: cmd.by.sub, at: iso(now), automatic };
  record(s, now, 'triage.decided', cmd.by, `${cmd.decision}: ${cmd.reason}`, {
    decision: cmd.decision,
    automatic,
    riskScore: s.risk.score,
  });
  meet(s, findDeadline(s, 'triage'), now, cmd.by);
  if (cmd.decision === 'decline') {
    close(s, { reason: cmd.closeReason ?? 'ineligible', outcome: {}, by: cmd.by }, now);
    return;
  }
  if (cmd.riskTier) s.risk = { ...s.risk, tier: cmd.riskTier, tierSetBy: 'person' };
  setPhase(s, 'assessment');
  s.assignment = 'pending';
  s.outbox.push({ type: 'assign', teamId: s.teamId });
  const due = s.programme.deadlines.assessment[s.urgency];
  openDeadlineNamed(s, 'assessment', now, addDuration(referredAt(s, now), due));
}

// ---------------------------------------------------------------------------------------------
// The named co-ordinator

export function assigned(s: JourneyState, coordinatorId: string | null, now: number, by: Actor = systemActor): void {
  if (s.phase === 'closed') {
    // Closed while the assignment was in flight: give the place straight back.
    if (coordinatorId) s.outbox.push({ type: 'release', coordinatorId });
    return;
  }
  if (!coordinatorId) {
    s.assignment = 'unassigned';
    record(s, now, 'coordinator.unassigned', by, 'no co-ordinator in the team has capacity');
    notify(s, now, {
      key: 'assignment',
      kind: 'escalation',
      level: 1,
      deadline: 'assignment',
      recipients: team(s).leads,
      message: `A journey in ${s.programme.name} needs a co-ordinator: nobody in the team has capacity.`,
    });
    return;
  }
  s.coordinatorId = coordinatorId;
  s.assignment = 'assigned';
  record(s, now, 'coordinator.assigned', by, `named co-ordinator ${coordinatorId}`, { coordinatorId });
}

export function checkReassign(s: JourneyState, cmd: ReassignCommand): void {
  if (s.phase === 'closed' || s.communityPhase === 'triage' || s.communityPhase === 'referred')
    throw phaseError(s, 'assign a co-ordinator');
  if (s.assignment === 'pending')
    throw new JourneyRuleError('phase', 'a co-ordinator is being assigned; try again in a moment');
  if (s.outbox.some((e) => e.type === 'reassign'))
    throw new JourneyRuleError('phase', 'a reassignment is under way; try again in a moment');
  if (!team(s).coordinators.some((c) => c.id === cmd.coordinatorId)) {
    throw new JourneyRuleError('invalid', `${cmd.coordinatorId} is not a co-ordinator in team ${s.teamId}`);
  }
  if (cmd.coordinatorId === s.coordinatorId)
    throw new JourneyRuleError('invalid', `${cmd.coordinatorId} is already the named co-ordinator`);
}

/** After the caseload store has moved the place: the previous co-ordinator's is released there too. */
export function reassigned(s: JourneyState, cmd: By<ReassignCommand>, now: number): void {
  const previous = s.coordinatorId;
  s.coordinatorId = cmd.coordinatorId;
  s.assignment = 'assigned';
  record(s, now, 'coordinator.reassigned', cmd.by, `named co-ordinator ${previous ?? 'none'} → ${cmd.coordinatorId}`, {
    from: previous,
    coordinatorId: cmd.coordinatorId,
  });
}

// ---------------------------------------------------------------------------------------------
// Assessment, care plan, actions

export function checkAssessment(s: JourneyState): void {
  if (s.communityPhase !== 'assessment' || s.phase === 'closed') throw phaseError(s, 'record an assessment');
}

export function recordAssessment(s: JourneyState, cmd: By<AssessmentCommand>, now: number): void {
  checkAssessment(s);
  const { by, ...assessment } = cmd;
  s.assessment = { ...assessment, at: iso(now), by: by.sub };
  // The assessment is the fuller picture: the score sets the tier again, unless a person sets it here.
  s.risk.tierSetBy = cmd.riskTier ? 'person' : 'score';
  rescore(s);
  if (cmd.riskTier) s.risk.tier = cmd.riskTier;
  record(s, now, 'assessment.recorded', by, `holistic assessment; risk ${s.risk.tier} (${s.risk.score})`, {
    riskTier: s.risk.tier,
    riskScore: s.risk.score,
    carerAssessed: cmd.carer?.assessmentOffered ?? false,
    referredAt: iso(referredAt(s, now)),
  });
  meet(s, findDeadline(s, 'assessment'), now, by);
  setPhase(s, 'care-planning');
  openDeadlineNamed(s, 'care-plan', now, addDuration(now, s.programme.deadlines.carePlan));
}

export function checkCarePlan(s: JourneyState, cmd: CarePlanCommand, now: number): void {
  if (s.phase === 'closed' || (s.communityPhase !== 'care-planning' && s.communityPhase !== 'active'))
    throw phaseError(s, 'agree a care plan');
  const existing = new Map(s.carePlan?.actions.map((a) => [a.id, a]) ?? []);
  for (const action of cmd.actions) {
    const before = existing.get(action.id);
    const unchanged = before && ms(before.due) === ms(action.due);
    if (!unchanged && ms(action.due) <= now)
      throw new JourneyRuleError('invalid', `action ${action.id} is due in the past (${action.due})`);
  }
}

const reviewInterval = (s: JourneyState, tier: RiskTier): string => s.programme.deadlines.review[tier];

function openNextReview(s: JourneyState, now: number, interval: string): void {
  s.counters.reviews += 1;
  openDeadlineNamed(s, 'review', now, addDuration(now, interval), `review#${s.counters.reviews}`);
}

export const openReview = (s: JourneyState): Deadline | undefined =>
  s.deadlines.find((d) => d.name === 'review' && d.status === 'open');

export function agreeCarePlan(s: JourneyState, cmd: By<CarePlanCommand>, now: number): void {
  checkCarePlan(s, cmd, now);
  const previous = s.carePlan;
  const completed = new Map(previous?.actions.filter((a) => a.completedAt).map((a) => [a.id, a.completedAt!]) ?? []);
  s.carePlan = {
    version: (previous?.version ?? 0) + 1,
    agreedAt: iso(now),
    agreedBy: cmd.by.sub,
    goals: cmd.goals,
    actions: cmd.actions.map((a) => ({
      ...a,
      due: iso(ms(a.due)),
      ...(completed.has(a.id) ? { completedAt: completed.get(a.id)! } : {}),
    })),
    agreedWithPatient: cmd.agreedWithPatient,
    ...(cmd.agreedWithCarer !== undefined ? { agreedWithCarer: cmd.agreedWithCarer } : {}),
    ...(cmd.notAgreedReason ? { notAgreedReason: cmd.notAgreedReason } : {}),
  };
  record(
    s,
    now,
    previous ? 'care-plan.revised' : 'care-plan.agreed',
    cmd.by,
    `care plan v${s.carePlan.version}: ${cmd.goals.length} goals, ${cmd.actions.length} actions`,
    {
      version: s.carePlan.version,
      agreedWithPatient: cmd.agreedWithPatient,
    },
  );

  // Each action's due date is a deadline; a removed action's deadline is cancelled, a moved one restarts.
  const wanted = new Map(s.carePlan.actions.filter((a) => !a.completedAt).map((a) => [`action:${a.id}`, a]));
  for (const d of s.deadlines.filter((d) => d.name.startsWith('action:') && d.status === 'open')) {
    const action = wanted.get(d.name);
    if (!action) cancel(s, d, 'removed from the care plan');
    else if (ms(action.due) !== ms(d.dueAt)) cancel(s, d, 'due date changed');
  }
  for (const [name, action] of wanted) {
    const live = s.deadlines.find((d) => d.name === name && d.status === 'open');
    if (!live) openDeadlineNamed(s, name, now, ms(action.due), `${name}#v${s.carePlan.version}`);
  }

  if (!previous || s.communityPhase === 'care-planning') {
    meet(s, findDeadline(s, 'care-plan'), now, cmd.by);
    setPhase(s, 'active');
    const d = s.programme.deadlines.review;
    openNextReview(s, now, d.first ?? reviewInterval(s, s.risk.tier));
  }
}

export function checkCompleteAction(s: JourneyState, cmd: CompleteActionCommand): void {
  if (s.phase === 'closed' || s.communityPhase !== 'active') throw phaseError(s, 'complete a care-plan action');
  const action = s.carePlan?.actions.find((a) => a.id === cmd.actionId);
  if (!action) throw new JourneyRuleError('not-found', `the care plan has no action ${cmd.actionId}`);
  if (action.completedAt)
    throw new JourneyRuleError('phase', `action ${cmd.actionId} was already completed at ${action.completedAt}`);
}

export function completeAction(s: JourneyState, cmd: By<CompleteActionCommand>, now: number): void {
  checkCompleteAction(s, cmd);
  const action = s.carePlan!.actions.find((a) => a.id === cmd.actionId)!;
  action.completedAt = iso(now);
  record(s, now, 'action.completed', cmd.by, `action ${cmd.actionId} completed`, { actionId: cmd.actionId });
  meet(
    s,
    s.deadlines.find((d) => d.name === `action:${cmd.actionId}` && d.status === 'open'),
    now,
    cmd.by,
  );
}

// ---------------------------------------------------------------------------------------------
// Reviews and contacts

export function checkReview(s: JourneyState, cmd: ReviewCommand): void {
  if (s.phase === 'closed' || s.communityPhase !== 'active') throw phaseError(s, 'record a review');
  // A review that closes the journey must satisfy closing's rules before the review is recorded.
  if (cmd.outcome === 'close') checkClose(s, reviewClosure(cmd));
}

const reviewClosure = (cmd: ReviewCommand): CloseCommand => ({
  reason: cmd.closeReason ?? 'goals-met',
  outcome: cmd.closeOutcome ?? {},
});

export function recordReview(s: JourneyState, cmd: By<ReviewCommand>, now: number): void {
  checkReview(s, cmd);
  const due = openReview(s);
  const tier = cmd.riskTier ?? (cmd.outcome === 'step-down' ? stepDown(s.risk.tier) : s.risk.tier);
  if (tier !== s.risk.tier || cmd.riskTier) s.risk = { ...s.risk, tier, tierSetBy: 'person' };
  s.reviews.push({
    at: iso(now),
    by: cmd.by.sub,
    outcome: cmd.outcome,
    riskTier: tier,
    notes: cmd.notes,
    ...(due ? { dueAt: due.dueAt } : {}),
  });
  if (s.reviews.length > 50) s.reviews.splice(0, s.reviews.length - 50);
  record(s, now, 'review.recorded', cmd.by, `review: ${cmd.outcome}, risk ${tier}`, {
    outcome: cmd.outcome,
    riskTier: tier,
  });
  meet(s, due, now, cmd.by);
  if (cmd.outcome === 'close') {
    close(s, { ...reviewClosure(cmd), by: cmd.by }, now);
    return;
  }
  openNextReview(s, now, reviewInterval(s, tier));
}

export function checkContact(s: JourneyState, cmd: ContactCommand, now: number): void {
  if (s.phase === 'closed' || s.phase === 'referred') throw phaseError(s, 'record a contact');
  if (cmd.at && ms(cmd.at) > now)
    throw new JourneyRuleError('invalid', `a contact cannot be in the future (${cmd.at})`);
  if (cmd.at && ms(cmd.at) < ms(s.openedAt))
    throw new JourneyRuleError('invalid', `a contact cannot be before the journey opened (${s.openedAt})`);
}

export function recordContact(s: JourneyState, cmd: By<ContactCommand>, now: number): void {
  checkContact(s, cmd, now);
  const at = cmd.at ? ms(cmd.at) : now;
  s.contacts.push({ at: iso(at), by: cmd.by.sub, kind: cmd.kind, channel: cmd.channel });
  if (s.contacts.length > 100) s.contacts.splice(0, s.contacts.length - 100);
  record(s, now, 'contact.recorded', cmd.by, `${cmd.kind} contact by ${cmd.channel}`, {
    kind: cmd.kind,
    channel: cmd.channel,
    at: iso(at),
  });
  if (cmd.kind === 'post-discharge') {
    const d = s.deadlines.find((x) => x.name === 'post-discharge-contact' && x.status === 'open');
    meet(s, d, at, cmd.by);
  }
}

// ---------------------------------------------------------------------------------------------
// Closing

export function checkClose(s: JourneyState, cmd: CloseCommand): void {
  if (s.phase === 'closed') throw phaseError(s, 'close the journey');
  if (cmd.reason === 'deceased' && s.programme.recordsPlaceOfDeath && cmd.outcome.placeOfDeathAchieved === undefined) {
    throw new JourneyRuleError(
      'invalid',
      'this programme records whether the person died in their preferred place: set outcome.placeOfDeathAchieved',
    );
  }
}

export function close(s: JourneyState, cmd: By<CloseCommand>, now: number): void {
  checkClose(s, cmd);
  for (const d of s.deadlines) cancel(s, d, 'journey closed');
  s.closure = { reason: cmd.reason, outcome: cmd.outcome, at: iso(now), by: cmd.by.sub };
  if (s.coordinatorId) s.outbox.push({ type: 'release', coordinatorId: s.coordinatorId });
  setPhase(s, 'closed');
  record(s, now, 'journey.closed', cmd.by, `closed: ${cmd.reason}`, {
    reason: cmd.reason,
    goalsMet: cmd.outcome.goalsMet ?? null,
    placeOfDeathAchieved: cmd.outcome.placeOfDeathAchieved ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Hospital admissions and discharges

const currentStay = (s: JourneyState): HospitalStay | undefined => {
  const last = s.hospitalStays.at(-1);
  return last && !last.dischargedAt ? last : undefined;
};

/** Applies an ADT event. Returns false when it changes nothing (a repeat, or nothing to undo). */
export function hospitalEvent(s: JourneyState, e: HospitalEvent, now: number): boolean {
  if (s.phase === 'closed' || s.seenControlIds.includes(e.controlId)) return false;
  s.seenControlIds.push(e.controlId);
  if (s.seenControlIds.length > CONTROL_IDS_KEPT) s.seenControlIds.shift();
  touch(s);
  // Hospital clocks drift and messages queue: an event is never later than when it reached us.
  const at = Math.min(e.occurredAt ? ms(e.occurredAt) : now, now);
  const by = 'hospital-adt';
  switch (e.event) {
    case 'A01':
      return admit(s, at, now, e.location);
    case 'A02': {
      const stay = currentStay(s);
      if (!stay) return admit(s, at, now, e.location); // the admission message never reached us
      stay.location = e.location ?? stay.location;
      record(s, now, 'hospital.transferred', by, `transferred${e.location ? ` to ${e.location}` : ''}`);
      return true;
    }
    case 'A08': {
      const stay = currentStay(s);
      if (stay && e.location && e.location !== stay.location) {
        stay.location = e.location;
        record(s, now, 'hospital.updated', by, `location now ${e.location}`);
        return true;
      }
      return false;
    }
    case 'A03':
      return discharge(s, at, now);
    case 'A11':
      return cancelAdmission(s, now);
    case 'A13':
      return cancelDischarge(s, now);
  }
}

function admit(s: JourneyState, at: number, now: number, location?: string): boolean {
  if (currentStay(s)) return false;
  const last = s.hospitalStays.at(-1);
  const readmission = !!last?.dischargedAt && at <= addDuration(ms(last.dischargedAt), s.programme.readmissionWindow);
  s.counters.stays += 1;
  const stayNo = s.counters.stays;
  s.hospitalStays.push({ stayNo, admittedAt: iso(at), readmission, ...(location ? { location } : {}) });
  if (s.hospitalStays.length > 50) s.hospitalStays.shift();
  record(
    s,
    now,
    'hospital.admitted',
    'hospital-adt',
    `admitted${location ? ` to ${location}` : ''}${readmission ? ' (readmission)' : ''}`,
    { readmission, stayNo },
  );

  // Community work cannot happen while the person is on a ward: stop its clocks.
  const movesPhase = ['assessment', 'care-planning', 'active'].includes(s.communityPhase);
  if (movesPhase) {
    for (const d of s.deadlines)
      if (d.status === 'open' && d.name !== 'triage' && !d.pausedSince) d.pausedSince = iso(at);
    s.phase = 'in-hospital';
  }
  notify(s, now, {
    key: `admission#${stayNo}`,
    kind: 'notice',
    level: 0,
    deadline: 'hospital-admission',
    recipients: recipientsFor(s, 'coordinator'),
    message: `Admitted to hospital${readmission ? ' within the readmission window' : ''}. Community deadlines are paused.`,
  });
  if (readmission) {
    notify(s, now, {
      key: `readmission#${stayNo}`,
      kind: 'escalation',
      level: 1,
      deadline: 'readmission',
      recipients: team(s).leads,
      message: `Readmitted within ${s.programme.readmissionWindow} of the last discharge: for MDT review.`,
    });
  }
  return true;
}

function discharge(s: JourneyState, at: number, now: number): boolean {
  let stay = currentStay(s);
  if (!stay) {
    // A discharge whose admission we never heard of still needs its follow-up.
    s.counters.stays += 1;
    stay = { stayNo: s.counters.stays, admittedAt: iso(at), readmission: false };
    s.hospitalStays.push(stay);
  }
  stay.dischargedAt = iso(Math.max(at, ms(stay.admittedAt)));
  const dischargedAt = ms(stay.dischargedAt);

  // Restart the clocks where they stopped, and remember how, in case the discharge is cancelled.
  const undo: NonNullable<HospitalStay['undoDischarge']>['deadlines'] = [];
  for (const d of s.deadlines) {
    if (d.status !== 'open' || !d.pausedSince) continue;
    undo.push({ id: d.id, dueAt: d.dueAt, pausedSince: d.pausedSince });
    d.dueAt = iso(ms(d.dueAt) + Math.max(0, dischargedAt - ms(d.pausedSince)));
    delete d.pausedSince;
  }
  // An older post-discharge follow-up is overtaken by this one.
  for (const d of s.deadlines.filter((x) => x.name === 'post-discharge-contact' && x.status === 'open'))
    cancel(s, d, 'superseded by a later discharge');
  const review = openReview(s);
  if (review) {
    const broughtForward = addDuration(dischargedAt, s.programme.deadlines.reviewAfterDischarge);
    if (broughtForward < ms(review.dueAt)) {
      if (!undo.some((u) => u.id === review.id)) undo.push({ id: review.id, dueAt: review.dueAt });
      review.dueAt = iso(Math.max(broughtForward, now));
    }
  }
  if (s.phase === 'in-hospital') s.phase = s.communityPhase;
  // A discharge after a cancelled one (A03, A13, A03) gets ids of its own: a new follow-up deadline
  // and a new notice, never a second notification under the first one's id.
  stay.discharges = (stay.discharges ?? 0) + 1;
  const nth = stay.discharges === 1 ? `${stay.stayNo}` : `${stay.stayNo}.${stay.discharges}`;
  const followUp = openDeadlineNamed(
    s,
    'post-discharge-contact',
    now,
    addDuration(dischargedAt, s.programme.deadlines.postDischargeContact),
    `post-discharge-contact#${nth}`,
  );
  stay.undoDischarge = { deadlines: undo, postDischargeDeadlineId: followUp.id };
  record(s, now, 'hospital.discharged', 'hospital-adt', 'discharged from hospital', {
    stayNo: stay.stayNo,
    readmission: stay.readmission,
  });
  notify(s, now, {
    key: `discharge#${nth}`,
    kind: 'notice',
    level: 0,
    deadline: 'post-discharge-contact',
    dueAt: followUp.dueAt,
    recipients: recipientsFor(s, 'coordinator'),
    message: `Discharged from hospital: contact due by ${followUp.dueAt}.`,
  });
  return true;
}

function cancelAdmission(s: JourneyState, now: number): boolean {
  const stay = currentStay(s);
  if (!stay) return false;
  s.hospitalStays.pop();
  // The admission never happened: clocks run on as if they had never stopped.
  for (const d of s.deadlines) if (d.status === 'open') delete d.pausedSince;
  if (s.phase === 'in-hospital') s.phase = s.communityPhase;
  record(s, now, 'hospital.admission-cancelled', 'hospital-adt', 'admission cancelled (A11)', { stayNo: stay.stayNo });
  return true;
}

function cancelDischarge(s: JourneyState, now: number): boolean {
  const stay = s.hospitalStays.at(-1);
  if (!stay?.dischargedAt || !stay.undoDischarge) return false;
  const undo = stay.undoDischarge;
  for (const u of undo.deadlines) {
    const d = findDeadline(s, u.id);
    if (!d || d.status !== 'open') continue;
    d.dueAt = u.dueAt;
    if (u.pausedSince) d.pausedSince = u.pausedSince;
  }
  cancel(s, findDeadline(s, undo.postDischargeDeadlineId), 'discharge cancelled');
  delete stay.dischargedAt;
  delete stay.undoDischarge;
  if (['assessment', 'care-planning', 'active'].includes(s.communityPhase)) s.phase = 'in-hospital';
  record(s, now, 'hospital.discharge-cancelled', 'hospital-adt', 'discharge cancelled (A13)', { stayNo: stay.stayNo });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Views

export const nextDueAt = (s: JourneyState): string | undefined =>
  s.deadlines
    .filter((d) => d.status === 'open' && !d.pausedSince)
    .map((d) => d.dueAt)
    .sort()[0];
