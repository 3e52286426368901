/**
 * The caseload move's activities (workflows/caseloadMove.ts): plan who takes which journey, move
 * one journey, and keep the move's progress in DynamoDB, where the dashboard reads it.
 *
 * A journey is moved by its own `reassign` command, named after the move and the attempt. Before
 * sending it, the activity asks the journey what became of that command and whose the journey is
 * now; so an activity retried after a worker was killed (the command sent, the answer lost) finds
 * the move made and does not make it again, and a command sent twice is decided once by the
 * journey (it keeps the outcome of each command id).
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Actor } from '../domain/commands.js';
import { parseJourneyId } from '../domain/journeyIds.js';
import { sendCommand } from '../temporal/journeyCalls.js';
import { commandOutcomeQuery, journeyQuery } from '../temporal/journeyMessages.js';
import type { CaseloadMoveProgress, MoveOutcome } from '../domain/caseloadMove.js';
import { createStaffDirectory } from './staffDirectory.js';
import { keys } from './table.js';

export interface CaseloadMoveActivities {
  /** Balances the journeys over the co-ordinators with room, as the caseloads stand now. */
  planCaseloadMove(request: {
    teamId: string;
    from: string;
    journeyIds: string[];
    to?: string[];
  }): Promise<{ assignments: { journeyId: string; to: string }[]; unplaceable: string[] }>;
  moveJourney(request: {
    moveId: string;
    attempt: number;
    journeyId: string;
    from: string;
    to: string;
    by: Actor;
  }): Promise<MoveOutcome>;
  recordCaseloadMove(progress: CaseloadMoveProgress): Promise<void>;
}

export function createCaseloadMoveActivities(deps: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  client: Client;
}): CaseloadMoveActivities {
  const { doc, tableName: TableName, client } = deps;
  const directory = createStaffDirectory(doc, TableName);

  return {
    async planCaseloadMove({ teamId, from, journeyIds, to }) {
      const [team, loads] = await Promise.all([
        directory.teamView(teamId, Date.now()),
        doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
            ExpressionAttributeValues: { ':pk': `CASELOAD#${teamId}`, ':c': 'COORD#' },
            ConsistentRead: true,
          }),
        ),
      ]);
      const load = new Map((loads.Items ?? []).map((i) => [i.coordinatorId as string, i.count as number]));
      const room = team.members
        .filter(
          (m) =>
            m.staffId !== from &&
            !m.leftAt &&
            m.roles.includes('coordinator') &&
            m.teams.includes(teamId) &&
            !team.away.has(m.staffId) &&
            (!to || to.includes(m.staffId)),
        )
        .map((m) => ({ id: m.staffId, capacity: m.maxCaseload ?? 0, load: load.get(m.staffId) ?? 0 }));
      // Each journey to whoever is least full for their size (ties by id), while anyone has room.
      const assignments: { journeyId: string; to: string }[] = [];
      const unplaceable: string[] = [];
      for (const journeyId of journeyIds) {
        const open = room.filter((c) => c.load < c.capacity);
        if (open.length === 0) {
          unplaceable.push(journeyId);
          continue;
        }
        const next = open.sort((a, b) => a.load / a.capacity - b.load / b.capacity || a.id.localeCompare(b.id))[0]!;
        next.load += 1;
        assignments.push({ journeyId, to: next.id });
      }
      return { assignments, unplaceable };
    },

    async moveJourney({ moveId, attempt, journeyId, from, to, by }) {
      const ids = parseJourneyId(journeyId);
      if (!ids) return { result: 'refused', why: 'not a journey id' };
      const handle = client.workflow.getHandle(ids.workflowId);
      const commandId = `caseload-move/${moveId}/${attempt}`;
      try {
        // Made already by an earlier try of this activity?
        const earlier = await handle.query(commandOutcomeQuery, commandId);
        if (earlier?.ok) return { result: 'moved', to: (await handle.query(journeyQuery)).coordinatorId ?? to };
        if (earlier?.type === 'capacity') return { result: 'full' };
        const s = await handle.query(journeyQuery);
        if (s.journeyId !== journeyId || s.phase === 'closed') return { result: 'skipped', why: 'closed' };
        if (s.coordinatorId !== from)
          return { result: 'skipped', why: `already with ${s.coordinatorId ?? 'no co-ordinator'}` };
        const outcome = await sendCommand(
          handle,
          'reassign',
          { coordinatorId: to, by },
          // Sent now, by the worker: the journey applies it as of then.
          { commandId, journeyId, waitMs: 15_000, sentAt: new Date() },
        );
        if (outcome.ok) return { result: 'moved', to };
        if (outcome.type === 'capacity') return { result: 'full' };
        // Refused because this same command was already under way (a retry overlapping the first
        // try): the journey decides it once; look at what it did.
        const now = await handle.query(journeyQuery);
        if (now.coordinatorId === to) return { result: 'moved', to };
        return { result: 'refused', why: outcome.message };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { result: 'skipped', why: 'closed' };
        throw error;
      }
    },

    async recordCaseloadMove(progress) {
      await doc
        .send(
          new PutCommand({
            TableName,
            Item: { ...keys.caseloadMove(progress.teamId, progress.requestedAt, progress.moveId), ...progress },
            // Progress only ever goes forward: an older record never overwrites a newer one.
            ConditionExpression: 'attribute_not_exists(pk) OR updatedAt <= :at',
            ExpressionAttributeValues: { ':at': progress.updatedAt },
          }),
        )
        .catch((error: unknown) => {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        });
    },
  };
}
