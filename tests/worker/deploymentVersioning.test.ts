/**
 * Worker Deployment Versioning (ADR 0013, HAZ-31) on the real Temporal dev server and DynamoDB
 * Local, with the journey worker as `worker/main.ts` builds it. A worker takes journey work only
 * while its version is current; a new worker makes its own version current once it polls, and from
 * then on the old version gets none. A journey started before any worker was versioned moves to
 * the current version.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIdOf, currentBuildId, JOURNEY_DEPLOYMENT, makeCurrent } from '../../worker/deployment.js';
import { createJourneyWorker, type JourneyWorker } from '../../worker/main.js';
import { bundleJourneyWorkflows } from '../../worker/workflowBundle.js';
import { hospitalEventSignal, referralSignal } from '../../temporal/journeyMessages.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { careJourney } from '../../workflows/careJourney.js';
import { startLocalTable, type LocalTable } from '../support/dynamoDbLocal.js';
import { startDevServer } from '../support/devServer.js';
import { newPatientId, programme, referral } from '../support/journeyTestEnv.js';

let env: TestWorkflowEnvironment;
let table: LocalTable;
let dir: string;
let bundlePath: string;
const running: Promise<unknown>[] = [];
const workers: JourneyWorker[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-versions-'));
  bundlePath = join(dir, 'workflow-bundle.js');
  [env, table] = await Promise.all([startDevServer(), startLocalTable()]);
  writeFileSync(bundlePath, await bundleJourneyWorkflows());
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
  await Promise.allSettled(running);
  await Promise.all([env?.teardown(), table?.service.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A journey worker as the container runs it, as version `buildId`. */
async function journeyWorker(buildId: string): Promise<JourneyWorker> {
  const w = await createJourneyWorker(
    { address: env.address, namespace: 'default', maxCachedWorkflows: 100, workflowBundlePath: bundlePath },
    {
      CAREPATH_DYNAMODB_ENDPOINT: table.endpoint,
      CAREPATH_TABLE: table.tableName,
      CAREPATH_BUILD_ID: buildId,
    },
  );
  workers.push(w);
  return w;
}

/** The versions whose workers completed the journey's workflow tasks, in order. */
async function versionsThatWorked(h: WorkflowHandle): Promise<string[]> {
  const { events } = await h.fetchHistory();
  return (events ?? []).flatMap((e) =>
    e.workflowTaskCompletedEventAttributes
      ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? '']
      : [],
  );
}

/** Until the journey has done all it was given: no workflow task or activity waiting or running. */
async function settled(h: WorkflowHandle): Promise<void> {
  await expect
    .poll(
      async () => {
        const { raw } = await h.describe();
        return Boolean(raw.pendingWorkflowTask || raw.pendingActivities?.length);
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(false);
}

const admitted = (controlId: string) => ({
  controlId,
  event: 'A01' as const,
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
  location: 'Ward 3',
});

describe('journey workers in deployment versions', () => {
  it('names a version by its workflow code', () => {
    expect(buildIdOf('code')).toBe(buildIdOf('code'));
    expect(buildIdOf('code')).not.toBe(buildIdOf('other code'));
    expect(buildIdOf('code')).toMatch(/^journeys-[0-9a-f]{16}$/);
  });

  it('gives journey work only to the current version: a new worker makes itself current, and the old one then gets none (HAZ-31)', async () => {
    const p = programme('frailty-virtual-ward');
    const client = env.client;
    // A journey referred before any versioned worker ran: its first task waits, unversioned.
    const h = await client.workflow.signalWithStart(careJourney, {
      workflowId: `${p.id}.${newPatientId()}`,
      taskQueue: JOURNEY_TASK_QUEUE,
      args: [{ start: { patientId: 'p-versions', programme: p, teamId: p.teams[0]!.id } }],
      signal: referralSignal,
      signalArgs: [referral({ teamId: p.teams[0]!.id }), { sentAt: new Date().toISOString() }],
    });
    expect(await currentBuildId(client)).toBeUndefined();

    // Version one starts, makes itself current once it polls, and takes the waiting journey.
    const one = await journeyWorker('one');
    let oneReady = false;
    running.push(one.run(() => (oneReady = true)));
    await expect.poll(() => oneReady, { timeout: 30_000 }).toBe(true);
    expect(await currentBuildId(client)).toBe('one');
    await expect.poll(() => versionsThatWorked(h), { timeout: 30_000 }).toContain('one');
    expect(new Set(await versionsThatWorked(h))).toEqual(new Set(['one']));

    // Version two polls but is not current (its worker runs without making itself current): the
    // journey's next work still goes to version one.
    const two = await journeyWorker('two');
    running.push(two.worker.run());
    await expect.poll(() => two.worker.getState()).toBe('RUNNING');
    const before = (await versionsThatWorked(h)).length;
    await h.signal(hospitalEventSignal, admitted('versions-a01'));
    await expect.poll(async () => (await versionsThatWorked(h)).length, { timeout: 30_000 }).toBeGreaterThan(before);
    await settled(h);
    expect(new Set(await versionsThatWorked(h))).toEqual(new Set(['one']));

    // Made current, as a new worker makes itself: from then on only version two works.
    expect(await makeCurrent(client, two.version!)).toBe('made current');
    expect(await makeCurrent(client, two.version!)).toBe('already current');
    const switched = (await versionsThatWorked(h)).length;
    await h.signal(hospitalEventSignal, { ...admitted('versions-a03'), event: 'A03' as const });
    await expect.poll(async () => (await versionsThatWorked(h)).length, { timeout: 30_000 }).toBeGreaterThan(switched);
    await settled(h);
    const after = (await versionsThatWorked(h)).slice(switched);
    expect(new Set(after)).toEqual(new Set(['two']));
    const { raw } = await h.describe();
    expect(raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion).toMatchObject({
      deploymentName: JOURNEY_DEPLOYMENT,
      buildId: 'two',
    });
  }, 180_000);
});
