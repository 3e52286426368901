/**
 * Payload-codec key rotation end to end, on one Temporal dev server: journeys are written by a
 * worker and API sealing with key k1; then both are replaced by ones configured `k2,k1` (the new
 * key first, so it seals; the old one kept, so it opens). The new worker replays the old history,
 * the journey carries on with new events sealed under k2, and the codec endpoint of the new API
 * opens every payload of the history — old key and new — for ops staff. The old API, knowing only
 * k1, cannot open the new payloads: the rotation is real, not a no-op.
 */
import { randomBytes } from 'node:crypto';
import type { ServerType } from '@hono/node-server';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel } from '../../activities/readModel.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { codecSessionsSealedWith } from '../../lambdas/codecSessions.js';
import { startApiServer } from '../../lambdas/server.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { startDevServer } from '../support/devServer.js';

useDynamoDbLocal();

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const OLD = `k1:${newCodecKey()}`;
const ROTATED = `k2:${newCodecKey()},${OLD}`;
const auth = devAuthenticator(randomBytes(32).toString('hex'));
const pseudonymKey = randomBytes(32);

let env: TestWorkflowEnvironment;
const servers: ServerType[] = [];
let worker: { worker: Worker; running: Promise<void> } | undefined;

async function startWorker(keys: string) {
  const table = currentTable();
  const w = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: JOURNEY_TASK_QUEUE,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createJourneyActivities({ doc: table.doc, tableName: table.tableName }),
    dataConverter: { payloadCodecs: [new EncryptionCodec(parseCodecKeys(keys))] },
  });
  return { worker: w, running: w.run() };
}

async function startApi(keys: string) {
  const table = currentTable();
  const codec = new EncryptionCodec(parseCodecKeys(keys));
  const client = new Client({ connection: env.client.connection, dataConverter: { payloadCodecs: [codec] } });
  const server = await startApiServer(
    {
      programmes,
      gateway: createJourneyGateway(client),
      read: createReadModel(table.doc, table.tableName),
      auth,
      pseudonymKey,
      codec,
      health: async () => ({ temporal: true, dynamodb: true }),
    },
    0,
  );
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return async (method: string, path: string, bearer: string, json?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
}

beforeAll(async () => {
  env = await startDevServer();
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  if (worker) {
    worker.worker.shutdown();
    await worker.running.catch(() => undefined);
  }
  await env?.teardown();
});

const asJson = (payloads: Payload[]) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});
const keyOf = (p: Payload) => Buffer.from(p.metadata?.['encryption-key-id'] ?? new Uint8Array()).toString();

/**
 * Every payload in a history that the codec seals. Search attributes are not among them: Temporal
 * keeps them readable to index them, which is why they never hold an identifier. Nor are patch
 * markers (`patched()` in the workflow), which sdk-core writes itself: they hold the patch's name
 * and nothing else, as `patchMarkers` shows.
 */
function payloadsIn(value: unknown, found: Payload[] = [], where = '', patchMarkers: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((v) => payloadsIn(v, found, where, patchMarkers));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'data' in o && !Array.isArray(o.metadata)) {
      if (where.includes('markerRecordedEventAttributes.details.patch-data')) patchMarkers.push(o as Payload);
      else if (!where.includes('searchAttributes')) found.push(o as Payload);
    } else Object.entries(o).forEach(([k, v]) => payloadsIn(v, found, `${where}.${k}`, patchMarkers));
  }
  return found;
}

/** The patch markers of a history, as text: each names its patch and says nothing else. */
function patchMarkersIn(history: unknown): string[] {
  const markers: Payload[] = [];
  payloadsIn(history, [], '', markers);
  return markers.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString());
}

describe('payload codec key rotation', () => {
  it('history sealed under the old key still replays and decodes after a new key is put first', async () => {
    // Decoding takes a break-glass codec session (as POST /auth/codec-session issues one); both
    // APIs share the secret sessions are sealed under, as every instance of a deployment does.
    const ops = codecSessionsSealedWith(pseudonymKey).issue({ sub: 'ops-1', role: 'ops' }, new Date()).token;
    const raj = await auth.devToken!({ sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] });
    const gp = await auth.devToken!({ sub: 'gp-1', role: 'referrer', teams: [] });

    // Before: everything under k1.
    worker = await startWorker(OLD);
    const oldApi = await startApi(OLD);
    const reason = 'Lives alone, two falls since the summer';
    const made = await oldApi('POST', '/referrals', gp, {
      patient: {
        nhsNumber: '9434765919',
        givenName: 'Ivy',
        familyName: 'Hart',
        birthDate: '1944-04-04',
        postcode: 'TQ5 9AA',
      },
      programme: 'frailty-virtual-ward',
      source: 'gp',
      reason,
      urgency: 'routine',
      conditions: ['copd'],
      admissionsLast12Months: 1,
      consent: { given: true, recordedBy: 'GP' },
    });
    expect(made.status).toBe(202);
    expect(made.body.phase).toBe('triage');
    const journeyId = made.body.journeyId as string;
    const handle = env.client.workflow.getHandle(journeyId.slice(0, journeyId.lastIndexOf('.')));
    // The referral is answered as the journey starts; wait for the journey's own first writes.
    await expect
      .poll(async () => payloadsIn(await handle.fetchHistory()).length, { timeout: 15_000 })
      .toBeGreaterThan(2);
    const before = payloadsIn(await handle.fetchHistory());
    // One patch marker stands for every change made before the baseline (workflows/careJourney.ts).
    expect(patchMarkersIn(await handle.fetchHistory()).map((m) => JSON.parse(m) as unknown)).toEqual([
      { id: 'baseline-2026-12', deprecated: false },
    ]);
    expect(new Set(before.map(keyOf))).toEqual(new Set(['k1']));

    // Rotate: the old worker goes, a worker and an API with k2 first take over.
    worker.worker.shutdown();
    await worker.running;
    worker = await startWorker(ROTATED);
    const newApi = await startApi(ROTATED);

    // The new worker replays the k1 history to answer; the journey carries on under k2.
    const detail = await newApi('GET', `/journeys/${journeyId}`, raj);
    expect(detail).toMatchObject({ status: 200, body: { id: journeyId, phase: 'triage' } });
    const triaged = await newApi('POST', `/journeys/${journeyId}/triage`, raj, {
      decision: 'accept',
      reason: 'frailty and falls',
    });
    expect(triaged).toMatchObject({ status: 200, body: { phase: 'assessment' } });

    const after = payloadsIn(await handle.fetchHistory());
    const keys = new Set(after.map(keyOf));
    expect(keys).toEqual(new Set(['k1', 'k2']));

    // Ops staff decode the whole history, old and new, through the new codec endpoint.
    const decoded = await newApi('POST', '/codec/decode', ops, asJson(after));
    expect(decoded.status).toBe(200);
    const plain = (decoded.body.payloads as { metadata: Record<string, string>; data: string }[]).map((p) => ({
      encoding: Buffer.from(p.metadata.encoding ?? '', 'base64').toString(),
      data: Buffer.from(p.data, 'base64').toString(),
    }));
    expect(plain).toHaveLength(after.length);
    expect(plain.every((p) => p.encoding.startsWith('json/') || p.encoding === 'binary/null')).toBe(true);
    const text = plain.map((p) => p.data).join('\n');
    expect(text).toContain(reason); // the referral, sealed under k1
    expect(text).toContain('frailty and falls'); // the triage, sealed under k2

    // The old API (k1 only) cannot open what k2 sealed; it still opens its own.
    const newOnly = after.filter((p) => keyOf(p) === 'k2');
    expect((await oldApi('POST', '/codec/decode', ops, asJson(newOnly))).status).toBe(422);
    expect((await oldApi('POST', '/codec/decode', ops, asJson(after.filter((p) => keyOf(p) === 'k1')))).status).toBe(
      200,
    );
  });
});
