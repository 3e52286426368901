/**
 * The clinical record: what DynamoDB keeps of a journey, so that it can be read for years after
 * Temporal has forgotten the workflow (ADR 0009).
 *
 * It has two parts, both written by the journey through `recordJourney`:
 * - **entries**, append-only: every timeline entry a person (or a hospital feed) caused, with what
 *   they entered, whole (`content`): the command, referral or hospital event as accepted. Nothing
 *   entered is summarised away; a later entry never replaces an earlier one.
 * - **the snapshot**: the journey's state at its latest revision, which is what every read answers
 *   from (`GET /journeys/{id}`, the FHIR export, the dashboard). It is the workflow's state without
 *   its working parts (the outbox and the recent ADT ids), so the view read from the record is the
 *   view the live journey would give.
 *
 * Pure and deterministic: the workflow calls `attachContent` and `snapshotOf`.
 */
import type { JourneyState, RecordContent, TimelineEntry } from './journeyState.js';

/** The journey's state as recorded: all of it but the workflow's working parts. */
export type JourneySnapshot = Omit<JourneyState, 'outbox' | 'seenControlIds'>;

/** One entry of the record: a timeline entry with what was entered to cause it. */
export type RecordEntry = TimelineEntry & { content: RecordContent };

export const isRecordEntry = (e: TimelineEntry): e is RecordEntry => e.content !== undefined;

/** The timeline entry as the audit trail keeps it: no free text beyond the entry's own detail. */
export const auditCopy = ({ content: _content, ...entry }: TimelineEntry): TimelineEntry => entry;

/**
 * Gives the first timeline entry after `seq` what was entered to cause it. `value` is copied as
 * plain JSON (no `undefined`, no shared references), so the record holds what was accepted even if
 * the state it went into changes later.
 */
export function attachContent(
  s: JourneyState,
  seq: number,
  kind: RecordContent['kind'],
  type: string,
  value: unknown,
): void {
  const entry = s.timeline.find((e) => e.seq > seq);
  if (!entry) return;
  entry.content = { kind, type, value: JSON.parse(JSON.stringify(value ?? null)) as unknown };
}

export function snapshotOf(s: JourneyState): JourneySnapshot {
  const { outbox: _outbox, seenControlIds: _seen, ...rest } = s;
  return { ...rest, timeline: s.timeline.map(auditCopy) };
}

/** The state a snapshot was taken of, as the domain's views and checks take it. */
export const stateOf = (snapshot: JourneySnapshot): JourneyState => ({ ...snapshot, outbox: [], seenControlIds: [] });

/** A correction beside an entry: it was entered in error, said who, when and why. */
export interface EnteredInErrorMark {
  seq: number;
  reason: string;
  by: string;
  role: string;
  at: string;
}

/**
 * The journey view as the record has it: the live journey's view, with every entry people have
 * marked as entered in error listed, and marked where the view shows it (the timeline, the
 * contacts, the reviews and the outcome measures). A marked entry is shown, not hidden: it
 * happened, and was wrong.
 */
export function markedInError<
  V extends {
    timeline: { seq: number }[];
    contacts: { seq?: number }[];
    reviews: { seq?: number }[];
    measures?: { seq?: number }[];
  },
>(view: V, marks: EnteredInErrorMark[]) {
  const bySeq = new Map(marks.map((m) => [m.seq, m]));
  const mark = <T extends { seq?: number }>(item: T) => {
    const m = item.seq === undefined ? undefined : bySeq.get(item.seq);
    return m ? { ...item, enteredInError: m } : item;
  };
  return {
    ...view,
    timeline: view.timeline.map(mark),
    contacts: view.contacts.map(mark),
    reviews: view.reviews.map(mark),
    ...(view.measures ? { measures: view.measures.map(mark) } : {}),
    enteredInError: marks,
  };
}

/** Years a closed record is kept when its programme does not say (NHS Records Management Code, adults). */
export const DEFAULT_RETENTION_YEARS = 8;

/** When a closed journey's record may be deleted: its programme's retention after closure. */
export function retainUntil(s: Pick<JourneyState, 'closure' | 'programme'>): string | undefined {
  if (!s.closure) return undefined;
  const until = new Date(s.closure.at);
  until.setUTCFullYear(until.getUTCFullYear() + (s.programme.retention?.yearsAfterClosure ?? DEFAULT_RETENTION_YEARS));
  return until.toISOString();
}
