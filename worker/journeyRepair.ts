/**
 * Repairs a journey whose history no longer replays.
 *
 * After a worker is killed, sdk-core can hand the fresh worker a task's events in two activations
 * live and in one on every later replay (README, "Reliability and security"). Rarely, the journey
 * then took its decisions in an order that replay cannot reproduce, and every later task fails
 * with a non-determinism error ([TMPRL1100]): the journey is stuck, its timers fire into nothing.
 *
 * The repair is Temporal's own: reset the workflow to the last task completed before the event
 * that diverged. The new run replays everything up to that point, takes the rest live again, and
 * the signals received after the point are re-applied (commands carry their own send time, so
 * they are decided as before). Activities re-run are idempotent (audit by sequence, notifications
 * by step, read model by revision, caseload places by journey). The journey keeps its id.
 *
 * The worker learns of the failure from sdk-core's own warning (`Failing workflow task`, with the
 * run id), forwarded to this process's logger (worker/runtime.ts). A failed task is retried and
 * warned about again, so a repair interrupted by a crash is tried again by the next worker.
 */
import { createHash } from 'node:crypto';
import Long from 'long';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
// CommonJS whose exports Node's ESM loader cannot name: take the namespace from the default export.
import proto, { type temporal as protos } from '@temporalio/proto';

const { temporal } = proto;

type HistoryEvent = protos.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** The workflow type this repair is allowed to reset; nothing else is touched. */
const JOURNEY_WORKFLOW_TYPE = 'careJourney';

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a failing task's message is a replay divergence (and not, say, a bug that throws). */
export const isReplayDivergence = (failure: string): boolean => failure.includes('[TMPRL1100]');

/**
 * The event a reset should go back to: the last completed workflow task before the first event
 * that replay could not reproduce (named in the failure as `HistoryEvent(id: N, …)`). Undefined when
 * the failure names no event or no task completed before it — such a journey is left for a person.
 */
export function resetPointFor(events: readonly HistoryEvent[], failure: string): number | undefined {
  const diverged = /HistoryEvent\(id: (\d+)/.exec(failure);
  if (!diverged) return undefined;
  const at = Number(diverged[1]);
  let point: number | undefined;
  for (const e of events) {
    const id = Number(e.eventId);
    if (id >= at) break;
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) point = id;
  }
  return point;
}

export type RepairOutcome =
  | { repaired: true; resetTo: number; newRunId: string }
  | {
      repaired: false;
      reason:
        'not-a-divergence' | 'not-found' | 'not-a-journey' | 'no-reset-point' | 'too-many-resets' | 'already-moved-on';
    };

export interface JourneyRepairOptions {
  client: Client;
  log: Logger;
  /** Resets allowed per workflow per hour, so a journey that diverges again and again waits for a person. */
  maxResetsPerHour?: number;
  /** How long visibility may take to list a run that just started failing. */
  findTimeoutMs?: number;
}

export class JourneyRepair {
  private readonly inFlight = new Set<string>();
  private readonly resets = new Map<string, number[]>();
  private readonly maxResetsPerHour: number;
  private readonly findTimeoutMs: number;
  readonly done: Promise<RepairOutcome>[] = [];

  constructor(private readonly opts: JourneyRepairOptions) {
    this.maxResetsPerHour = opts.maxResetsPerHour ?? 3;
    this.findTimeoutMs = opts.findTimeoutMs ?? 30_000;
  }

  /** Called for every failing workflow task this worker reports; repairs in the background. */
  notice(runId: string, failure: string): void {
    if (!isReplayDivergence(failure) || this.inFlight.has(runId)) return;
    this.inFlight.add(runId);
    const repair = this.repair(runId, failure)
      .catch((error: Error) => {
        // Logged, not thrown: the task fails again shortly and the repair is tried again then.
        this.opts.log.warn('journey repair failed; it is tried again when the task next fails', {
          runId,
          error: error.message,
        });
        return { repaired: false, reason: 'already-moved-on' } as const;
      })
      .finally(() => this.inFlight.delete(runId));
    this.done.push(repair);
    // Only the latest hundred are kept for tests to await; older ones have settled long ago.
    if (this.done.length > 100) void this.done.splice(0, this.done.length - 100);
  }

  async repair(runId: string, failure: string): Promise<RepairOutcome> {
    if (!isReplayDivergence(failure)) return { repaired: false, reason: 'not-a-divergence' };
    if (!RUN_ID.test(runId)) return { repaired: false, reason: 'not-found' };
    const run = await this.find(runId);
    if (!run) return { repaired: false, reason: 'not-found' };
    if (run.type !== JOURNEY_WORKFLOW_TYPE) return { repaired: false, reason: 'not-a-journey' };
    const { client, log } = this.opts;
    const handle = client.workflow.getHandle(run.workflowId, runId);
    const { events } = await handle.fetchHistory();
    const resetTo = resetPointFor(events ?? [], failure);
    if (resetTo === undefined) {
      log.error('journey stuck on a replay divergence with no point to reset to; it needs a person', { runId });
      return { repaired: false, reason: 'no-reset-point' };
    }
    const hour = Date.now() - 3_600_000;
    const recent = (this.resets.get(run.workflowId) ?? []).filter((t) => t > hour);
    if (recent.length >= this.maxResetsPerHour) {
      log.error('journey diverged again after repeated repairs; left for a person', {
        runId,
        resetsThisHour: recent.length,
      });
      return { repaired: false, reason: 'too-many-resets' };
    }
    try {
      const { runId: newRunId } = await client.workflowService.resetWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: run.workflowId, runId },
        reason: `carepath repair: replay diverged after a worker restart; reset to workflow task ${resetTo}`,
        workflowTaskFinishEventId: Long.fromNumber(resetTo),
        // The same failure seen twice (two workers, or a retry) asks for the same reset once.
        requestId: uuidFrom(`${runId}:${resetTo}`),
        resetReapplyType: temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL,
      });
      this.resets.set(run.workflowId, [...recent, Date.now()]);
      // Run ids only: the workflow id carries a (pseudonymous) patient key and stays out of logs.
      log.warn('journey repaired: reset past a replay divergence', { runId, resetTo, newRunId });
      return { repaired: true, resetTo, newRunId: newRunId ?? '' };
    } catch (error) {
      // Someone (another worker, an operator) got there first: the run is no longer the current one.
      if (
        error instanceof WorkflowNotFoundError ||
        /not (found|running)|is not current|already completed/i.test((error as Error).message)
      ) {
        return { repaired: false, reason: 'already-moved-on' };
      }
      throw error;
    }
  }

  /** The run's workflow id and type: the failure names only the run. */
  private async find(runId: string): Promise<{ workflowId: string; type: string } | undefined> {
    const until = Date.now() + this.findTimeoutMs;
    for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
      for await (const w of this.opts.client.workflow.list({
        query: `RunId = '${runId}' AND ExecutionStatus = 'Running'`,
      })) {
        return { workflowId: w.workflowId, type: w.type };
      }
      if (Date.now() > until) return undefined;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
