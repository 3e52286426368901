/** The worker's activities, wired to DynamoDB from the environment. */
import { logChannel } from './channels.js';
import { createDocumentClient, dataConfigFromEnv } from './dynamo.js';
import { createJourneyActivities } from './journeyStore.js';

export function activitiesFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const config = dataConfigFromEnv(env);
  return createJourneyActivities({ doc: createDocumentClient(config), tableName: config.tableName, channels: [logChannel] });
}
