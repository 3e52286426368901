/**
 * The middle stage of a journey: the holistic assessment (which rescores risk and opens the
 * care-plan deadline), agreeing and revising the care plan (each action's due date is a deadline;
 * the first plan makes the journey active and opens its first review) and completing the plan's
 * actions. It is separate because these rules share the care plan and its action deadlines, which
 * no other stage touches.
 */
import { openBaselineMeasures } from './measuresDue.js';
import { iso, ms } from './durations.js';
import type { AssessmentCommand, By, CarePlanCommand, CompleteActionCommand } from './commands.js';
import {
  cancel,
  dueAfter,
  findDeadline,
  JourneyRuleError,
  meet,
  openDeadlineNamed,
  openNextReview,
  phaseError,
  record,
  referredAt,
  rescore,
  reviewInterval,
  setPhase,
  type CarePlan,
  type JourneyState,
} from './journeyState.js';

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
  openDeadlineNamed(s, 'care-plan', now, dueAfter(s, now, s.programme.deadlines.carePlan));
  openBaselineMeasures(s, now);
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

const completionOf = (done: CarePlan['actions'][number] | undefined) =>
  done
    ? {
        completedAt: done.completedAt!,
        ...(done.completedBy ? { completedBy: done.completedBy } : {}),
        ...(done.completionNotes ? { completionNotes: done.completionNotes } : {}),
      }
    : {};

export function agreeCarePlan(s: JourneyState, cmd: By<CarePlanCommand>, now: number): void {
  checkCarePlan(s, cmd, now);
  const previous = s.carePlan;
  // A revised plan keeps what was done under the last one: when, by whom, and the notes.
  const completed = new Map(previous?.actions.filter((a) => a.completedAt).map((a) => [a.id, a]) ?? []);
  s.carePlan = {
    version: (previous?.version ?? 0) + 1,
    agreedAt: iso(now),
    agreedBy: cmd.by.sub,
    goals: cmd.goals,
    actions: cmd.actions.map((a) => ({
      ...a,
      due: iso(ms(a.due)),
      ...completionOf(completed.get(a.id)),
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
  action.completedBy = cmd.by.sub;
  if (cmd.notes) action.completionNotes = cmd.notes;
  record(s, now, 'action.completed', cmd.by, `action ${cmd.actionId} completed`, { actionId: cmd.actionId });
  meet(
    s,
    s.deadlines.find((d) => d.name === `action:${cmd.actionId}` && d.status === 'open'),
    now,
    cmd.by,
  );
}
