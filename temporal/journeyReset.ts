/**
 * Resetting journeys, by an operator and never by the worker (ADR 0012, docs/operations.md
 * "A journey stuck on a replay divergence").
 *
 * A journey whose history no longer replays (`[TMPRL1100]`, a non-determinism error) stops: every
 * workflow task fails and its timers fire into nothing. The worker reports it (the nondeterminism
 * alarm, worker/nondeterminismAlarm.ts) and waits for a person, because the cure is a decision:
 * a divergence after an unpatched deploy is fixed by rolling the deploy back, not by resetting the
 * fleet. When a reset is the cure, Temporal's own reset is used: the workflow goes back to a
 * completed workflow task, replays everything up to it, takes the rest live again, and the signals
 * received since are re-applied. Everything the journey does again is done once: notifications by
 * their id (activities/journeyStore.ts, `deliverOnce`), audit entries by sequence, the read model
 * by revision, caseload places by journey.
 *
 * This file plans and carries out resets; scripts/resetJourneys.ts is the command.
 */
import { createHash } from 'node:crypto';
import Long from 'long';
import type { Client } from '@temporalio/client';
// CommonJS whose exports Node's ESM loader cannot name: take the namespace from the default export.
import proto, { type temporal as protos } from '@temporalio/proto';

const { temporal } = proto;
type HistoryEvent = protos.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;
const NON_DETERMINISTIC =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

/** The workflow type these resets are allowed to touch; nothing else is. */
export const JOURNEY_WORKFLOW_TYPE = 'careJourney';

/** Where to reset to: past the divergence the history records, to the first task, or to a task by event id. */
export type ResetTarget = 'divergence' | 'first-task' | number;

export type ResetPlan =
  | {
      workflowId: string;
      runId: string;
      /** The WorkflowTaskCompleted event the new run continues from. */
      resetTo: number;
      /** Events after it that the new run takes again (signals re-applied, the rest decided anew). */
      eventsRedone: number;
      why: string;
    }
  | { workflowId: string; runId?: string; cannot: string };

/** Whether a failure message is a replay divergence (and not, say, a bug that throws). */
export const isReplayDivergence = (failure: string): boolean => failure.includes('[TMPRL1100]');

/**
 * The last completed workflow task before the first event replay could not reproduce, which the
 * failure names as `HistoryEvent(id: N, …)`. Undefined when it names none, or no task completed before.
 */
export function resetPointFor(events: readonly HistoryEvent[], failure: string): number | undefined {
  const diverged = /HistoryEvent\(id: (\d+)/.exec(failure);
  if (!diverged) return undefined;
  return lastTaskBefore(events, Number(diverged[1]));
}

function lastTaskBefore(events: readonly HistoryEvent[], before: number): number | undefined {
  let point: number | undefined;
  for (const e of events) {
    const id = Number(e.eventId);
    if (id >= before) break;
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) point = id;
  }
  return point;
}

/** The latest replay divergence the history records: sdk-core's failure of the first attempt of a task. */
export function divergenceIn(events: readonly HistoryEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const failed = events[i]!.workflowTaskFailedEventAttributes;
    if (!failed) continue;
    const message = failed.failure?.message ?? '';
    if (failed.cause === NON_DETERMINISTIC || isReplayDivergence(message)) return message;
  }
  return undefined;
}

/** Plans the reset of one journey's current run; changes nothing. */
export async function planReset(client: Client, workflowId: string, to: ResetTarget): Promise<ResetPlan> {
  const handle = client.workflow.getHandle(workflowId);
  let described;
  try {
    described = await handle.describe();
  } catch (error) {
    return { workflowId, cannot: `not found (${(error as Error).message})` };
  }
  const { runId } = described;
  if (described.type !== JOURNEY_WORKFLOW_TYPE)
    return { workflowId, runId, cannot: `not a journey (${described.type})` };
  if (described.status.name !== 'RUNNING')
    return { workflowId, runId, cannot: `not running (${described.status.name})` };
  const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const last = Number(events.at(-1)?.eventId ?? 0);
  const plan = (resetTo: number | undefined, why: string): ResetPlan =>
    resetTo === undefined
      ? { workflowId, runId, cannot: why }
      : { workflowId, runId, resetTo, eventsRedone: last - resetTo, why };
  if (to === 'divergence') {
    const failure = divergenceIn(events);
    if (failure === undefined) return { workflowId, runId, cannot: 'its history records no replay divergence' };
    const resetTo = resetPointFor(events, failure);
    return plan(
      resetTo,
      resetTo === undefined
        ? `the divergence names no event with a completed task before it: ${firstLine(failure)}`
        : `replay diverged: ${firstLine(failure)}`,
    );
  }
  if (to === 'first-task') return plan(lastTaskBefore(events, firstTaskAfter(events)), 'to its first workflow task');
  const named = events.find((e) => Number(e.eventId) === to);
  if (named?.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    return { workflowId, runId, cannot: `event ${to} is not a completed workflow task of run ${runId}` };
  return plan(to, `to workflow task ${to}, as asked`);
}

/** The event just after the first completed workflow task (so the task itself is the last before it). */
function firstTaskAfter(events: readonly HistoryEvent[]): number {
  const first = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  return first ? Number(first.eventId) + 1 : 0;
}

/**
 * Carries out a plan. The request id is the plan's, so the same plan carried out twice (two
 * operators, or the command run again after a timeout) resets once. Answers the new run's id.
 */
export async function carryOutReset(
  client: Client,
  plan: Extract<ResetPlan, { resetTo: number }>,
  by: string,
): Promise<string> {
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: plan.workflowId, runId: plan.runId },
    reason: `carepath reset by ${by}: ${plan.why}`.slice(0, 1000),
    workflowTaskFinishEventId: Long.fromNumber(plan.resetTo),
    requestId: uuidFrom(`${plan.runId}:${plan.resetTo}`),
    // Signals since the reset point are applied again: referrals, hospital messages and commands
    // carry their own send time, so each is decided as it was.
    resetReapplyType: temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL,
  });
  return runId ?? '';
}

/**
 * The journeys whose workflow tasks keep failing. Servers that flag them (`TemporalReportedProblems`,
 * Temporal Cloud and recent servers) are asked for those; otherwise each running journey the query
 * lists is described, and one whose pending task is on its second attempt or later is stuck.
 */
export async function findStuckJourneys(client: Client, query?: string): Promise<string[]> {
  const base = `WorkflowType = '${JOURNEY_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${query ? ` AND (${query})` : ''}`;
  const ids: string[] = [];
  try {
    for await (const w of client.workflow.list({ query: `${base} AND TemporalReportedProblems IS NOT NULL` }))
      ids.push(w.workflowId);
    return ids;
  } catch (error) {
    // A server that does not flag them says it does not know the search attribute.
    const said = `${(error as Error).message} ${((error as Error).cause as Error | undefined)?.message ?? ''}`;
    if (!/TemporalReportedProblems/.test(said)) throw error;
  }
  const candidates: string[] = [];
  for await (const w of client.workflow.list({ query: base })) candidates.push(w.workflowId);
  for (let i = 0; i < candidates.length; i += 8) {
    const batch = candidates.slice(i, i + 8);
    const described = await Promise.all(batch.map((id) => client.workflow.getHandle(id).describe()));
    described.forEach((d, j) => {
      if ((d.raw.pendingWorkflowTask?.attempt ?? 0) >= 2) ids.push(batch[j]!);
    });
  }
  return ids;
}

const firstLine = (text: string): string => text.split('\n')[0]!.slice(0, 300);

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
