/**
 * Whoever holds the Temporal namespace's credentials can signal any journey. With signing keys set
 * (temporal/payloadCodec.ts) the worker takes only what carepath's API sealed and signed: on the
 * dev server, with the real worker, API and DynamoDB Local, a forged `close` in a team lead's name —
 * in plaintext, sealed through the people's codec (what `/codec/encode` gives), signed with another
 * key, or sealed under a key nobody has — changes nothing and decides nothing, and the journey goes
 * on taking the API's commands. A forged start ends at once and holds no workflow id.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { commandOutcomeQuery, commandSignal, journeyQuery } from '../../temporal/journeyMessages.js';
import { codecFromEnv, EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import { careJourney } from '../../workflows/careJourney.js';
import { caseloadMove } from '../../workflows/caseloadMove.js';
import { useApiStack } from '../support/apiStack.js';

const sealing = parseCodecKeys(`k2:${newCodecKey()}`);
const codec = new EncryptionCodec(sealing, { signing: { keys: parseCodecKeys(`s1:${newCodecKey()}`) } });
const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), { codec });

describe('signed commands', () => {
  it('a forged command changes nothing, however it is sealed, and the journey carries on', async () => {
    const { call, token, rawClient } = api.get();
    const gp = await token('gp-ravi', 'referrer');
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const made = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: {
          nhsNumber: '9434765919',
          givenName: 'Ivy',
          familyName: 'Hart',
          birthDate: '1944-04-04',
          postcode: 'TQ5 9AA',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'two falls since the summer',
        urgency: 'urgent',
        conditions: [],
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(made.status).toBe(202);
    const { journeyId } = made.body as { journeyId: string };
    const workflowId = journeyId.slice(0, journeyId.lastIndexOf('.'));
    await expect.poll(async () => (await call('GET', `/journeys/${journeyId}`, { token: lead })).status).toBe(200);

    const connection = rawClient.connection;
    const forgers = {
      plaintext: rawClient,
      'sealed through the codec endpoint': new Client({
        connection,
        dataConverter: { payloadCodecs: [codec.forPeople()] },
      }),
      'signed with another key': new Client({
        connection,
        dataConverter: {
          payloadCodecs: [new EncryptionCodec(sealing, { signing: { keys: parseCodecKeys(`s1:${newCodecKey()}`) } })],
        },
      }),
      'sealed under a key nobody has': new Client({
        connection,
        dataConverter: { payloadCodecs: [new EncryptionCodec(parseCodecKeys(`k9:${newCodecKey()}`))] },
      }),
    };
    const forged: string[] = [];
    for (const client of Object.values(forgers)) {
      const commandId = `forged-${randomUUID()}`;
      forged.push(commandId);
      await client.workflow.getHandle(workflowId).signal(commandSignal, {
        commandId,
        type: 'close',
        command: { by: { sub: 'lead-raj', role: 'team-lead' }, reason: 'withdrawn', outcome: {} },
        sentAt: new Date().toISOString(),
        journeyId,
      });
    }

    // The journey still takes the API's commands: the lead's triage decision after the forgeries.
    const triaged = await call('POST', `/journeys/${journeyId}/triage`, {
      token: lead,
      json: { decision: 'accept', reason: 'MDT agreed', riskTier: 'high' },
    });
    expect(triaged.status).toBe(200);
    const reader = new Client({ connection, dataConverter: { payloadCodecs: [codec] } }).workflow.getHandle(workflowId);
    const state = await reader.query(journeyQuery);
    expect(state.phase).not.toBe('closed');
    expect(state.closure).toBeUndefined();
    expect(state.timeline.some((e) => e.type === 'journey.closed')).toBe(false);
    // Nothing was decided for any of them: a forged command is not even refused in the journey's name.
    for (const commandId of forged) expect(await reader.query(commandOutcomeQuery, commandId)).toBeUndefined();
    // They did arrive (Temporal took every signal), and no workflow task failed on them.
    const events = (await reader.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBeGreaterThanOrEqual(5);
    expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });

  it('a forged start ends at once, holding no journey', async () => {
    const { rawClient } = api.get();
    const handle = await rawClient.workflow.start(careJourney, {
      workflowId: `frailty-virtual-ward.forged${randomUUID().slice(0, 8)}`,
      taskQueue: 'carepath-journeys',
      args: [{ start: { patientId: 'p-forged', programme: { id: 'x' } as never, teamId: 'south-devon-1' } }],
    });
    // The worker's codec refuses its input; the journey returns at once, without a journey.
    const reader = new Client({ connection: rawClient.connection, dataConverter: { payloadCodecs: [codec] } });
    expect(await reader.workflow.getHandle(handle.workflowId).result()).toEqual({ journeyId: '' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('a forged caseload move ends at once, moving nothing', async () => {
    const { rawClient } = api.get();
    const handle = await rawClient.workflow.start(caseloadMove, {
      workflowId: `caseload-move.forged${randomUUID().slice(0, 8)}`,
      taskQueue: 'carepath-journeys',
      args: [
        {
          moveId: 'forged',
          teamId: 'south-devon-1',
          from: 'coord-ana',
          journeyIds: ['frailty-virtual-ward.pforged.0001'],
          by: { sub: 'lead-raj', role: 'team-lead' },
          requestedAt: new Date().toISOString(),
        } as never,
      ],
    });
    const reader = new Client({ connection: rawClient.connection, dataConverter: { payloadCodecs: [codec] } });
    expect(await reader.workflow.getHandle(handle.workflowId).result()).toMatchObject({
      total: 0,
      moved: 0,
      done: true,
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    // Ended in its first task: no activity was ever scheduled, no task failed.
    const E = temporal.api.enums.v1.EventType;
    const types = (await handle.fetchHistory()).events!.map((e) => e.eventType);
    expect(types).not.toContain(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(types).not.toContain(E.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(types).toContain(E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  });
});

describe('the signing codec', () => {
  const json = (value: unknown) => ({
    metadata: { encoding: new TextEncoder().encode('json/plain') },
    data: new TextEncoder().encode(JSON.stringify(value)),
  });
  const read = (p: { data?: Uint8Array | null }) => JSON.parse(Buffer.from(p.data!).toString()) as unknown;
  const old = parseCodecKeys(`k1:${newCodecKey()}`);
  const signingKeys = parseCodecKeys(`s1:${newCodecKey()}`);
  const both = { current: 'k2', keys: new Map([...sealing.keys, ...old.keys]) };

  it('opens history sealed before signing began only under the key ids named for it', async () => {
    const [before] = await new EncryptionCodec(old).encode([json({ type: 'close' })]);
    const named = new EncryptionCodec(both, { signing: { keys: signingKeys, unsignedKeyIds: new Set(['k1']) } });
    expect(read((await named.decode([before!]))[0]!)).toEqual({ type: 'close' });
    const unnamed = new EncryptionCodec(both, { signing: { keys: signingKeys } });
    expect(read((await unnamed.decode([before!]))[0]!)).toEqual({ 'carepath-refused': 'not signed' });
    // Made up under an old key's name: refused, never thrown (a thrown decode fails the journey's task forever).
    const madeUp = { ...before!, data: new Uint8Array(64) };
    expect(read((await named.decode([madeUp]))[0]!)).toEqual({ 'carepath-refused': 'not sealed by carepath' });
  });

  it('is loud about a signed payload it cannot open (a missing key is a deployment fault, not a forgery)', async () => {
    const signer = new EncryptionCodec(sealing, { signing: { keys: signingKeys } });
    const [signed] = await signer.encode([json({ ok: true })]);
    expect(read((await signer.decode([signed!]))[0]!)).toEqual({ ok: true });
    const lacksKey = new EncryptionCodec(old, { signing: { keys: signingKeys } });
    await expect(lacksKey.decode([signed!])).rejects.toThrow(/unknown key "k2"/);
  });

  it('refuses plaintext outside local development, and is configured from the environment', async () => {
    const env = { CAREPATH_CODEC_KEYS: `k2:${newCodecKey()}`, CAREPATH_SIGNING_KEYS: `s1:${newCodecKey()}` };
    expect(read((await codecFromEnv(env)!.decode([json({ a: 1 })]))[0]!)).toEqual({ 'carepath-refused': 'not sealed' });
    const local = codecFromEnv({ ...env, CAREPATH_CODEC_ALLOW_PLAINTEXT: '1' })!;
    expect(read((await local.decode([json({ a: 1 })]))[0]!)).toEqual({ a: 1 });
    expect(() => codecFromEnv({ CAREPATH_SIGNING_KEYS: env.CAREPATH_SIGNING_KEYS })).toThrow(
      /needs CAREPATH_CODEC_KEYS/,
    );
    expect(() => codecFromEnv({ ...env, CAREPATH_SIGNING_KEYS: 's1:short' })).toThrow(/CAREPATH_SIGNING_KEYS/);
  });
});
