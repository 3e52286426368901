/**
 * After a chaos run: each journey's own state (queried from its workflow), its audit trail, its
 * read-model summary, its record (ADR 0009: the STATE item and the ENTRY items) and the inbox
 * records of its team, gathered as one consistent snapshot and checked against the invariants of
 * domain/invariants.ts, and against `checkRecord` below: the record is the workflow's state.
 */
import type { EmailCheck } from './chaosEmails.js';
import { isDeepStrictEqual } from 'node:util';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import type { ReadModel } from '../activities/readModel.js';
import { checkJourney, type Violation } from '../domain/invariants.js';
import { parseJourneyId } from '../domain/journeyIds.js';
import type { JourneyState, RecordContent, TimelineEntry } from '../domain/journey.js';
import type { Programme } from '../domain/programme.js';
import { auditCopy, snapshotOf, type JourneySnapshot, type RecordEntry } from '../domain/record.js';
import { journeyQuery } from '../temporal/journeyMessages.js';
import { foldedByCore, withEmptyTasks, type HistoryJson } from './foldedTasks.js';

export interface CheckResult {
  journeys: number;
  auditEvents: number;
  ladderSteps: number;
  notifications: number;
  /** ENTRY items of the checked journeys' records (each carries what was entered). */
  recordEntries: number;
  /** Journey histories replayed from the start (`checkReplays`); set by the chaos run. */
  historiesReplayed?: number;
  /** The same histories replayed with empty workflow tasks put in, and how many (`checkReplays`). */
  historiesReplayedWithEmptyTasks?: number;
  emptyTasksInserted?: number;
  /** Tasks sdk-core folds into the next on replay once the empty tasks are put in, and not before. */
  emptyTasksFolded?: number;
  /** The run's emails against its inbox items (scripts/chaosEmails.ts); set by the chaos run. */
  emails?: Omit<EmailCheck, 'violations'>;
  violations: Violation[];
}

/** A journey's record as DynamoDB holds it (`read.journeySnapshot`, `read.recordEntries`). */
export interface RecordEvidence {
  snapshot: JourneySnapshot | undefined;
  entries: RecordEntry[];
}

/**
 * What caused a timeline entry, when its type says so: the first entry a command, referral or
 * hospital event produces is the one the workflow attaches what was entered to (`attachContent`),
 * so each of these must have an ENTRY item. Entries a message produces after its first (a deadline
 * met, a closure after a review that closes) and the system's own (ladder steps, assignments,
 * automatic triage) have none. `journey.closed` is left out: it is the first entry of a close
 * command, but also follows a review that closes or a triage that declines.
 */
function enteredAs(e: TimelineEntry): (Pick<RecordContent, 'kind'> & { type?: string }) | undefined {
  if (e.type === 'referral.received' || e.type === 'referral.merged') return { kind: 'referral', type: 'referral' };
  if (e.type.startsWith('hospital.') && e.by === 'hospital-adt') return { kind: 'hospital-event' };
  const command: Record<string, string> = {
    'assessment.recorded': 'assessment',
    'care-plan.agreed': 'care-plan',
    'care-plan.revised': 'care-plan',
    'action.completed': 'complete-action',
    'review.recorded': 'review',
    'contact.recorded': 'contact',
    'coordinator.reassigned': 'reassign',
  };
  if (e.type === 'triage.decided') return e.data?.automatic === false ? { kind: 'command', type: 'triage' } : undefined;
  return command[e.type] ? { kind: 'command', type: command[e.type] } : undefined;
}

const shown = (v: unknown) => {
  const text = v === undefined ? 'absent' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Where two JSON values differ, as paths (`counters.audited`, `timeline[3].detail`). */
function differences(recorded: unknown, live: unknown, path: string, out: string[]): string[] {
  if (isDeepStrictEqual(recorded, live)) return out;
  const object = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (Array.isArray(recorded) && Array.isArray(live)) {
    if (recorded.length !== live.length)
      out.push(`${path}: ${recorded.length} items recorded, ${live.length} in the workflow`);
    for (let i = 0; i < Math.min(recorded.length, live.length); i += 1)
      differences(recorded[i], live[i], `${path}[${i}]`, out);
  } else if (object(recorded) && object(live) && !Array.isArray(recorded) && !Array.isArray(live)) {
    for (const k of new Set([...Object.keys(recorded), ...Object.keys(live)]))
      differences(recorded[k], live[k], path ? `${path}.${k}` : k, out);
  } else out.push(`${path}: recorded ${shown(recorded)}, workflow ${shown(live)}`);
  return out;
}

/**
 * The record invariant: a settled journey's record in DynamoDB is its workflow's state.
 * - the STATE item is `snapshotOf(live)`, exactly. Nothing may legitimately differ once the journey
 *   is settled: content travels on timeline entries only until they are written (`audited` = `seq`
 *   at settling, so the workflow has dropped it), and the snapshot leaves out only the outbox and
 *   the recent ADT ids, which `snapshotOf` leaves out of the live side too;
 * - the ENTRY items: one per seq, none beyond what the journey has written (`counters.audited`),
 *   each the journey's own timeline entry (the live timeline's, or the audit trail's for entries
 *   the state no longer keeps), with content of a known kind; every timeline entry a command,
 *   referral or hospital event caused (`enteredAs`) has its ENTRY, of that kind; there is one
 *   referral entry per referral the journey holds, carrying that referral as the journey took it in.
 */
export function checkRecord(
  live: JourneyState,
  record: RecordEvidence,
  audit: Pick<TimelineEntry, 'seq' | 'at' | 'type' | 'by' | 'detail' | 'data'>[] = [],
): Violation[] {
  const out: Violation[] = [];
  const fail = (detail: string) => out.push({ journeyId: live.journeyId, invariant: 'record', detail });

  if (!record.snapshot) fail(`no STATE item recorded (the workflow is at revision ${live.counters.revision})`);
  else {
    // Compared as JSON, as both were carried (the query answer and the gzipped item are JSON).
    const recorded = JSON.parse(JSON.stringify(record.snapshot)) as unknown;
    const expected = JSON.parse(JSON.stringify(snapshotOf(live))) as unknown;
    const differs = differences(recorded, expected, '', []);
    if (differs.length)
      fail(
        `STATE (revision ${record.snapshot.counters?.revision}) differs from the workflow's state (revision ${live.counters.revision}) in ${differs.length} place${differs.length === 1 ? '' : 's'}: ${differs.slice(0, 6).join('; ')}${differs.length > 6 ? '; …' : ''}`,
      );
  }

  const seqs = record.entries.map((e) => e.seq);
  const repeated = [...new Set(seqs.filter((q, i) => seqs.indexOf(q) !== i))];
  if (repeated.length) fail(`ENTRY seqs repeated: ${repeated.join(', ')}`);
  const beyond = seqs.filter((q) => !(q <= live.counters.audited));
  if (beyond.length)
    fail(`ENTRY items beyond the journey's last written event (${live.counters.audited}): ${beyond.join(', ')}`);
  const bySeq = new Map(record.entries.map((e) => [e.seq, e]));
  const timeline = new Map(live.timeline.map((e) => [e.seq, e]));
  const trail = new Map(audit.map((a) => [a.seq, a]));
  const eventFields = (e: Partial<TimelineEntry>) =>
    JSON.parse(
      JSON.stringify({ seq: e.seq, at: e.at, type: e.type, by: e.by, detail: e.detail, data: e.data }),
    ) as unknown;
  for (const entry of record.entries) {
    const own = timeline.get(entry.seq) ?? trail.get(entry.seq);
    if (!own) fail(`ENTRY ${entry.seq} (${entry.type}) is no event of the journey`);
    else if (!isDeepStrictEqual(eventFields(auditCopy(entry)), eventFields(own)))
      fail(
        `ENTRY ${entry.seq} is not the journey's event ${entry.seq}: ${differences(eventFields(auditCopy(entry)), eventFields(own), '', []).join('; ')}`,
      );
    const kind = entry.content?.kind;
    if (kind !== 'command' && kind !== 'referral' && kind !== 'hospital-event')
      fail(`ENTRY ${entry.seq} (${entry.type}) has content of no known kind: ${shown(entry.content)}`);
  }
  for (const e of live.timeline) {
    if (e.seq > live.counters.audited) continue; // not written yet: its content is still on it
    const cause = enteredAs(e);
    if (!cause) continue;
    const entry = bySeq.get(e.seq);
    const what = cause.kind === 'command' ? `command ${cause.type}` : `a ${cause.kind.replace('-', ' ')}`;
    if (!entry) fail(`no ENTRY for event ${e.seq} (${e.type}), caused by ${what}`);
    else if (entry.content?.kind !== cause.kind || (cause.type && entry.content.type !== cause.type))
      fail(`ENTRY ${e.seq} (${e.type}) records ${entry.content?.kind} ${entry.content?.type}, not ${what}`);
  }
  const referrals = record.entries.filter((e) => e.content?.kind === 'referral');
  if (referrals.length !== live.referrals.length)
    fail(`${referrals.length} referral ENTRY items for the journey's ${live.referrals.length} referrals`);
  for (const entry of referrals) {
    const value = entry.content.value as { referralId?: unknown } | null;
    const taken = live.referrals.find((r) => r.referralId === value?.referralId);
    if (!taken)
      fail(`ENTRY ${entry.seq} records referral ${shown(value?.referralId)}, which the journey does not hold`);
    else if (!isDeepStrictEqual(value, JSON.parse(JSON.stringify(taken))))
      fail(
        `ENTRY ${entry.seq} records referral ${taken.referralId} otherwise than the journey holds it: ${differences(
          value,
          JSON.parse(JSON.stringify(taken)),
          '',
          [],
        )
          .slice(0, 6)
          .join('; ')}`,
      );
  }
  return out;
}

/**
 * A fired timer or a finished activity whose workflow task has not run yet, or an activity still
 * running: the journey has not settled.
 */
export async function hasWorkInFlight(client: Client, journeyId: string): Promise<boolean> {
  const { raw } = await client.workflow.getHandle(parseJourneyId(journeyId)!.workflowId).describe();
  return Boolean(raw.pendingWorkflowTask || raw.pendingActivities?.length);
}

/** Every page of a paged read. */
export async function all<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export async function checkAll(opts: {
  client: Client;
  read: ReadModel;
  programme: Programme;
  journeyIds: string[];
  graceMs: number;
}): Promise<CheckResult> {
  const staff = opts.programme.teams.flatMap((t) => [
    ...t.coordinators.map((c) => c.id),
    ...t.leads,
    ...t.serviceManagers,
  ]);
  const result: CheckResult = {
    journeys: 0,
    auditEvents: 0,
    ladderSteps: 0,
    notifications: 0,
    recordEntries: 0,
    violations: [],
  };
  const state = (journeyId: string): Promise<JourneyState> =>
    opts.client.workflow.getHandle(parseJourneyId(journeyId)!.workflowId).query(journeyQuery);
  // A journey whose workflow cannot answer a query after several tries is stuck: say why.
  const stuck = new Map<string, string>();
  const live = async (journeyId: string): Promise<JourneyState | undefined> => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return await state(journeyId);
      } catch (error) {
        if (attempt === 2) stuck.set(journeyId, await whyStuck(opts.client, journeyId, error as Error));
      }
    }
    return undefined;
  };
  // A fired timer or a finished activity whose workflow task has not run yet is work in flight,
  // not a settled journey (the state read a moment ago does not show it yet).
  const busy = (journeyId: string) => hasWorkInFlight(opts.client, journeyId);
  let pending = [...opts.journeyIds];
  // Ladders keep climbing while we read, so read in rounds: a journey is checked from a round in
  // which it did not move and had finished writing what it last did (every event audited, the
  // summary at its revision); the rest wait for the next round.
  for (let round = 0; round < 40 && pending.length; round += 1) {
    if (round) await new Promise((r) => setTimeout(r, 1000));
    const before = new Map(await Promise.all(pending.map(async (id) => [id, await live(id)] as const)));
    pending = pending.filter((id) => before.get(id));
    const inbox = (await Promise.all(staff.map((user) => all((cursor) => opts.read.inbox(user, 500, cursor))))).flat();
    // The run's teams always have people in the directory (the worker seeds it before it takes any
    // work), so an alert kept as having reached no one went astray (HAZ-30).
    const reachedNoOne = (
      await Promise.all(opts.programme.teams.map((t) => opts.read.unrouted(t.id, new Date(0), 1000)))
    ).flat();
    const next: string[] = [];
    for (const journeyId of pending) {
      const audit = await all((cursor) => opts.read.auditTrail(journeyId, 500, cursor));
      const summary = await opts.read.getJourney(journeyId);
      // The record is read after the summary and before the state it is compared with. The journey
      // writes entries, then its STATE, then its summary (recordJourney), so a summary at the
      // journey's revision means the STATE at that revision was written before it; and the journey
      // is judged only if its revision did not move from `before` to `after`. So no wait or retry
      // is needed here: if the round finds the journey quiet, its record must already equal its
      // state, and any difference is a violation.
      const record: RecordEvidence = {
        snapshot: await opts.read.journeySnapshot(journeyId),
        entries: await opts.read.recordEntries(journeyId),
      };
      const after = await live(journeyId);
      if (!after) continue;
      if (after.journeyId !== journeyId) {
        result.violations.push({
          journeyId,
          invariant: 'read-model',
          detail: `the workflow now holds episode ${after.journeyId}; a chaos run never refers anyone twice`,
        });
        continue;
      }
      const was = before.get(journeyId)!.counters;
      const quiet =
        was.revision === after.counters.revision &&
        was.audited === was.seq &&
        after.counters.audited === after.counters.seq &&
        summary?.revision === after.counters.revision &&
        !(await busy(journeyId));
      if (!quiet) {
        next.push(journeyId);
        continue;
      }
      const mine = inbox.filter((i) => i.journeyId === journeyId);
      result.journeys += 1;
      result.auditEvents += audit.length;
      result.ladderSteps += audit.filter((a) => a.type === 'deadline.step').length;
      result.notifications += mine.length;
      result.recordEntries += record.entries.length;
      const directory = await opts.read.staff.teamView(after.teamId, Date.now());
      result.violations.push(
        ...checkJourney({ state: after, audit, summary, inbox: mine, directory }, Date.now(), opts.graceMs),
      );
      result.violations.push(...checkRecord(after, record, audit));
      for (const alert of reachedNoOne.filter((a) => a.journeyId === journeyId))
        result.violations.push({
          journeyId,
          invariant: 'notified-once',
          detail: `${alert.id} reached no one, though the team has people in the staff directory`,
        });
    }
    pending = next;
  }
  for (const journeyId of pending)
    result.violations.push({
      journeyId,
      invariant: 'read-model',
      detail: 'never settled: the journey kept changing, or its writes never caught up',
    });
  for (const [journeyId, detail] of stuck) result.violations.push({ journeyId, invariant: 'stuck', detail });
  return result;
}

/** The last workflow-task failure in the journey's history, which is what keeps it from answering. */
async function whyStuck(client: Client, journeyId: string, queryError: Error): Promise<string> {
  try {
    const history = await client.workflow.getHandle(parseJourneyId(journeyId)!.workflowId).fetchHistory();
    const failed = [...(history.events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes);
    const failure = failed?.workflowTaskFailedEventAttributes?.failure?.message;
    return failure ? `workflow task failing: ${failure}` : `cannot be queried: ${queryError.message}`;
  } catch {
    return `cannot be queried: ${queryError.message}`;
  }
}

/**
 * Every journey's history, replayed from the start with the workflow bundle the run's workers ran.
 * A journey that answers queries may still be unable to replay: its worker kept it in its cache,
 * and the divergence surfaces only when a fresh worker picks it up, months later. Replaying each
 * history here finds it now (invariant `replay`).
 *
 * Each history is replayed a second time with an empty workflow task put in before each signal and
 * timer firing that follows a task with nothing since it (`withEmptyTasks`,
 * scripts/foldedTasks.ts): the shape a forced task would leave there on a real server, which
 * sdk-core folds on replay where it can (`foldedByCore`). The dev server writes no such task for a
 * journey; this shows the journey would replay the same if one were written.
 */
export async function checkReplays(opts: {
  client: Client;
  workflowBundlePath: string;
  dataConverter: DataConverter;
  journeyIds: string[];
}): Promise<{
  replayed: number;
  /** Histories replayed again with the empty tasks put in. */
  replayedWithEmptyTasks: number;
  emptyTasksInserted: number;
  /** Tasks sdk-core folds into the next on replay once they are put in, and not before. */
  emptyTasksFolded: number;
  violations: Violation[];
}> {
  const byWorkflow = new Map(opts.journeyIds.map((j) => [parseJourneyId(j)!.workflowId, j]));
  const asRun = new Map<string, HistoryJson>();
  for (const workflowId of byWorkflow.keys())
    asRun.set(
      workflowId,
      JSON.parse(historyToJSON(await opts.client.workflow.getHandle(workflowId).fetchHistory())) as HistoryJson,
    );
  const violations: Violation[] = [];
  const replay = async (histories: { workflowId: string; history: HistoryJson }[], what: string) => {
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: opts.workflowBundlePath }, dataConverter: opts.dataConverter },
      histories.map(({ workflowId, history }) => ({ workflowId, history: historyFromJSON(history) })),
    )) {
      replayed += 1;
      if (result.error)
        violations.push({
          journeyId: byWorkflow.get(result.workflowId) ?? result.workflowId,
          invariant: 'replay',
          detail: `its history${what} does not replay: ${result.error.message.slice(0, 300)}`,
        });
    }
    return replayed;
  };
  const replayed = await replay(
    [...asRun].map(([workflowId, history]) => ({ workflowId, history })),
    '',
  );
  let emptyTasksInserted = 0;
  let emptyTasksFolded = 0;
  const withEmpty = [...asRun].map(([workflowId, history]) => {
    const put = withEmptyTasks(history);
    emptyTasksInserted += put.inserted;
    emptyTasksFolded += foldedByCore(put.history).length - foldedByCore(history).length;
    return { workflowId, history: put.history };
  });
  const replayedWithEmptyTasks = await replay(withEmpty, ' with empty workflow tasks put in');
  return { replayed, replayedWithEmptyTasks, emptyTasksInserted, emptyTasksFolded, violations };
}
