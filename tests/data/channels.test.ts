/**
 * Notification channels. SES cannot run on this machine, so the SES client's transport is cut
 * short to capture the request it would send; the inbox side runs on DynamoDB Local for real.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { sesEmailChannel, type NotificationChannel } from '../../activities/channels.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import type { Notification } from '../../domain/journey.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';

useDynamoDbLocal();

const n: Notification = {
  id: 'frailty-virtual-ward.pabc123.0123456789ab/assessment/2',
  journeyId: 'frailty-virtual-ward.pabc123.0123456789ab',
  programmeId: 'frailty-virtual-ward',
  teamId: 'south-devon-1',
  kind: 'escalation',
  level: 1,
  deadline: 'assessment',
  dueAt: '2026-12-01T09:00:00.000Z',
  recipients: ['lead-raj', 'lead-sian'],
  message: 'assessment was due 2026-12-01T09:00:00.000Z',
  createdAt: '2026-12-02T09:00:00.000Z',
};

describe('email through SES', () => {
  it('sends each recipient one message naming the deadline and linking the journey — once, even when the step is retried', async () => {
    const sent: Record<string, unknown>[] = [];
    const ses = new SESv2Client({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    ses.middlewareStack.add(
      () => async (args) => {
        sent.push(args.input as Record<string, unknown>);
        return { output: { MessageId: `m${sent.length}`, $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'captureInsteadOfSending' },
    );
    const email: NotificationChannel = sesEmailChannel(ses, {
      from: 'carepath@ics.example.nhs.uk',
      addressTemplate: '{id}@nhs.net',
      dashboardUrl: 'https://carepath.example.nhs.uk/',
    });
    const table = currentTable();
    const acts = createJourneyActivities({ doc: table.doc, tableName: table.tableName, channels: [email] });
    await acts.notify(n);
    await acts.notify(n); // a retried activity
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => (s.Destination as { ToAddresses: string[] }).ToAddresses)).toEqual([
      ['lead-raj@nhs.net'],
      ['lead-sian@nhs.net'],
    ]);
    expect(sent[0]).toMatchObject({
      FromEmailAddress: 'carepath@ics.example.nhs.uk',
      Content: {
        Simple: {
          Subject: { Data: '[carepath] Escalation (level 1): assessment' },
          Body: {
            Text: {
              Data: `${n.message}\n\nhttps://carepath.example.nhs.uk/journeys/${encodeURIComponent(n.journeyId)}`,
            },
          },
        },
      },
    });
  });
});
