/**
 * careJourney — one patient's episode in one care co-ordination programme, from referral to
 * closure, as a durable Temporal workflow.
 *
 *   referred → triage → assessment → care-planning → active ⇄ in-hospital → closed
 *
 * Handlers only check and change state (the rules live in domain/journey.ts). The main loop
 * finds the earliest escalation step of every open deadline, sleeps until it or until something
 * changes, fires what is due, carries out queued side effects through activities, writes the
 * audit trail and read model, and goes round again. One timer at a time; every due time is data,
 * so continue-as-new and worker restarts lose none.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { JourneyActivities } from '../activities/contract.js';
import * as c from '../domain/commands.js';
import { nextStepAt } from '../domain/deadlines.js';
import * as J from '../domain/journey.js';
import type { Programme } from '../domain/programme.js';
import { journeyReferralSchema, type JourneyReferral } from '../domain/referral.js';
import { journeySummary } from '../domain/views.js';
import * as SA from '../domain/searchAttributes.js';

// ---- Messages -------------------------------------------------------------------------------
export const referralSignal = defineSignal<[JourneyReferral]>('referral');
export const hospitalEventSignal = defineSignal<[c.HospitalEvent]>('hospitalEvent');
/** Waits until a referral sent by signal-with-start has been taken in, and says what became of it. */
export const referralStatusUpdate = defineUpdate<ReferralStatus, [string]>('referralStatus');
export const triageUpdate = defineUpdate<UpdateReceipt, [c.By<c.TriageCommand>]>('triage');
export const assessmentUpdate = defineUpdate<UpdateReceipt, [c.By<c.AssessmentCommand>]>('assessment');
export const carePlanUpdate = defineUpdate<UpdateReceipt, [c.By<c.CarePlanCommand>]>('carePlan');
export const completeActionUpdate = defineUpdate<UpdateReceipt, [c.By<c.CompleteActionCommand>]>('completeAction');
export const reviewUpdate = defineUpdate<UpdateReceipt, [c.By<c.ReviewCommand>]>('review');
export const contactUpdate = defineUpdate<UpdateReceipt, [c.By<c.ContactCommand>]>('contact');
export const reassignUpdate = defineUpdate<UpdateReceipt, [c.By<c.ReassignCommand>]>('reassign');
export const closeUpdate = defineUpdate<UpdateReceipt, [c.By<c.CloseCommand>]>('close');
export const journeyQuery = defineQuery<J.JourneyState>('journey');

/**
 * What an update answers: enough to confirm it took effect. Callers query for the journey itself,
 * which keeps the whole state out of every update's history event.
 */
export interface UpdateReceipt {
  journeyId: string;
  phase: c.Phase;
  revision: number;
}

export type ReferralStatus =
  | { journeyId: string; merged: boolean; phase: c.Phase }
  /** It arrived as the journey closed: it opens the next episode, which the caller should ask about. */
  | { nextEpisode: true };

export type CareJourneyInput = {
  /** Workflow history length at which the journey continues as new (Temporal may suggest sooner). */
  maxHistoryEvents?: number;
} & (
  | { start: { patientId: string; programme: Programme; teamId: string }; referrals?: JourneyReferral[] }
  | { resume: J.JourneyState }
);

export interface JourneyResult {
  journeyId: string;
  closure: J.JourneyState['closure'];
}

const acts = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a DynamoDB outage delays the journey's side effects, it never drops them.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function careJourney(input: CareJourneyInput): Promise<JourneyResult> {
  const info = workflowInfo();
  const s: J.JourneyState =
    'resume' in input
      ? input.resume
      : J.newJourney(
          { ...input.start, workflowId: info.workflowId, journeyId: `${info.workflowId}.${info.runId.replace(/-/g, '').slice(0, 12)}` },
          Date.now(),
        );
  const ladder = s.programme.escalation;
  const lateReferrals: JourneyReferral[] = [];
  let changed = true;

  /** Runs a rule in a signal or update handler and wakes the main loop. */
  const apply = (rule: (now: number) => void): UpdateReceipt => {
    rule(Date.now());
    changed = true;
    return receipt();
  };
  const receipt = (): UpdateReceipt => ({ journeyId: s.journeyId, phase: s.phase, revision: s.counters.revision });
  /**
   * A co-ordinator action: the validator parses the command and checks it fits the journey, so a
   * rejected update never reaches history and changes nothing; the handler then applies the rule.
   */
  function on<A>(update: UpdateDefinition<UpdateReceipt, [A]>, schema: z.ZodType<A>, fits: (cmd: A, now: number) => void, rule: (cmd: A, now: number) => void): void {
    setHandler(update, (raw) => apply((now) => rule(schema.parse(raw), now)), {
      validator: (raw) => {
        try {
          fits(schema.parse(raw), Date.now());
        } catch (error) {
          throw asFailure(error);
        }
      },
    });
  }

  setHandler(journeyQuery, () => s);
  setHandler(referralSignal, (referral) => {
    const parsed = journeyReferralSchema.safeParse(referral);
    if (!parsed.success) return log.warn('referral signal ignored: invalid', { journeyId: s.journeyId });
    if (s.phase === 'closed') lateReferrals.push(parsed.data);
    else apply((now) => J.receiveReferral(s, parsed.data, now));
    changed = true;
  });
  setHandler(hospitalEventSignal, (event) => {
    const parsed = c.hospitalEventSchema.safeParse(event);
    if (!parsed.success) return log.warn('hospital event ignored: invalid', { journeyId: s.journeyId });
    apply((now) => J.hospitalEvent(s, parsed.data, now));
  });
  setHandler(referralStatusUpdate, async (referralId) => {
    const isLate = () => lateReferrals.some((r) => r.referralId === referralId);
    await condition(() => s.referrals.some((r) => r.referralId === referralId) || isLate());
    if (isLate()) return { nextEpisode: true };
    return { journeyId: s.journeyId, merged: s.referrals[0]!.referralId !== referralId, phase: s.phase };
  });

  on(triageUpdate, c.withActor(c.triageCommand), () => J.checkTriage(s), (cmd, now) => J.decideTriage(s, cmd, now));
  on(assessmentUpdate, c.withActor(c.assessmentCommand), () => J.checkAssessment(s), (cmd, now) => J.recordAssessment(s, cmd, now));
  on(carePlanUpdate, c.withActor(c.carePlanCommand), (cmd, now) => J.checkCarePlan(s, cmd, now), (cmd, now) => J.agreeCarePlan(s, cmd, now));
  on(completeActionUpdate, c.withActor(c.completeActionCommand), (cmd) => J.checkCompleteAction(s, cmd), (cmd, now) => J.completeAction(s, cmd, now));
  on(reviewUpdate, c.withActor(c.reviewCommand), () => J.checkReview(s), (cmd, now) => J.recordReview(s, cmd, now));
  on(contactUpdate, c.withActor(c.contactCommand), (cmd, now) => J.checkContact(s, cmd, now), (cmd, now) => J.recordContact(s, cmd, now));
  on(closeUpdate, c.withActor(c.closeCommand), (cmd) => J.checkClose(s, cmd), (cmd, now) => J.close(s, cmd, now));
  // Reassignment waits for the caseload store, which may refuse: the update fails and nothing changes.
  setHandler(
    reassignUpdate,
    async (raw) => {
      const cmd = c.withActor(c.reassignCommand).parse(raw);
      const t = J.team(s);
      const { coordinatorId } = await acts.assignCoordinator({
        journeyId: s.journeyId,
        programmeId: s.programme.id,
        teamId: s.teamId,
        coordinators: t.coordinators,
        to: cmd.coordinatorId,
        from: s.coordinatorId,
      });
      if (!coordinatorId) throw ApplicationFailure.create({ type: 'capacity', message: `${cmd.coordinatorId} has no capacity`, nonRetryable: true });
      // Closed while the place was being moved: closing released the old place; give back the new one.
      if (s.phase === 'closed') s.outbox.push({ type: 'release', coordinatorId });
      else J.reassigned(s, cmd, Date.now());
      changed = true;
      return receipt();
    },
    {
      validator: (raw) => {
        try {
          J.checkReassign(s, c.withActor(c.reassignCommand).parse(raw));
        } catch (error) {
          throw asFailure(error);
        }
      },
    },
  );

  // ---- Main loop ----------------------------------------------------------------------------
  for (const referral of 'start' in input ? (input.referrals ?? []) : []) J.receiveReferral(s, referral, Date.now());
  const maxHistory = input.maxHistoryEvents ?? 2000;
  let projected = -1;
  let searchKey = '';

  for (;;) {
    changed = false;
    J.fireDueSteps(s, Date.now());
    await carryOutEffects(s);
    await writeAuditAndReadModel();
    if (s.phase === 'closed') break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistory) {
      await condition(allHandlersFinished);
      await carryOutEffects(s);
      await writeAuditAndReadModel();
      return continueAsNew<typeof careJourney>({ resume: s, maxHistoryEvents: maxHistory });
    }
    const next = nextStepAt(s.deadlines, ladder);
    if (next === undefined) await condition(() => changed);
    else if (next > Date.now()) await condition(() => changed, next - Date.now());
  }

  await condition(allHandlersFinished);
  await carryOutEffects(s);
  await writeAuditAndReadModel();
  if (lateReferrals.length > 0) {
    // Referrals that arrived while this episode closed open the next one, under the same workflow id.
    const first = lateReferrals[0]!;
    return continueAsNew<typeof careJourney>({
      start: { patientId: s.patientId, programme: s.programme, teamId: first.teamId },
      referrals: lateReferrals,
      maxHistoryEvents: maxHistory,
    });
  }
  return { journeyId: s.journeyId, closure: s.closure };

  async function writeAuditAndReadModel(): Promise<void> {
    const pending = s.timeline.filter((e) => e.seq > s.counters.audited);
    if (pending.length > 0) {
      await acts.appendAudit({ journeyId: s.journeyId, programmeId: s.programme.id, teamId: s.teamId, events: pending });
      s.counters.audited = pending.at(-1)!.seq;
    }
    if (projected !== s.counters.revision) {
      projected = s.counters.revision;
      await acts.projectJourney(journeySummary(s, Date.now()));
    }
    const next = J.nextDueAt(s);
    const attributes = [
      { key: SA.CarePhase, value: s.phase },
      { key: SA.CareTeam, value: s.teamId },
      { key: SA.CareProgramme, value: s.programme.id },
      { key: SA.RiskTier, value: s.risk.tier },
      { key: SA.CareCoordinator, value: s.coordinatorId ?? 'unassigned' },
      { key: SA.NextDueAt, value: next ? new Date(next) : null },
    ] as const;
    const key = JSON.stringify(attributes.map((a) => a.value));
    if (key !== searchKey) {
      searchKey = key;
      upsertSearchAttributes(attributes.map(({ key, value }) => ({ key, value })) as Parameters<typeof upsertSearchAttributes>[0]);
    }
  }
}

/** Carries out queued side effects in order; each is removed only once its activity succeeded. */
async function carryOutEffects(s: J.JourneyState): Promise<void> {
  while (s.outbox.length > 0) {
    const effect = s.outbox[0]!;
    if (effect.type === 'notify') await acts.notify(effect.notification);
    else if (effect.type === 'release') await acts.releaseCoordinator({ journeyId: s.journeyId, teamId: s.teamId, coordinatorId: effect.coordinatorId });
    else {
      const t = J.team(s);
      const { coordinatorId } = await acts.assignCoordinator({ journeyId: s.journeyId, programmeId: s.programme.id, teamId: t.id, coordinators: t.coordinators });
      s.outbox.shift();
      J.assigned(s, coordinatorId, Date.now());
      continue;
    }
    s.outbox.shift();
  }
}

/** Rule errors become typed failures the API maps to HTTP: `phase` → 409, `not-found` → 404, `invalid` → 422. */
function asFailure(error: unknown): ApplicationFailure {
  if (error instanceof J.JourneyRuleError) return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
  if (error && typeof error === 'object' && 'issues' in error) {
    const issues = (error as { issues: { path: PropertyKey[]; message: string }[] }).issues;
    const message = issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`).join('; ');
    return ApplicationFailure.create({ type: 'invalid', message, details: [issues.map((i) => ({ path: i.path.map(String), message: i.message }))], nonRetryable: true });
  }
  return ApplicationFailure.create({ type: 'invalid', message: String(error), nonRetryable: true });
}
