/**
 * The time-skipping test server must not give a run that has continued as new another workflow
 * task. The stock server (io.temporal:temporal-test-server 1.38.0) does, when the completion that
 * continues as new finds anything buffered, such as a query that arrived while the task was open:
 * it counts only completed, failed and cancelled runs as closed, so it schedules a task on the
 * closed run, which throws "workflow execution already completed" after the new run has started.
 * The completion is lost half-applied, the worker is told "Task not found", and the task's
 * time-skipping lock is never released: time stops for every workflow on the server, and any
 * sleep or timer waits in real time. That was the three-year test's rare 300 s hang, a review's
 * outcome query landing on the task that continued the journey as new. The toolchain patches the
 * server (scripts/testServerPatch/); this test holds the patch to its job.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv } from '../support/journeyTestEnv.js';
import { generationQuery, type ClosedRunActivities } from '../support/closedRunWorkflow.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const pauseMs = 3_000;

describe('the time-skipping test server, given a query waiting on the task that continues as new', () => {
  it('starts the new run, keeps skipping time, and answers the query', async () => {
    const taskQueue = `closed-run-${randomUUID()}`;
    const activities: ClosedRunActivities = { pause: (ms) => new Promise((r) => setTimeout(r, ms)) };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/closedRunWorkflow.ts', import.meta.url)),
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('continuesAsNewWithAQueryWaiting', {
        taskQueue,
        workflowId: `closed-run-${randomUUID()}`,
        args: [pauseMs],
      });
      const firstRunId = handle.firstExecutionRunId;
      // Ask while the first run's only task is open (its local activity is pausing), so the
      // query is buffered until that task completes by continuing as new.
      const taskOpen = async () => {
        const events = (await handle.fetchHistory()).events!;
        return (
          events.some((e) => e.workflowTaskStartedEventAttributes) &&
          !events.some((e) => e.workflowTaskCompletedEventAttributes)
        );
      };
      await expect.poll(taskOpen, { timeout: 10_000, interval: 20 }).toBe(true);
      const asked = env.client.withDeadline(Date.now() + 20_000, () =>
        env.client.workflow.getHandle(handle.workflowId, firstRunId).query(generationQuery),
      );

      // The new run's day-long timer needs time skipping; the stock server's leaked lock stops it,
      // and the deadline turns that hang into a failure.
      const outcome = await env.client.withDeadline(Date.now() + 20_000, () => handle.result());
      expect(outcome).toBe('done');
      const { runId } = await handle.describe();
      expect(runId).not.toBe(firstRunId);
      const first = (await env.client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory()).events!;
      expect(first.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      // The query was taken by the run it was asked of, as it stood when the task closed.
      expect(await asked).toBe(0);
    });
  }, 60_000);
});
