/** The worker's activities, wired to DynamoDB (and SES email, where configured) from the environment. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { emailSettingsFromEnv, logChannel, sesEmailChannel, type NotificationChannel } from './channels.js';
import { createDocumentClient, dataConfigFromEnv } from './dynamo.js';
import { createJourneyActivities } from './journeyStore.js';

export function activitiesFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const config = dataConfigFromEnv(env);
  const email = emailSettingsFromEnv(env);
  const channels: NotificationChannel[] = [
    logChannel,
    ...(email
      ? [
          sesEmailChannel(
            new SESv2Client({
              region: config.region,
              maxAttempts: 2,
              requestHandler: { connectionTimeout: 1_000, requestTimeout: 4_000 },
            }),
            email,
          ),
        ]
      : []),
  ];
  return createJourneyActivities({ doc: createDocumentClient(config), tableName: config.tableName, channels });
}
