/**
 * Notification channels. SES cannot run on this machine, so the SES client's transport is cut
 * short to capture the request it would send; the inbox side runs on DynamoDB Local for real.
 * Each inbox item and each email happens once per notification and recipient (issue 19): not
 * twice for a retried activity or a reset journey, and a failed email is sent on the retry.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { sesEmailChannel, type NotificationChannel } from '../../activities/channels.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel } from '../../activities/readModel.js';
import type { Notification } from '../../domain/journey.js';
import { capturingSes, channelOf, sentTo } from '../support/capturingSes.js';
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

  it('reaches each inbox and sends each email once when a reset journey stamps the same step with another time', async () => {
    const { ses, sent } = capturingSes();
    const table = currentTable();
    const acts = createJourneyActivities({ doc: table.doc, tableName: table.tableName, channels: [channelOf(ses)] });
    const step = { ...n, id: `${n.journeyId}/review/0` };
    await acts.notify(step);
    // After a reset the journey decides the step again, at the time its new task runs.
    await acts.notify({ ...step, createdAt: '2026-12-02T09:05:00.000Z' });
    expect(sent.map(to)).toEqual(['lead-raj@nhs.net', 'lead-sian@nhs.net']);
    for (const lead of ['lead-raj', 'lead-sian'])
      expect((await inboxOf(lead)).filter((i) => i.id === step.id).map((i) => i.createdAt)).toEqual([step.createdAt]);
  });

  it('sends again an email that failed, on the retry, and none that was sent', async () => {
    let failed = false;
    const { ses, sent } = capturingSes((input) => {
      if (to(input) === 'lead-sian@nhs.net' && !failed) {
        failed = true;
        throw Object.assign(new Error('Throttling: maximum sending rate exceeded'), {
          name: 'TooManyRequestsException',
        });
      }
    });
    const table = currentTable();
    const acts = createJourneyActivities({ doc: table.doc, tableName: table.tableName, channels: [channelOf(ses)] });
    const step = { ...n, id: `${n.journeyId}/care-plan/1` };
    await expect(acts.notify(step)).rejects.toThrow(/maximum sending rate/);
    expect(sent.map(to)).toEqual(['lead-raj@nhs.net']);
    await acts.notify(step); // Temporal retries the activity
    expect(sent.map(to)).toEqual(['lead-raj@nhs.net', 'lead-sian@nhs.net']);
    await acts.notify(step);
    expect(sent).toHaveLength(2);
    expect((await inboxOf('lead-sian')).filter((i) => i.id === step.id)).toHaveLength(1);
  });
});

const to = sentTo;
const inboxOf = async (userId: string) =>
  (await createReadModel(currentTable().doc, currentTable().tableName).inbox(userId)).items;
