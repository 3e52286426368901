/**
 * The alarm for a journey stuck on a replay divergence (ADR 0012, docs/operations.md).
 *
 * sdk-core counts every workflow task it fails in `workflow_task_execution_failed`, with the reason
 * in `failure_reason`; a non-determinism error (`[TMPRL1100]`) is one the journey cannot get past
 * by itself. The worker drains sdk-core's metrics buffer and, for every interval in which such a
 * task failed, logs one error line. That line is the alarm: locally it is in the worker's output,
 * and in AWS a CloudWatch metric filter counts it and the `journey-replay-diverged` alarm fires
 * (cdk/monitoring.ts). Nothing resets the journey: an operator decides, with `npm run journeys:reset`.
 *
 * The line names only counts and the workflow type: the metric carries no workflow or run id, and
 * the operator's command finds the journeys itself.
 */
import type { Logger } from '@temporalio/common';
import type { MetricsBuffer } from '@temporalio/worker';

/** The phrase the CloudWatch metric filter matches (cdk/monitoring.ts): change both together. */
export const NONDETERMINISM_ALARM = 'journey replay diverged';

export interface NondeterminismAlarm {
  /** Drains the buffer now; answers the non-determinism failures it found. */
  check(): number;
  /** Non-determinism failures seen since the worker started. */
  readonly total: number;
  stop(): void;
}

export function watchForNondeterminism(buffer: MetricsBuffer, log: Logger, intervalMs = 15_000): NondeterminismAlarm {
  let total = 0;
  const check = (): number => {
    let failed = 0;
    const types = new Set<string>();
    for (const update of buffer.retrieveUpdates()) {
      if (!update.metric.name.endsWith('workflow_task_execution_failed')) continue;
      if (!/nondetermin/i.test(String(update.attributes.failure_reason ?? ''))) continue;
      failed += update.value;
      types.add(String(update.attributes.workflow_type ?? 'unknown'));
    }
    if (failed > 0) {
      total += failed;
      log.error(
        `${NONDETERMINISM_ALARM}: workflow tasks are failing with a non-determinism error; the journeys are stuck until an operator acts (docs/operations.md, "A journey stuck on a replay divergence")`,
        {
          metric: 'workflow_task_execution_failed',
          failureReason: 'NonDeterminismError',
          failedTasks: failed,
          workflowTypes: [...types],
        },
      );
    }
    return failed;
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return {
    check,
    get total() {
      return total;
    },
    stop: () => clearInterval(timer),
  };
}
