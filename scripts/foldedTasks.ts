/**
 * Histories with an empty workflow task put in, and sdk-core's rule for which tasks it folds on
 * replay.
 *
 * Where a real server can write an empty task. The server schedules a workflow task for an event (a
 * signal, a timer firing, an activity's result), which it writes before the task's
 * WORKFLOW_TASK_STARTED; the only task with no event of its own is one the completion before it
 * forced (`force_create_new_workflow_task`: sdk-core sets it only to keep a local activity alive,
 * crates/sdk-core/src/worker/workflow/managed_run.rs; or an operator's admin call). A forced task
 * is scheduled as that completion is written, so its WORKFLOW_TASK_SCHEDULED follows the completion
 * and its own command events at once: nothing else can lie between. `withEmptyTasks` puts one only
 * there, before each signal and timer firing that comes next. Journeys use no local activities and
 * no updates, so their worker never forces one, and the dev server writes none (0 in the chaos
 * runs' histories); the time-skipping server writes many (the fixtures; among them one for each
 * query, which a real server answers without writing to the history).
 *
 * What sdk-core does with one (`foldedByCore`). Live, a task with no new event gives an activation
 * with no jobs, which sdk-core completes without waking the workflow (`ActivationOrAuto::Autocomplete`,
 * managed_run.rs). On replay it folds a task into the next only when the completion is followed at
 * once by the next task's WORKFLOW_TASK_SCHEDULED and no command event has been written since the
 * logical task began: the folded task's events then reach the workflow with the next task's. An
 * empty task after a task that wrote commands is not folded: it is a logical task of its own, with
 * no jobs. A journey that decides only from what its messages and timers carry replays the same
 * either way (the recorded fixtures here, every chaos run's histories in scripts/chaosCheck.ts);
 * one that decides from its history length does not (tests/replay/foldedTasks.test.ts).
 */
type Event = { eventId: string; eventTime: string; eventType: string; [attributes: string]: unknown };
export type HistoryJson = { events: Event[] };

const WFT = 'EVENT_TYPE_WORKFLOW_TASK_';
const closesTask = new Set([`${WFT}COMPLETED`, `${WFT}FAILED`, `${WFT}TIMED_OUT`]);
const foldedBefore = new Set(['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_TIMER_FIRED']);
/** Events a task's own commands write: after only these, nothing has happened since the task. */
const ofCommands = new Set(
  [
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_CANCEL_REQUESTED',
    'TIMER_STARTED',
    'TIMER_CANCELED',
    'MARKER_RECORDED',
    'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    'WORKFLOW_PROPERTIES_MODIFIED',
  ].map((t) => `EVENT_TYPE_${t}`),
);

/** A copy of `history` with the empty tasks put in, and how many; every event id, and every reference to one, renumbered. */
export function withEmptyTasks(history: HistoryJson): { history: HistoryJson; inserted: number } {
  const out: { event: Event; original: boolean }[] = [];
  const newId = new Map<string, string>();
  const nextId = () => String(out.length + 1);
  let inTask = false;
  /** Whether anything but the last task's commands has happened since it completed. */
  let happened = false;
  let last: { scheduled?: Event; started?: Event; completed?: Event } = {};
  let inserted = 0;
  for (const event of history.events) {
    if (foldedBefore.has(event.eventType) && !inTask && !happened && last.completed) {
      // A copy of the last task, with nothing in it: scheduled, started, completed with no commands.
      const at = out.at(-1)!.event.eventTime;
      const scheduled = nextId();
      const started = String(Number(scheduled) + 1);
      const { sdkMetadata: _flags, ...completed } = last.completed.workflowTaskCompletedEventAttributes as object & {
        sdkMetadata?: unknown;
      };
      for (const e of [
        { ...last.scheduled!, eventTime: at },
        {
          ...last.started!,
          eventTime: at,
          workflowTaskStartedEventAttributes: {
            ...(last.started!.workflowTaskStartedEventAttributes as object),
            scheduledEventId: scheduled,
          },
        },
        {
          ...last.completed,
          eventTime: at,
          workflowTaskCompletedEventAttributes: { ...completed, scheduledEventId: scheduled, startedEventId: started },
        },
      ])
        out.push({ event: { ...e, eventId: nextId() }, original: false });
      inserted += 1;
    }
    newId.set(event.eventId, nextId());
    out.push({ event, original: true });
    if (event.eventType === `${WFT}SCHEDULED`) {
      inTask = true;
      last = { scheduled: event };
    }
    if (event.eventType === `${WFT}STARTED`) last.started = event;
    if (closesTask.has(event.eventType)) inTask = false;
    if (event.eventType === `${WFT}COMPLETED`) {
      last.completed = event;
      happened = false;
    } else if (!inTask && !ofCommands.has(event.eventType) && !event.eventType.startsWith(WFT)) happened = true;
  }
  const renumber = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(renumber);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k.endsWith('EventId') && typeof x === 'string' ? (newId.get(x) ?? x) : renumber(x),
      ]),
    );
  };
  return {
    history: {
      events: out.map(({ event, original }, i) => ({
        ...(original ? (renumber(event) as Event) : event),
        eventId: String(i + 1),
      })),
    },
    inserted,
  };
}

/** The event types sdk-core counts as written by a command (`is_command_event`, crates/protos/src/protos/mod.rs). */
const commandEvents = new Set(
  [
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_CANCEL_REQUESTED',
    'MARKER_RECORDED',
    'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    'TIMER_CANCELED',
    'TIMER_STARTED',
    'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    'WORKFLOW_PROPERTIES_MODIFIED',
    'NEXUS_OPERATION_SCHEDULED',
    'NEXUS_OPERATION_CANCEL_REQUESTED',
    'WORKFLOW_EXECUTION_CANCELED',
    'WORKFLOW_EXECUTION_COMPLETED',
    'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    'WORKFLOW_EXECUTION_FAILED',
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'WORKFLOW_EXECUTION_UPDATE_REJECTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ].map((t) => `EVENT_TYPE_${t}`),
);
const endsAttempt =
  /^EVENT_TYPE_(WORKFLOW_TASK_(FAILED|TIMED_OUT)|WORKFLOW_EXECUTION_(TIMED_OUT|TERMINATED|CANCELED))$/;

/**
 * The workflow tasks sdk-core folds into the next one on replay, by the eventId of their
 * WORKFLOW_TASK_STARTED: sdk-core's rule for where a logical workflow task ends
 * (`find_end_index_of_next_wft_seq`, crates/sdk-core/src/worker/workflow/history_update.rs in
 * @temporalio/core-bridge 1.24), for a whole history in hand and no updates. A logical task runs
 * from the event after the last one's WORKFLOW_TASK_STARTED to the next WORKFLOW_TASK_STARTED, but
 * passes over a task whose attempt failed or timed out, and one whose completion is followed at
 * once by WORKFLOW_TASK_SCHEDULED (no commands, nothing since) while no command event has been
 * written since the logical task began: that one is folded.
 */
export function foldedByCore(history: HistoryJson): string[] {
  const events = history.events;
  const folded: string[] = [];
  let sawCommand = false;
  for (const [i, event] of events.entries()) {
    if (commandEvents.has(event.eventType)) sawCommand = true;
    if (event.eventType !== `${WFT}STARTED`) continue;
    const next = events[i + 1]?.eventType;
    if (next && endsAttempt.test(next)) continue;
    if (next === `${WFT}COMPLETED` && !sawCommand && events[i + 2]?.eventType === `${WFT}SCHEDULED`) {
      folded.push(event.eventId);
      continue;
    }
    sawCommand = false; // the logical task ends here; the next begins after it
  }
  return folded;
}
