/**
 * The journey activities, for real, on DynamoDB. Every write is idempotent, because Temporal
 * retries an activity whenever it cannot be sure it finished:
 * - audit events and inbox items are conditional puts on deterministic keys;
 * - the read model keeps the highest revision it has seen;
 * - a caseload place is a transaction of "counter below capacity" and "place not yet taken".
 */
import { gzipSync } from 'node:zlib';
import { Context } from '@temporalio/activity';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Notification } from '../domain/journey.js';
import { auditCopy, isRecordEntry, retainUntil } from '../domain/record.js';
import { resolveAudience, type Delivery } from '../domain/staff.js';
import type { AssignRequest, JourneyActivities } from './contract.js';
import type { NotificationChannel } from './channels.js';
import { createStaffDirectory } from './staffDirectory.js';
import { dueSortKey, eventIndexKeys, keys, retentionIndexKeys } from './table.js';

export interface StoreDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Channels beyond the in-app inbox (log locally, SES email in AWS). */
  channels?: NotificationChannel[];
}

/** The running activity's logger; none when a test calls the activities directly. */
function activityLog() {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}

/** The delivery record's attribute saying when a channel sent the notification. */
const sentBy = (channel: NotificationChannel) => `sent_${channel.name}`;

const isConditionFailure = (error: unknown): boolean => (error as Error).name === 'ConditionalCheckFailedException';

export function createJourneyActivities({ doc, tableName: TableName, channels = [] }: StoreDeps): JourneyActivities {
  const directory = createStaffDirectory(doc, TableName);

  /**
   * Who a notification reaches, asked of the staff directory now: the role's holders, cover for
   * anyone away, never a leaver (domain/staff.ts). A team the directory does not know (or a
   * notification for a named person, or one made before the directory) reaches whom the journey
   * named, so nothing is lost for want of an entry.
   */
  async function deliveriesFor(n: Notification): Promise<Delivery[]> {
    const named = n.recipients.map((recipient) => ({ recipient }));
    if (!n.audience) return named;
    const team = await directory.teamView(n.audience.teamId, Date.now());
    if (team.members.length === 0) return named;
    const resolved = resolveAudience(n.audience, team);
    return resolved.length > 0 ? resolved : named;
  }

  /**
   * The co-ordinators a journey may be given now: the directory's, with their capacity, leaving
   * out anyone away (a new journey is not given to someone on leave); the journey's own list
   * while the directory does not know the team.
   */
  async function coordinatorsOf(req: AssignRequest): Promise<{ id: string; maxCaseload: number; away: boolean }[]> {
    const team = await directory.teamView(req.teamId, Date.now());
    if (team.members.length === 0) return req.coordinators.map((c) => ({ ...c, away: false }));
    return team.members
      .filter((m) => !m.leftAt && m.roles.includes('coordinator') && m.teams.includes(req.teamId))
      .map((m) => ({ id: m.staffId, maxCaseload: m.maxCaseload ?? 0, away: team.away.has(m.staffId) }));
  }
  /**
   * Puts a notification in one place (a person's inbox, or the team's list of alerts that reached
   * no one) exactly once, whatever time a retried activity or a reset journey stamps it with: the
   * delivery record, keyed by the notification id and the recipient alone, is written in the same
   * transaction as the item. It also says which channels have sent the notification, and is kept
   * in the journey's partition, so erasing the journey finds every place it reached.
   */
  async function deliverOnce(
    n: Notification,
    recipient: string,
    place: { pk: string; sk: string },
    item: Record<string, unknown>,
  ): Promise<{ first: boolean; record: Record<string, unknown> }> {
    const key = keys.sentTo(n.journeyId, n.id, recipient);
    const read = async () =>
      (await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item as
        Record<string, unknown> | undefined;
    // Tried straight away: a first delivery (nearly every one) costs one transaction, no read.
    const record = { ...key, inboxPk: place.pk, inboxSk: place.sk };
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: record, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName, Item: { ...place, ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { first: true, record };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [recorded, placed] = error.CancellationReasons ?? [];
      // A concurrent attempt delivered it first: go on from its record.
      if (recorded?.Code === 'ConditionalCheckFailed') return { first: false, record: (await read()) ?? record };
      // Delivered before delivery records were kept (its channels sent it then): record it so.
      if (placed?.Code === 'ConditionalCheckFailed') {
        const old = { ...record, ...Object.fromEntries(channels.map((c) => [sentBy(c), 'before delivery records'])) };
        await doc.send(new PutCommand({ TableName, Item: old }));
        return { first: false, record: old };
      }
      throw error; // a conflict with another transaction: let Temporal retry
    }
  }

  /** Kept for the team: an alert no one in the directory could be given (HAZ-27). */
  async function unrouted(n: Notification): Promise<void> {
    const { first } = await deliverOnce(n, '(no one)', keys.unrouted(n.teamId, n.createdAt, n.id), {
      ...n,
      recipients: undefined,
    });
    // The team and the kind of alert only: the notification's text and journey stay in the table.
    if (first)
      activityLog()?.warn('notification reached no one: the staff directory has no one in its team to receive it', {
        teamId: n.teamId,
        kind: n.kind,
        level: n.level,
      });
  }

  async function placeOf(teamId: string, journeyId: string): Promise<string | undefined> {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: keys.caseloadPlace(teamId, journeyId), ConsistentRead: true }),
    );
    return Item?.coordinatorId as string | undefined;
  }

  async function loads(teamId: string): Promise<Map<string, number>> {
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :coord)',
        ExpressionAttributeValues: { ':pk': `CASELOAD#${teamId}`, ':coord': 'COORD#' },
        ConsistentRead: true,
      }),
    );
    return new Map(Items.map((i) => [i.coordinatorId as string, i.count as number]));
  }

  /** One try at taking `coordinatorId`'s place for the journey (moving it from `from`, if given). */
  async function take(
    req: AssignRequest,
    coordinatorId: string,
    max: number,
    from: string | undefined,
  ): Promise<'taken' | 'full' | 'raced'> {
    const take = {
      Update: {
        TableName,
        Key: keys.coordinatorLoad(req.teamId, coordinatorId),
        UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, coordinatorId = :c, teamId = :t',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max, ':c': coordinatorId, ':t': req.teamId },
      },
    };
    const place = {
      Put: {
        TableName,
        Item: {
          ...keys.caseloadPlace(req.teamId, req.journeyId),
          coordinatorId,
          journeyId: req.journeyId,
          teamId: req.teamId,
        },
        ConditionExpression: from ? 'coordinatorId = :from' : 'attribute_not_exists(pk)',
        ...(from ? { ExpressionAttributeValues: { ':from': from } } : {}),
      },
    };
    const giveBack = from
      ? [
          {
            Update: {
              TableName,
              Key: keys.coordinatorLoad(req.teamId, from),
              UpdateExpression: 'SET #count = #count - :one',
              ConditionExpression: '#count > :zero',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            },
          },
        ]
      : [];
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [take, place, ...giveBack] }));
      return 'taken';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [capacity, placeTaken] = error.CancellationReasons ?? [];
      if (placeTaken?.Code === 'ConditionalCheckFailed') return 'raced';
      if (capacity?.Code === 'ConditionalCheckFailed') return 'full';
      // DynamoDB cancels a transaction that meets another on the same co-ordinator's count (a
      // batch of referrals arriving together all pick the least-loaded one): a race like any other,
      // settled here in milliseconds rather than by Temporal's retry a second later.
      if (error.CancellationReasons?.some((r) => r?.Code === 'TransactionConflict')) return 'raced';
      throw error;
    }
  }

  const activities: JourneyActivities = {
    async assignCoordinator(req) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        // After a lost race, a short random pause, so that those who raced do not meet again at once.
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        const held = await placeOf(req.teamId, req.journeyId);
        if (!req.to && held) return { coordinatorId: held }; // a retry after the place was taken
        if (req.to && held === req.to) return { coordinatorId: req.to };
        const [current, coordinators] = await Promise.all([loads(req.teamId), coordinatorsOf(req)]);
        if (req.to && !coordinators.some((c) => c.id === req.to)) return { coordinatorId: null, notInTeam: true };
        const candidates = coordinators
          // A named co-ordinator may be given it while away (back next week); the next free one may not.
          .filter((c) => (req.to ? c.id === req.to : !c.away))
          .filter((c) => (current.get(c.id) ?? 0) < c.maxCaseload)
          .sort((a, b) => (current.get(a.id) ?? 0) - (current.get(b.id) ?? 0) || a.id.localeCompare(b.id));
        if (candidates.length === 0) return { coordinatorId: null };
        let raced = false;
        for (const c of candidates) {
          const outcome = await take(req, c.id, c.maxCaseload, req.to ? held : undefined);
          if (outcome === 'taken') return { coordinatorId: c.id };
          if (outcome === 'raced') {
            raced = true;
            break;
          }
        }
        if (!raced) return { coordinatorId: null }; // everyone filled up while we tried
      }
      throw new Error(`could not settle a caseload place for ${req.journeyId} after repeated races`);
    },

    async releaseCoordinator({ journeyId, teamId, coordinatorId }) {
      const held = await placeOf(teamId, journeyId);
      if (held !== coordinatorId) return; // already released (a retry), or moved on
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName,
                  Key: keys.caseloadPlace(teamId, journeyId),
                  ConditionExpression: 'coordinatorId = :c',
                  ExpressionAttributeValues: { ':c': coordinatorId },
                },
              },
              {
                Update: {
                  TableName,
                  Key: keys.coordinatorLoad(teamId, coordinatorId),
                  UpdateExpression: 'SET #count = #count - :one',
                  ConditionExpression: '#count > :zero',
                  ExpressionAttributeNames: { '#count': 'count' },
                  ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // The place went between our read and the transaction: released by a concurrent retry.
      }
    },

    async notify(n: Notification) {
      const deliveries = await deliveriesFor(n);
      // No one to give it to (the team has no one left in any role the ladder climbs): kept for the
      // team to see on its Team page and logged, never dropped (HAZ-27).
      if (deliveries.length === 0) return unrouted(n);
      for (const { recipient, onBehalfOf } of deliveries) {
        const { record } = await deliverOnce(n, recipient, keys.inbox(recipient, n.createdAt, n.id), {
          ...n,
          recipient,
          recipients: undefined,
          audience: undefined,
          ...(onBehalfOf ? { onBehalfOf } : {}),
          deliveredAt: new Date().toISOString(),
        });
        // Each channel once: a send is recorded after it succeeds, so a failed send (SES down) is
        // tried again by the activity's retry, and a sent one is not repeated.
        for (const channel of channels) {
          if (record[sentBy(channel)]) continue;
          await channel.deliver(recipient, n);
          if (channel.repeatable) continue;
          await doc.send(
            new UpdateCommand({
              TableName,
              Key: keys.sentTo(n.journeyId, n.id, recipient),
              UpdateExpression: 'SET #sent = :at',
              ExpressionAttributeNames: { '#sent': sentBy(channel) },
              ExpressionAttributeValues: { ':at': new Date().toISOString() },
            }),
          );
        }
      }
    },

    async appendAudit({ journeyId, programmeId, teamId, events }) {
      // The record's entries first: an audit entry is never ahead of what it records.
      for (const e of events.filter(isRecordEntry)) {
        try {
          await doc.send(
            new PutCommand({
              TableName,
              Item: {
                ...keys.recordEntry(journeyId, e.seq),
                journeyId,
                ...auditCopy(e),
                // As JSON text: what was entered, exactly, whatever its shape (DynamoDB keeps no empty strings in maps).
                content: JSON.stringify(e.content),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw error; // written by an earlier attempt
        }
      }
      for (const e of events.map(auditCopy)) {
        try {
          await doc.send(
            new PutCommand({
              TableName,
              // Also indexed by team and month, so period metrics are a range query (table.ts).
              Item: {
                ...keys.audit(journeyId, e.seq),
                ...eventIndexKeys(teamId, e.at, journeyId, e.seq),
                journeyId,
                programmeId,
                teamId,
                ...e,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw error; // written by an earlier attempt
        }
      }
    },

    async projectJourney(summary) {
      const open = summary.phase !== 'closed';
      const sortKey = dueSortKey(summary.nextDueAt, summary.id);
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...keys.journey(summary.id),
              ...summary,
              gsi1pk: `TEAM#${summary.teamId}#PHASE#${summary.phase}`,
              gsi1sk: sortKey,
              ...(open && summary.coordinatorId ? { gsi2pk: `COORD#${summary.coordinatorId}`, gsi2sk: sortKey } : {}),
              ...(open ? { gsi3pk: `TEAM#${summary.teamId}#OPEN`, gsi3sk: sortKey } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR revision < :revision',
            ExpressionAttributeValues: { ':revision': summary.revision },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // a newer projection is already there
      }
    },

    async recordSnapshot(snapshot) {
      const journeyId = snapshot.journeyId;
      const values = {
        journeyId,
        patientId: snapshot.patientId,
        programmeId: snapshot.programme.id,
        teamId: snapshot.teamId,
        phase: snapshot.phase,
        revision: snapshot.counters.revision,
        closedAt: snapshot.closure?.at ?? null,
        // A closed record is listed by when it may be deleted (activities/retention.ts).
        ...retentionIndexKeys(snapshot.journeyId, retainUntil(snapshot)),
        // Compressed: a journey's state is tens of KiB of JSON, a tenth of that gzipped.
        state: gzipSync(JSON.stringify(snapshot)),
      };
      const names = Object.keys(values);
      try {
        // An update, not a put: the item also holds what people add beside the journey (the
        // entered-in-error marks of journeyRecord.ts), which a new revision must not erase.
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.journeyState(journeyId),
            UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
            ConditionExpression: 'attribute_not_exists(pk) OR #revision < :revision',
            ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
            ExpressionAttributeValues: Object.fromEntries(Object.entries(values).map(([n, v]) => [`:${n}`, v])),
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // a newer state is already recorded
      }
    },

    async recordJourney({ audit, summary, snapshot, notifications = [] }) {
      // Entries and audit first, then the state, then the summary: nothing a reader is shown is
      // ever ahead of the record it comes from. The notifications last: an alert never names a
      // step the journey's record does not have yet.
      if (audit && audit.events.length > 0) await activities.appendAudit(audit);
      if (snapshot) await activities.recordSnapshot(snapshot);
      if (summary) await activities.projectJourney(summary);
      for (const n of notifications) await activities.notify(n);
      return {
        audited: audit?.events.at(-1)?.seq ?? null,
        revision: snapshot?.counters.revision ?? summary?.revision ?? null,
      };
    },
  };
  return activities;
}
