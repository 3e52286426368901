/**
 * Retention and erasure of the clinical record (docs/operations.md, "Retention"):
 * - list the closed journeys whose record is past its programme's retention (8 years after
 *   closure unless the programme says otherwise), and delete them;
 * - erase everything held about one person, on a lawful request.
 *
 * Deleting a journey's record removes every item of the journey (its state, summary, entries, audit
 * trail and corrections), the person's referrals as received for it, the pointer to it, and the
 * journey's workflow executions still in Temporal. What is left is a deletion entry saying that a
 * record was deleted, when, why and by whom: it names the programme and the episode, never the
 * person. Run by operations with the table's credentials (`npm run retention`), not by the API,
 * whose role can delete only staff-directory items (cdk/data.ts, apiWrites).
 */
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Client } from '@temporalio/client';
import { parseJourneyId } from '../domain/journeyIds.js';
import { queryAll } from './dynamo.js';
import { createRecordReads } from './journeyRecord.js';
import { createMdtMeetings } from './mdtMeetings.js';
import { indexes, keys } from './table.js';

/** The first year a retention can end in: nothing carepath recorded can be older. */
const FIRST_RETENTION_YEAR = 2026;

export interface PastRetention {
  journeyId: string;
  programmeId: string;
  closedAt: string;
  retainUntil: string;
}

export interface Deletion {
  /** `<programme>.<episode>`: which record went, without who it was about. */
  record: string;
  programmeId: string;
  reason: 'retention' | 'erasure';
  /** Who asked (an operator's name or id) and why (for erasure, the request's reference). */
  by: string;
  note: string;
  at: string;
  closedAt: string | null;
  retainUntil: string | null;
  itemsDeleted: number;
  /** MDT meetings (and their amendments) the journey was taken out of; absent in deletions made before. */
  meetingRecordsChanged?: number;
  workflowRunsDeleted: number;
}

export class ErasureRefused extends Error {
  override name = 'ErasureRefused';
}

export function createRetention(doc: DynamoDBDocumentClient, TableName: string, temporal?: Client) {
  const record = createRecordReads(doc, TableName);
  const mdtMeetings = createMdtMeetings(doc, TableName);

  /** The keys of every item a query finds. */
  const keysFound = async (query: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) =>
    (await queryAll(doc, { TableName, ...query, ProjectionExpression: 'pk, sk' })) as { pk: string; sk: string }[];

  const keysOf = (pk: string) =>
    keysFound({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } });

  const inboxItemsOf = (userId: string, journeyId: string) =>
    keysFound({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'journeyId = :j',
      ExpressionAttributeValues: { ':pk': `INBOX#${userId}`, ':j': journeyId },
    });

  const uniqueKeys = (items: { pk: string; sk: string }[]) => [
    ...new Map(items.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values(),
  ];

  async function deleteAll(items: { pk: string; sk: string }[]): Promise<number> {
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      // Unprocessed deletes (throttling) are retried until none are left.
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2 ** attempt * 50, 2_000)));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
        requests = (out.UnprocessedItems?.[TableName] ?? []) as typeof requests;
      }
    }
    return items.length;
  }

  /** Deletes the journey's closed workflow runs still in Temporal; an open one is never touched. */
  async function deleteWorkflowRuns(journeyId: string): Promise<number> {
    const ids = parseJourneyId(journeyId);
    if (!temporal || !ids) return 0;
    let deleted = 0;
    for await (const run of temporal.workflow.list({ query: `WorkflowId = '${ids.workflowId}'` })) {
      if (run.status.name === 'RUNNING') continue;
      await temporal.workflowService.deleteWorkflowExecution({
        namespace: temporal.options.namespace,
        workflowExecution: { workflowId: run.workflowId, runId: run.runId },
      });
      deleted += 1;
    }
    return deleted;
  }

  async function logDeletion(d: Deletion): Promise<void> {
    await doc.send(
      new PutCommand({
        TableName,
        Item: { pk: `DELETIONS#${d.at.slice(0, 4)}`, sk: `${d.at}#${d.record}`, ...d },
      }),
    );
  }

  /** Deletes one journey's record; the caller has checked it may go. */
  async function deleteJourney(
    journeyId: string,
    reason: Deletion['reason'],
    by: string,
    note: string,
    now: Date,
  ): Promise<Deletion> {
    const ids = parseJourneyId(journeyId);
    if (!ids) throw new Error(`${journeyId} is not a journey id`);
    const snapshot = await record.journeySnapshot(journeyId);
    const patientId = snapshot?.patientId ?? ids.workflowId.slice(ids.workflowId.lastIndexOf('.') + 1);
    const programmeId = snapshot?.programme.id ?? ids.workflowId.slice(0, ids.workflowId.lastIndexOf('.'));
    const referrals = (snapshot?.referrals ?? []).map((r) => keys.referralAsReceived(patientId, r.referralId));
    // Its notifications: every inbox the journey's own partition says they reached (cover and the
    // next role up included), and, for notifications sent before those were kept, the inboxes of
    // the team's staff as a journey started then knew them.
    const sent = (await queryAll(doc, {
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sent)',
      ExpressionAttributeValues: { ':pk': `JOURNEY#${journeyId}`, ':sent': 'SENT#' },
      ProjectionExpression: 'inboxPk, inboxSk',
    })) as { inboxPk: string; inboxSk: string }[];
    const team = snapshot?.programme.teams.find((t) => t.id === snapshot.teamId);
    const staff = team ? [...team.coordinators.map((c) => c.id), ...team.leads, ...team.serviceManagers] : [];
    const notifications = uniqueKeys([
      ...sent.map((i) => ({ pk: i.inboxPk, sk: i.inboxSk })),
      ...(await Promise.all(staff.map((userId) => inboxItemsOf(userId, journeyId)))).flat(),
    ]);
    // Temporal first: if this stops half-way, the record (and the way to find it) is still there.
    const workflowRunsDeleted = await deleteWorkflowRuns(journeyId);
    const itemsDeleted = await deleteAll([
      ...referrals,
      ...notifications,
      ...(await keysOf(`JOURNEY#${journeyId}`)),
      ...(await keysOf(`CORRECTION#${journeyId}`)),
      keys.patientJourney(patientId, journeyId),
    ]);
    // What its team's MDT meetings said about the person goes too; the meetings stay.
    const meetingRecordsChanged = snapshot ? await mdtMeetings.forgetJourney(snapshot.teamId, journeyId) : 0;
    const deletion: Deletion = {
      record: `${programmeId}.${ids.episode}`,
      programmeId,
      reason,
      by,
      note,
      at: now.toISOString(),
      closedAt: snapshot?.closure?.at ?? null,
      retainUntil: null,
      itemsDeleted,
      meetingRecordsChanged,
      workflowRunsDeleted,
    };
    return deletion;
  }

  /** Closed journeys whose retention ended before `now`, soonest ended first. */
  async function pastRetention(now: Date): Promise<PastRetention[]> {
    const out: PastRetention[] = [];
    for (let year = FIRST_RETENTION_YEAR; year <= now.getUTCFullYear(); year += 1) {
      const items = await queryAll(doc, {
        TableName,
        IndexName: indexes.openByTeam,
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :now',
        ExpressionAttributeValues: { ':pk': `RETAIN-UNTIL#${year}`, ':now': now.toISOString() },
        ProjectionExpression: 'journeyId, programmeId, closedAt, retainUntil',
      });
      out.push(...(items as unknown as PastRetention[]));
    }
    return out;
  }

  return {
    pastRetention,

    /** Deletes the records past retention at `now`; each deletion is logged. */
    async deletePastRetention(now: Date, by: string): Promise<Deletion[]> {
      const done: Deletion[] = [];
      for (const due of await pastRetention(now)) {
        const deletion = {
          ...(await deleteJourney(due.journeyId, 'retention', by, `retention ended ${due.retainUntil}`, now)),
          retainUntil: due.retainUntil,
        };
        await logDeletion(deletion);
        done.push(deletion);
      }
      return done;
    },

    /**
     * Erases everything held about a person: every journey's record, their demographics, their
     * referrals as received, the corrections and the log of who read their record. Refused while
     * any of their journeys is open: close it first (care cannot go on with no record).
     */
    async erasePerson(patientId: string, by: string, note: string, now: Date): Promise<Deletion[]> {
      const journeys = await record.journeysOfPatient(patientId);
      // A mistyped NHS number (or the wrong pseudonym key) must not be reported as an erasure.
      if (journeys.length === 0 && (await keysOf(`PATIENT#${patientId}`)).length === 0)
        throw new ErasureRefused('no record is held for this person: check the NHS number');
      const states = await Promise.all(journeys.map((j) => record.journeySnapshot(j.journeyId)));
      const open = journeys.filter((_, i) => states[i] !== undefined && states[i]!.phase !== 'closed');
      if (open.length > 0)
        throw new ErasureRefused(
          `the person has ${open.length} open journey(s) (${open.map((j) => j.journeyId).join(', ')}): close them first`,
        );
      const done: Deletion[] = [];
      for (const j of journeys) {
        const deletion = await deleteJourney(j.journeyId, 'erasure', by, note, now);
        await logDeletion(deletion);
        done.push(deletion);
      }
      const rest = await deleteAll([
        ...(await keysOf(`PATIENT#${patientId}`)),
        ...(await keysOf(`ACCESS#${patientId}`)),
      ]);
      const person: Deletion = {
        record: 'person',
        programmeId: '*',
        reason: 'erasure',
        by,
        note,
        at: now.toISOString(),
        closedAt: null,
        retainUntil: null,
        itemsDeleted: rest,
        workflowRunsDeleted: 0,
      };
      await logDeletion(person);
      return [...done, person];
    },

    /** The deletions logged in a year. */
    async deletions(year: number): Promise<Deletion[]> {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `DELETIONS#${year}` },
        }),
      );
      return (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...d }) => d as Deletion);
    },
  };
}
