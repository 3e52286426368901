/**
 * The real DynamoDB activities, with a record of every notify call kept on the side so that
 * workflow tests can tell "notified once" from "asked twice and deduplicated by the store".
 */
import type { JourneyActivities } from '../../activities/contract.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel, type ReadModel } from '../../activities/readModel.js';
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
  };
  return { activities, store, read: createReadModel(table.doc, table.tableName), notifications, notifyCalls };
}
