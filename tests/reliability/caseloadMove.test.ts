/**
 * Moving a caseload (issue 18) on the real platform: the Temporal dev server, DynamoDB Local, the
 * API in this process and the worker as a process of its own, killed with SIGKILL part-way through
 * the move and brought back, as a container scheduler would. 300 journeys of one co-ordinator move
 * in one request; each is reassigned exactly once, balanced over the two co-ordinators with room.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { createDocumentClient, dataConfigFromEnv, ensureTable } from '../../activities/dynamo.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { AppDeps } from '../../lambdas/app.js';
import { startApiServer } from '../../lambdas/server.js';
import { appDepsFromEnv } from '../../lambdas/wiring.js';
import { Faults } from '../../scripts/chaosFaults.js';
import { httpClient, type Call } from '../../scripts/httpClient.js';
import { freePort } from '../../scripts/localServices.js';
import { newCodecKey } from '../../temporal/payloadCodec.js';
import type { CaseloadMoveProgress } from '../../domain/caseloadMove.js';

const JOURNEYS = 300;
const TEAM = 'south-devon-1';
const lines: string[] = [];
let faults: Faults;
let deps: AppDeps;
let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
let call: Call;
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'carepath-move-'));
  const ports = { api: await freePort(), dynamo: await freePort(), temporal: await freePort(), ui: await freePort() };
  const programmesFile = join(dataDir, 'programmes.yaml');
  writeFileSync(
    programmesFile,
    stringify({ programmes: builtInProgrammes.filter((p) => p.id === 'frailty-virtual-ward') }),
  );
  env = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_NAMESPACE: 'default',
    CAREPATH_DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamo}`,
    CAREPATH_TABLE: 'carepath-move',
    CAREPATH_PROGRAMMES: programmesFile,
    CAREPATH_CODEC_KEYS: `move1:${newCodecKey()}`,
    CAREPATH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    CAREPATH_DEV_AUTH: '1',
    CAREPATH_DEV_AUTH_SECRET: randomBytes(32).toString('hex'),
    CAREPATH_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    CAREPATH_RATE_LIMIT_INTAKE: '0',
  };
  delete env.COGNITO_USER_POOL_ID;
  faults = new Faults({ toolchain: inject('toolchain'), dataDir, ports, workerEnv: env, log: (l) => lines.push(l) });
  await faults.startServices();
  const data = dataConfigFromEnv(env);
  await ensureTable(createDocumentClient(data), data.tableName);
  faults.startWorker();
  deps = await appDepsFromEnv(env);
  server = await startApiServer(deps, ports.api);
  call = httpClient(`http://127.0.0.1:${ports.api}`);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await faults?.stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('moving a caseload', () => {
  it('moves 300 journeys in one request, each reassigned exactly once, though the worker is killed part-way', async () => {
    const data = dataConfigFromEnv(env);
    const directory = createStaffDirectory(createDocumentClient(data), data.tableName);
    const coordinator = (maxCaseload: number) => ({ roles: ['coordinator' as const], teams: [TEAM], maxCaseload });
    // Ana holds the team's journeys; Joe and Nia are full until the move.
    await directory.putMember('coord-ana', { name: 'Ana Silva', ...coordinator(400) }, 'test');
    await directory.putMember('coord-joe', { name: 'Joe Penrose', ...coordinator(0) }, 'test');
    await directory.putMember('coord-nia', { name: 'Nia Newton', ...coordinator(0) }, 'test');

    const token = (sub: string, role: string, teams: string[] = []) =>
      deps.auth.devToken!({ sub, role: role as never, teams });
    const lead = await token('lead-raj', 'team-lead', [TEAM]);
    // The journeys are opened as the API opens them (the gateway's start with the referral), ten at
    // a time: the referral route's own checks are not what this test is about.
    const programme = deps.programmes.find((p) => p.id === 'frailty-virtual-ward')!;
    let next = 0;
    const refer = async () => {
      for (let i = next++; i < JOURNEYS; i = next++) {
        const opened = await deps.gateway.refer(programme, `pmove${String(i).padStart(6, '0')}`, {
          referralId: `move-referral-${i}`,
          receivedAt: new Date().toISOString(),
          source: 'gp',
          reason: 'frailty, falls',
          urgency: 'routine',
          age: 88,
          teamId: TEAM,
          conditions: ['falls', 'copd', 'heart failure', 'diabetes'],
          livesAlone: true,
          admissionsLast12Months: 2,
          consentGiven: true,
        });
        expect(opened.phase).toBe('assessment');
      }
    };
    await Promise.all(Array.from({ length: 10 }, refer));
    const load = async () => new Map((await deps.read.caseloads(TEAM)).map((c) => [c.coordinatorId, c.count]));
    await expect
      .poll(async () => (await load()).get('coord-ana'), { timeout: 120_000, interval: 1_000 })
      .toBe(JOURNEYS);
    // The counter moves when a journey is assigned; the journey's summary, which the move lists
    // by co-ordinator, is written by a later activity. Wait for what the move will read.
    const listed = async () => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await deps.read.journeysByCoordinator('coord-ana', 200, cursor);
        count += page.items.filter((j) => j.teamId === TEAM && j.phase !== 'closed').length;
        cursor = page.nextCursor;
      } while (cursor);
      return count;
    };
    await expect.poll(listed, { timeout: 120_000, interval: 1_000 }).toBe(JOURNEYS);

    // Joe and Nia now have room for the lot between them.
    await directory.putMember('coord-joe', { name: 'Joe Penrose', ...coordinator(200) }, 'test');
    await directory.putMember('coord-nia', { name: 'Nia Newton', ...coordinator(200) }, 'test');
    const body = { teamId: TEAM, from: 'coord-ana' };
    const asked = await call('POST', '/caseload-moves', {
      token: lead,
      json: body,
      headers: { 'idempotency-key': 'ana-leaves' },
    });
    expect(asked.status, asked.text).toBe(202);
    const { moveId, total } = asked.body as { moveId: string; total: number };
    expect(total).toBe(JOURNEYS);
    // The same request again is the same move, not a second one.
    const again = await call('POST', '/caseload-moves', {
      token: lead,
      json: body,
      headers: { 'idempotency-key': 'ana-leaves' },
    });
    expect(again.body).toMatchObject({ moveId, started: false });

    const progress = async () =>
      (
        (await call('GET', `/caseload-moves?team=${TEAM}`, { token: lead })).body as { items: CaseloadMoveProgress[] }
      ).items.find((m) => m.moveId === moveId);
    // Part-way through, the worker is killed; the scheduler brings another.
    await expect
      .poll(async () => (await progress())?.moved ?? 0, { timeout: 120_000, interval: 200 })
      .toBeGreaterThanOrEqual(40);
    const movedAtKill = (await progress())!.moved;
    expect(movedAtKill).toBeLessThan(JOURNEYS);
    await faults.killWorker();
    await expect.poll(async () => (await progress())?.done, { timeout: 240_000, interval: 1_000 }).toBe(true);

    const done = (await progress())!;
    expect(done).toMatchObject({ total: JOURNEYS, moved: JOURNEYS, skipped: [], notMoved: [], by: 'lead-raj' });
    expect(done.movedTo).toEqual({ 'coord-joe': 150, 'coord-nia': 150 });
    expect(faults.counts.workerKills).toBe(1);
    // Each journey reassigned exactly once, by the lead, and each where the caseloads say.
    const after = await load();
    expect([after.get('coord-ana') ?? 0, after.get('coord-joe'), after.get('coord-nia')]).toEqual([0, 150, 150]);
    const ana = await deps.read.journeysByCoordinator('coord-ana', 10);
    expect(ana.items).toEqual([]);
    let reassignments = 0;
    for (const coordinatorId of ['coord-joe', 'coord-nia']) {
      let cursor: string | undefined;
      do {
        const page = await deps.read.journeysByCoordinator(coordinatorId, 100, cursor);
        for (const j of page.items) {
          const trail = await deps.read.auditTrail(j.id, 500);
          const moves = trail.items.filter((e) => e.type === 'coordinator.reassigned');
          expect(moves, j.id).toHaveLength(1);
          expect(moves[0]).toMatchObject({ by: 'lead-raj', data: { from: 'coord-ana', coordinatorId } });
          reassignments += 1;
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    expect(reassignments).toBe(JOURNEYS);
  }, 600_000);
});
