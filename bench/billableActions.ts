/**
 * What a journey costs on Temporal Cloud, read from its real histories: billable actions by the
 * kind of event that bills them, and the size of the history an open journey keeps active.
 *
 * Temporal Cloud bills an action for (docs.temporal.io/cloud/actions): a workflow started (by a
 * client, signal-with-start or continue-as-new), each signal, each timer started, each search
 * attribute upsert, each activity attempt, and each query a worker answers. Patch markers are not
 * billed (only Go and Java record side effects), and neither is the upsert of
 * `TemporalChangeVersion` that sdk-core adds to a run's first use of each patch, nor search
 * attributes set when a workflow starts (docs.temporal.io/cloud/actions, "Search Attribute upsert
 * requested"). Queries leave no event, so the caller counts the ones the API sent and adds them.
 */
import type { Client } from '@temporalio/client';
// CommonJS whose exports Node's ESM loader cannot name: take the namespace from the default export.
import proto, { type temporal as protos } from '@temporalio/proto';

const { temporal } = proto;
type HistoryEvent = protos.api.history.v1.IHistoryEvent;
const E = temporal.api.enums.v1.EventType;

export type ActionKind = 'workflowStarted' | 'signal' | 'timer' | 'searchAttributeUpsert' | 'activityAttempt' | 'query';
export type Actions = Record<ActionKind, number>;

export const noActions = (): Actions => ({
  workflowStarted: 0,
  signal: 0,
  timer: 0,
  searchAttributeUpsert: 0,
  activityAttempt: 0,
  query: 0,
});

/** The billable actions one run's history records, by kind (queries excepted: they leave no event). */
export function actionsIn(events: readonly HistoryEvent[]): Actions {
  const a = noActions();
  for (const e of events) {
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        a.workflowStarted += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        a.signal += 1;
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        a.timer += 1;
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        if (!onlyChangeVersion(e)) a.searchAttributeUpsert += 1;
        break;
      // An activity is scheduled once and started once, with the attempt it finally ran as: each
      // attempt before it was billed too.
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        a.activityAttempt += Math.max(1, e.activityTaskStartedEventAttributes?.attempt ?? 1);
        break;
    }
  }
  return a;
}

/** Whether an upsert is sdk-core's record of the patches a run used, which Temporal Cloud does not bill. */
const onlyChangeVersion = (e: HistoryEvent): boolean => {
  const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
  return fields.length > 0 && fields.every((k) => k === 'TemporalChangeVersion');
};

export const addActions = (into: Actions, more: Partial<Actions>): Actions => {
  for (const [k, v] of Object.entries(more)) into[k as ActionKind] += v ?? 0;
  return into;
};

export const totalActions = (a: Actions): number => Object.values(a).reduce((n, v) => n + v, 0);

/** The encoded size of a history, as Temporal stores and sends it. */
export const historyBytes = (events: readonly HistoryEvent[]): number =>
  temporal.api.history.v1.History.encode({ events: [...events] }).finish().length;

/**
 * Every run of a workflow, newest first, followed back through continue-as-new: the current run
 * and the runs it continued from. Each entry is that run's history.
 */
export async function runsOf(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const { events = [] } = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(events ?? []);
    const previous = events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}
