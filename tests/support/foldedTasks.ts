/**
 * Histories with an empty workflow task before every signal and timer that arrives when nothing
 * has happened since the last task but its own commands, as the server can force one (sdk-core's arch_docs/workflow_task_chunking.md). Live, the workflow
 * was woken for it and did nothing; on replay sdk-core folds it into the task before, so the
 * workflow sees the next message one activation sooner and a longer history when it does. A
 * journey that decides only from what its messages and timers carry replays the same either way.
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
