/**
 * A journey whose history the journey workflow cannot replay is found by the worker (sdk-core's
 * failing-task warning), reset to the last task before the divergence, and carries on — its id,
 * its referral and the hospital message that arrived while it was stuck all kept. On the real
 * Temporal dev server and DynamoDB Local.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import proto, { type temporal as protos } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { careJourney } from '../../workflows/careJourney.js';
import { hospitalEventSignal, journeyQuery, referralSignal } from '../../temporal/journeyMessages.js';
import { JourneyRepair, isReplayDivergence, resetPointFor } from '../../worker/journeyRepair.js';
import { installWorkerRuntime, onFailingWorkflowTask } from '../../worker/runtime.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { newPatientId, programme, referral } from '../support/journeyTestEnv.js';
import { startDevServer } from '../support/devServer.js';

const { temporal } = proto;
const E = temporal.api.enums.v1.EventType;
const event = (id: number, eventType: protos.api.enums.v1.EventType) => ({ eventId: id, eventType }) as never;

describe('where a repair resets to', () => {
  const events = [
    event(1, E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
    event(2, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    event(3, E.EVENT_TYPE_WORKFLOW_TASK_STARTED),
    event(4, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    event(5, E.EVENT_TYPE_TIMER_STARTED),
    event(6, E.EVENT_TYPE_TIMER_FIRED),
    event(7, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    event(8, E.EVENT_TYPE_WORKFLOW_TASK_STARTED),
    event(9, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    event(10, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  ];
  it('goes back to the last completed task before the event replay could not reproduce', () => {
    expect(
      resetPointFor(
        events,
        '[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 10, ActivityTaskScheduled)',
      ),
    ).toBe(9);
    expect(
      resetPointFor(
        events,
        '[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 5, TimerStarted)',
      ),
    ).toBe(4);
  });
  it('leaves a journey for a person when the failure names no event, or nothing completed before it', () => {
    expect(resetPointFor(events, '[TMPRL1100] Nondeterminism error: something else')).toBeUndefined();
    expect(
      resetPointFor(events, '[TMPRL1100] Nondeterminism error: HistoryEvent(id: 2, WorkflowTaskScheduled)'),
    ).toBeUndefined();
  });
  it('repairs replay divergences only, never a task that fails for another reason', async () => {
    expect(isReplayDivergence('[TMPRL1100] Nondeterminism error: …')).toBe(true);
    expect(isReplayDivergence('TypeError: cannot read properties of undefined')).toBe(false);
    const repair = new JourneyRepair({ client: undefined as never, log: undefined as never });
    await expect(repair.repair('0197a2ab-e97d-7623-bf5c-6ee849d3c915', 'Error: a bug')).resolves.toEqual({
      repaired: false,
      reason: 'not-a-divergence',
    });
  });
});

describe('a journey stuck on a replay divergence', () => {
  useDynamoDbLocal();
  let env: TestWorkflowEnvironment;
  let client: Client;
  const failing: string[] = [];
  beforeAll(async () => {
    // Before anything creates the runtime: sdk-core's warnings are how the worker learns of the failure.
    expect(installWorkerRuntime('WARN')).toBe(true);
    env = await startDevServer();
    client = env.client;
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('is reset past the divergence and carries on with its id, its referral and the signals it missed', async () => {
    const table = currentTable();
    const activities = createJourneyActivities({ doc: table.doc, tableName: table.tableName });
    const p = programme('frailty-virtual-ward');
    const workflowId = `${p.id}.${newPatientId()}`;
    const taskQueue = `${JOURNEY_TASK_QUEUE}-repair`;

    // 1. The journey begins on a worker whose careJourney decides differently.
    const impostor = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../fixtures/divergentJourney.ts', import.meta.url)),
      activities,
    });
    const begun = await impostor.runUntil(async () => {
      const h = await client.workflow.signalWithStart(careJourney, {
        workflowId,
        taskQueue,
        args: [{ start: { patientId: 'p-repair', programme: p, teamId: p.teams[0]!.id } }],
        signal: referralSignal,
        signalArgs: [referral({ teamId: p.teams[0]!.id })],
      });
      for (;;) {
        const { events } = await h.fetchHistory();
        if (events?.some((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)) return h;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const firstRunId = begun.signaledRunId;
    // A hospital message arrives while no worker can move the journey.
    await begun.signal(hospitalEventSignal, {
      controlId: 'repair-a01',
      event: 'A01',
      occurredAt: new Date().toISOString(),
      location: 'Ward 3',
    });

    // 2. The real worker, with the repair listening, picks it up: replay fails, the repair resets.
    const repair = new JourneyRepair({
      client,
      log: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const stop = onFailingWorkflowTask((task) => {
      failing.push(task.failure);
      repair.notice(task.runId, task.failure);
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities,
    });
    try {
      const state = await worker.runUntil(async () => {
        const current = client.workflow.getHandle(workflowId);
        for (let i = 0; i < 300; i += 1) {
          // A stuck journey cannot answer a query (it would wait 30 s): wait for the new run first.
          const s =
            (await current.describe()).runId === firstRunId
              ? undefined
              : await current.query(journeyQuery).catch(() => undefined);
          if (s && s.hospitalStays.length && s.counters.audited === s.counters.seq) return s;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`not repaired; failing tasks seen: ${failing.join(' | ')}`);
      });
      expect(failing.some(isReplayDivergence)).toBe(true);
      const outcomes = await Promise.all(repair.done);
      expect(outcomes).toContainEqual(expect.objectContaining({ repaired: true, resetTo: expect.any(Number) }));
      // The same journey: its id is the first run's, though the workflow now runs as a new run.
      expect(state.journeyId).toBe(`${workflowId}.${firstRunId.replace(/-/g, '').slice(0, 12)}`);
      const { runId: nowRunId, status } = await client.workflow.getHandle(workflowId).describe();
      expect(nowRunId).not.toBe(firstRunId);
      expect(status.name).toBe('RUNNING');
      expect((await client.workflow.getHandle(workflowId, firstRunId).describe()).status.name).toBe('TERMINATED');
      // Its referral, and the hospital admission that arrived while it was stuck.
      expect(state.referrals).toHaveLength(1);
      expect(state.hospitalStays).toEqual([expect.objectContaining({ location: 'Ward 3' })]);
      await client.workflow.getHandle(workflowId).terminate('test finished');
    } finally {
      stop();
    }
  }, 120_000);
});
