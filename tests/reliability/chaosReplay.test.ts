/**
 * The chaos run's `replay` invariant (scripts/chaosCheck.ts, `checkReplays`): every journey's
 * history is replayed from the start with the bundle the workers ran. It must pass a journey the
 * real workflow made, and fail one the real workflow cannot replay — the shape a worker kill left
 * behind before messages waited for the main loop (docs/reliability.md). Each history is also
 * replayed with empty workflow tasks put in (scripts/foldedTasks.ts): the real journey passes,
 * and a workflow that decides from its history length, which replays as it ran, is named. On the
 * Temporal dev server and DynamoDB Local.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { journeyIdFor } from '../../domain/journeyIds.js';
import { checkReplays } from '../../scripts/chaosCheck.js';
import { referralSignal } from '../../temporal/journeyMessages.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { careJourney } from '../../workflows/careJourney.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { newPatientId, programme, referral } from '../support/journeyTestEnv.js';
import { startDevServer } from '../support/devServer.js';
import { lengthReadingJourney, poke } from '../fixtures/lengthReadingJourney.js';

const E = proto.temporal.api.enums.v1.EventType;

describe('replaying every journey history after a chaos run', () => {
  useDynamoDbLocal();
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** Begins a journey on a worker running `workflowsPath`, and waits until it has set its first timer. */
  async function begin(workflowsPath: string, taskQueue: string): Promise<string> {
    const table = currentTable();
    const p = programme('frailty-virtual-ward');
    const workflowId = `${p.id}.${newPatientId()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: createJourneyActivities({ doc: table.doc, tableName: table.tableName }),
    });
    return worker.runUntil(async () => {
      const h = await env.client.workflow.signalWithStart(careJourney, {
        workflowId,
        taskQueue,
        args: [{ start: { patientId: 'p-replay', programme: p, teamId: p.teams[0]!.id } }],
        signal: referralSignal,
        signalArgs: [referral({ teamId: p.teams[0]!.id }), { sentAt: new Date().toISOString() }],
      });
      for (;;) {
        const { events } = await h.fetchHistory();
        if (events?.some((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return journeyIdFor(workflowId, h.signaledRunId);
    });
  }

  it('passes a journey the real workflow made and names the one it cannot replay', async () => {
    const real = await begin(
      fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
      `${JOURNEY_TASK_QUEUE}-replay-real`,
    );
    const divergent = await begin(
      fileURLToPath(new URL('../fixtures/divergentJourney.ts', import.meta.url)),
      `${JOURNEY_TASK_QUEUE}-replay-divergent`,
    );

    const { replayed, replayedWithEmptyTasks, violations } = await checkReplays({
      client: env.client,
      workflowBundlePath: inject('workflowBundlePath'),
      dataConverter: {},
      journeyIds: [real, divergent],
    });
    expect(replayed).toBe(2);
    expect(replayedWithEmptyTasks).toBe(2);
    // Named as it ran, and again with the empty tasks put in; the real journey neither time.
    expect(violations).toEqual([
      {
        journeyId: divergent,
        invariant: 'replay',
        detail: expect.stringMatching(/^its history does not replay: .*\[TMPRL1100\]/) as string,
      },
      {
        journeyId: divergent,
        invariant: 'replay',
        detail: expect.stringMatching(
          /^its history with empty workflow tasks put in does not replay: .*\[TMPRL1100\]/,
        ) as string,
      },
    ]);
  }, 120_000);

  it('replays each history again with empty workflow tasks put in, and names a workflow that decides from its length', async () => {
    // A workflow that reads its history length replays as it ran, and not with the empty tasks
    // (the real journeys replay with them: tests/reliability/chaos.test.ts).
    const workflowsPath = fileURLToPath(new URL('../fixtures/lengthReadingJourney.ts', import.meta.url));
    const taskQueue = `length-${process.pid}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath });
    const workflowId = `length-reading.${newPatientId()}`;
    const runId = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(lengthReadingJourney, { taskQueue, workflowId });
      for (let i = 1; i <= 4; i += 1) {
        // Each poke between tasks: the workflow has handled the one before.
        await expect.poll(async () => (await handle.describe()).raw.pendingWorkflowTask).toBeFalsy();
        await handle.signal(poke);
      }
      await handle.result();
      return handle.firstExecutionRunId;
    });
    const dir = mkdtempSync(join(tmpdir(), 'carepath-length-'));
    try {
      const bundle = join(dir, 'length-bundle.js');
      writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') })).code);
      const length = journeyIdFor(workflowId, runId);
      const result = await checkReplays({
        client: env.client,
        workflowBundlePath: bundle,
        dataConverter: {},
        journeyIds: [length],
      });
      expect(result.replayed).toBe(1);
      expect(result.replayedWithEmptyTasks).toBe(1);
      expect(result.emptyTasksInserted).toBeGreaterThanOrEqual(1); // before the first poke: it was idle
      expect(result.violations).toEqual([
        {
          journeyId: length,
          invariant: 'replay',
          detail: expect.stringMatching(
            /^its history with empty workflow tasks put in does not replay: .*TMPRL1100/,
          ) as string,
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
