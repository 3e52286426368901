/**
 * A failure's message and stack trace are sealed like any other payload (temporal/dataConverter.ts):
 * an activity that fails quoting what was entered shows Temporal "Encoded failure" and ciphertext,
 * and a client with the codec reads the message back.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { workerDataConverter } from '../../temporal/dataConverter.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { recordActivities } from '../support/recordingActivities.js';
import { newPatientId, programme, referral, useJourneyTestEnv } from '../support/journeyTestEnv.js';
import { careJourney } from '../../workflows/careJourney.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { readFileSync } from 'node:fs';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

describe('failure messages in Temporal', () => {
  it('are encoded and sealed by the codec: Temporal sees neither the message nor the stack', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(`t1:${newCodecKey()}`));
    const secret = 'Albert Pennington: carer at breaking point';
    const seen = recordActivities(currentTable());
    const taskQueue = `failure-${newPatientId()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      // The record cannot be written, and the error says why in words a person entered.
      activities: {
        ...seen.activities,
        recordJourney: () => Promise.reject(new Error(`could not record: ${secret}`)),
      },
      dataConverter: workerDataConverter(codec),
    });
    await worker.runUntil(async () => {
      // Started as the API starts a journey; it answers nobody until its record is written, so
      // nothing waits for it here.
      const sentAt = new Date(await env.currentTimeMs()).toISOString();
      const frailty = programme('frailty-virtual-ward');
      const patientId = newPatientId();
      // Through a client with the codec, as the API sends it: the worker's codec refuses plaintext.
      const withCodec = new Client({ connection: env.client.connection, dataConverter: { payloadCodecs: [codec] } });
      const handle = await withCodec.workflow.start(careJourney, {
        workflowId: journeyWorkflowId(frailty.id, patientId),
        taskQueue,
        args: [
          {
            start: { patientId, programme: frailty, teamId: 'south-devon-1' },
            referrals: [referral()],
            startedAt: sentAt,
          },
        ],
      });
      const j = { handle };
      const pending = async () => (await j.handle.describe()).raw.pendingActivities?.[0]?.lastFailure;
      await expect.poll(pending, { timeout: 15_000 }).toBeTruthy();
      const failure = (await pending())!;
      // What Temporal holds: a placeholder, and the message and stack in a sealed payload.
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
      expect(Buffer.from(failure.encodedAttributes!.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(JSON.stringify(failure)).not.toContain('Pennington');
      expect(Buffer.from(failure.encodedAttributes!.data!).toString('latin1')).not.toContain('Pennington');

      // A client with the codec (operations staff, through the codec endpoint) reads it.
      const described = await withCodec.workflow.getHandle(j.handle.workflowId).describe();
      expect(described.raw.pendingActivities?.[0]?.lastFailure?.message).toBe('Encoded failure'); // raw stays sealed
      const [opened] = await codec.decode([failure.encodedAttributes!]);
      expect(JSON.parse(Buffer.from(opened!.data!).toString())).toMatchObject({
        message: `could not record: ${secret}`,
      });
      await j.handle.terminate('test finished');
    });
  });

  it('workflow code fails the same way: the bundle carries the encoding failure converter', () => {
    const bundle = readFileSync(inject('workflowBundlePath'), 'utf8');
    expect(bundle).toContain('encodeCommonAttributes: true');
  });
});
