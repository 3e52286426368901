/**
 * The first stage of a journey: opening it, taking referrals in (the first opens the journey,
 * later ones merge into it) and triage, which decides clear cases at once and waits for a person
 * otherwise. Accepting opens the assessment deadline and asks for a co-ordinator; declining closes
 * the journey. It is separate because it is the only stage that runs before anyone is assigned,
 * and the API uses it on its own (`openingFor`) to answer the referrer.
 */
import { iso, ms } from './durations.js';
import { findTeam, type EligibilityCriterion, type Programme } from './programme.js';
import type { JourneyReferral } from './referral.js';
import type { By, Phase, TriageCommand } from './commands.js';
import { systemActor } from './commands.js';
import {
  audienceFor,
  dueAfter,
  findDeadline,
  inHospital,
  JourneyRuleError,
  meet,
  notify,
  openDeadlineNamed,
  phaseError,
  record,
  referredAt,
  rescore,
  ruleInForce,
  RULE_CHANGES,
  setPhase,
  team,
  type JourneyState,
} from './journeyState.js';
import { checkClose, close } from './closing.js';

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
export function openingFor(programme: Programme, referral: JourneyReferral): Opening {
  const s = openedBy(programme, referral, ms(referral.receivedAt));
  return {
    phase: s.phase,
    ...(s.triage ? { triage: { decision: s.triage.decision, reason: s.triage.reason } } : {}),
    ...(s.triageConcerns ? { triageConcerns: s.triageConcerns } : {}),
  };
}

/**
 * A journey as it stands once `referral`, taken in at `at`, has opened it and before it has done
 * anything: what a journey started now computes first, with no identity in it. Whoever starts a
 * journey can tell from it what the journey will be (its phase, its first deadline).
 */
export function openedBy(programme: Programme, referral: JourneyReferral, at: number): JourneyState {
  const s = newJourney({ journeyId: '', workflowId: '', patientId: '', programme, teamId: referral.teamId }, at);
  // A journey started now runs under every rule change (journeyState.ts, `RULE_CHANGES`).
  s.rulesInForce = [...RULE_CHANGES];
  receiveReferral(s, referral, at);
  return s;
}

/** What a new journey's first referral comes to: its phase, and triage's decision or concerns. */
export interface Opening {
  phase: Phase;
  triage?: { decision: 'accept' | 'decline'; reason: string };
  triageConcerns?: string[];
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
      // Evaluation's "before" (domain/evaluationFigures.ts), carried here so no read of the referral is needed.
      ...(referral.emergencyAdmissions6Months !== undefined
        ? { emergencyAdmissions6Months: referral.emergencyAdmissions6Months }
        : {}),
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
      const urgentDue = dueAfter(s, referredAt(s, now), s.programme.deadlines.assessment.urgent);
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

/**
 * Eligibility and risk decide clear cases at once; the rest wait for a person. Since
 * `person-decides-triage`, a criterion the referral fails closes it only when the programme says
 * that criterion may (`closesAutomatically`) and the referral is routine; otherwise the referral
 * waits with the reasons shown (HAZ-01). Journeys started before close on any failed criterion.
 */
function triage(s: JourneyState, now: number): void {
  setPhase(s, 'triage');
  const e = s.programme.eligibility;
  const first = s.referrals[0]!;
  const failed: { criterion: EligibilityCriterion; reason: string }[] = [];
  if (e.minAge !== undefined && first.age < e.minAge)
    failed.push({ criterion: 'minAge', reason: `age ${first.age} is under ${e.minAge}` });
  if (e.maxAge !== undefined && first.age > e.maxAge)
    failed.push({ criterion: 'maxAge', reason: `age ${first.age} is over ${e.maxAge}` });
  if (e.minRiskScore !== undefined && s.risk.score < e.minRiskScore)
    failed.push({ criterion: 'minRiskScore', reason: `risk score ${s.risk.score} is below ${e.minRiskScore}` });
  const personDecides = ruleInForce(s, 'person-decides-triage');
  const closing = personDecides
    ? s.urgency === 'urgent'
      ? []
      : failed.filter((f) => e.closesAutomatically?.includes(f.criterion))
    : failed;
  if (closing.length > 0) {
    decideTriage(
      s,
      {
        decision: 'decline',
        reason: closing.map((f) => f.reason).join('; '),
        closeReason: 'ineligible',
        by: systemActor,
      },
      now,
      true,
    );
    return;
  }
  if (failed.length > 0) {
    s.triageConcerns = failed.map((f) => f.reason);
    record(s, now, 'triage.needs-decision', systemActor, `for a person to decide: ${s.triageConcerns.join('; ')}`, {
      concerns: s.triageConcerns.length,
    });
  } else if (first.consentGiven && e.autoAcceptRiskScore !== undefined && s.risk.score >= e.autoAcceptRiskScore) {
    decideTriage(
      s,
      { decision: 'accept', reason: `risk score ${s.risk.score} meets ${e.autoAcceptRiskScore}`, by: systemActor },
      now,
      true,
    );
    return;
  }
  const within = s.programme.deadlines.triage;
  if (within) openDeadlineNamed(s, 'triage', now, dueAfter(s, now, within));
}

export function checkTriage(s: JourneyState, cmd?: TriageCommand): void {
  if (s.phase !== 'triage' && !(inHospital(s) && s.communityPhase === 'triage'))
    throw phaseError(s, 'record a triage decision');
  // A decline closes the journey, so it must pass closing's rules first.
  if (cmd?.decision === 'decline') checkClose(s, { reason: cmd.closeReason ?? 'ineligible', outcome: {} });
}

export function decideTriage(s: JourneyState, cmd: By<TriageCommand>, now: number, automatic = false): void {
  checkTriage(s, cmd);
  s.triage = { decision: cmd.decision, reason: cmd.reason, by: cmd.by.sub, at: iso(now), automatic };
  record(s, now, 'triage.decided', cmd.by, `${cmd.decision}: ${cmd.reason}`, {
    decision: cmd.decision,
    automatic,
    riskScore: s.risk.score,
  });
  meet(s, findDeadline(s, 'triage'), now, cmd.by);
  delete s.triageConcerns;
  if (cmd.decision === 'decline') {
    if (ruleInForce(s, 'person-decides-triage')) tellReferrers(s, cmd.reason, now);
    close(s, { reason: cmd.closeReason ?? 'ineligible', outcome: {}, by: cmd.by }, now);
    return;
  }
  if (cmd.riskTier) s.risk = { ...s.risk, tier: cmd.riskTier, tierSetBy: 'person' };
  setPhase(s, 'assessment');
  s.assignment = 'pending';
  s.outbox.push({ type: 'assign', teamId: s.teamId, at: now });
  const due = s.programme.deadlines.assessment[s.urgency];
  openDeadlineNamed(s, 'assessment', now, dueAfter(s, referredAt(s, now), due));
}

/**
 * A decline goes back to whoever referred, with its reason: to each person who sent a referral
 * (`referredBy`), and to the team lead for referrals an integration engine sent, naming the
 * organisation to tell. No referrer is left believing the person is being seen (HAZ-01).
 */
function tellReferrers(s: JourneyState, reason: string, now: number): void {
  const people = [...new Set(s.referrals.flatMap((r) => (r.referredBy ? [r.referredBy] : [])))];
  const unsigned = s.referrals.filter((r) => !r.referredBy);
  if (people.length > 0)
    notify(s, now, {
      key: 'declined#referrer',
      kind: 'notice',
      level: 0,
      deadline: 'referral-declined',
      recipients: people,
      message: `Your referral was declined: ${reason}.`,
    });
  if (unsigned.length > 0) {
    const whom = [...new Set(unsigned.map((r) => r.referrerOrganisation ?? r.source))].join(', ');
    notify(s, now, {
      key: 'declined#team-lead',
      kind: 'notice',
      level: 1,
      deadline: 'referral-declined',
      recipients: team(s).leads,
      audience: audienceFor(s, 'team-lead'),
      message: `Referral declined: ${reason}. Please tell the referrer (${whom}).`,
    });
  }
}
