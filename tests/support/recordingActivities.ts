/**
 * The real DynamoDB activities, with a record of every notify call kept on the side so that
 * workflow tests can tell "notified once" from "asked twice and deduplicated by the store".
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyActivities } from '../../activities/contract.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel, type ReadModel } from '../../activities/readModel.js';
import { keys } from '../../activities/table.js';
import type { Notification } from '../../domain/journey.js';
import type { LocalTable } from './dynamoDbLocal.js';

export interface RecordedActivities {
  activities: JourneyActivities;
  /** The real store, for tests that arrange or inspect it directly. */
  store: JourneyActivities;
  read: ReadModel;
  /** Each notification, the first time it was sent. */
  notifications: Notification[];
  /** Every notify call's id, repeats included. */
  notifyCalls: string[];
  /**
   * Puts a notification already delivered into the same inboxes again, stamped `laterMs` later, as
   * an activity without delivery records did when a reset journey fired the step again: for tests
   * that sabotage the run and expect the invariants to notice.
   */
  deliverAgain(n: Notification, laterMs: number): Promise<void>;
}

export function recordActivities(table: LocalTable): RecordedActivities {
  const store = createJourneyActivities({ doc: table.doc, tableName: table.tableName });
  const notifications: Notification[] = [];
  const notifyCalls: string[] = [];
  const activities: JourneyActivities = {
    ...store,
    async notify(n) {
      await store.notify(n);
      notifyCalls.push(n.id);
      if (!notifications.some((x) => x.id === n.id)) notifications.push(n);
    },
    // The notifications a record write carries go through `notify` above (or whatever a test put
    // in its place), as the store's own recordJourney sends them after the write.
    async recordJourney({ notifications: carried = [], ...write }) {
      const written = await store.recordJourney(write);
      for (const n of carried) await activities.notify(n);
      return written;
    },
  };
  async function deliverAgain(n: Notification, laterMs: number): Promise<void> {
    const { Items = [] } = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sent)',
        ExpressionAttributeValues: { ':pk': `JOURNEY#${n.journeyId}`, ':sent': `SENT#${n.id}#` },
      }),
    );
    const createdAt = new Date(Date.parse(n.createdAt) + laterMs).toISOString();
    for (const sent of Items) {
      const { Item } = await table.doc.send(
        new GetCommand({ TableName: table.tableName, Key: { pk: sent.inboxPk, sk: sent.inboxSk } }),
      );
      if (!Item?.recipient) continue; // the team's list of alerts that reached no one
      const again = keys.inbox(Item.recipient as string, createdAt, n.id);
      await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...Item, ...again, createdAt } }));
    }
  }
  return {
    activities,
    store,
    read: createReadModel(table.doc, table.tableName),
    notifications,
    notifyCalls,
    deliverAgain,
  };
}
