/**
 * After a chaos run: each journey's own state (queried from its workflow), its audit trail, its
 * read-model summary and the inbox records of its team, gathered as one consistent snapshot and
 * checked against the invariants of domain/invariants.ts.
 */
import type { Client } from '@temporalio/client';
import type { ReadModel } from '../activities/readModel.js';
import { checkJourney, type Violation } from '../domain/invariants.js';
import { parseJourneyId } from '../domain/journeyIds.js';
import type { JourneyState } from '../domain/journey.js';
import type { Programme } from '../domain/programme.js';
import { journeyQuery } from '../temporal/journeyMessages.js';

export interface CheckResult {
  journeys: number;
  auditEvents: number;
  ladderSteps: number;
  notifications: number;
  violations: Violation[];
}

async function all<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
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
  const result: CheckResult = { journeys: 0, auditEvents: 0, ladderSteps: 0, notifications: 0, violations: [] };
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
  const busy = async (journeyId: string): Promise<boolean> => {
    const { raw } = await opts.client.workflow.getHandle(parseJourneyId(journeyId)!.workflowId).describe();
    return Boolean(raw.pendingWorkflowTask || raw.pendingActivities?.length);
  };
  let pending = [...opts.journeyIds];
  // Ladders keep climbing while we read, so read in rounds: a journey is checked from a round in
  // which it did not move and had finished writing what it last did (every event audited, the
  // summary at its revision); the rest wait for the next round.
  for (let round = 0; round < 40 && pending.length; round += 1) {
    if (round) await new Promise((r) => setTimeout(r, 1000));
    const before = new Map(await Promise.all(pending.map(async (id) => [id, await live(id)] as const)));
    pending = pending.filter((id) => before.get(id));
    const inbox = (await Promise.all(staff.map((user) => all((cursor) => opts.read.inbox(user, 500, cursor))))).flat();
    const next: string[] = [];
    for (const journeyId of pending) {
      const audit = await all((cursor) => opts.read.auditTrail(journeyId, 500, cursor));
      const summary = await opts.read.getJourney(journeyId);
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
      result.violations.push(...checkJourney({ state: after, audit, summary, inbox: mine }, Date.now(), opts.graceMs));
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
