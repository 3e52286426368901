/**
 * The time-skipping test server must take a workflow task that cancels a timer which fired while
 * that task was open, as Temporal does: record the timer as cancelled and carry on. The stock
 * server (io.temporal:temporal-test-server, sdk-java#3088, #2606) refuses the completion with
 * "invalid history builder state for action" and never hands the workflow another task, so the
 * journey hangs and every query waits for good. That was the three-year test's rare 300 s hang: a
 * review command landing just as a 1 ms "step already due" timer fired. The toolchain patches the
 * server (scripts/testServerPatch/); this test holds the patch to its job.
 */
import { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv } from '../support/journeyTestEnv.js';
import type { TimerRaceActivities } from '../support/timerRaceWorkflow.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** When a history event was written, in ms. */
const at = (e: temporal.api.history.v1.IHistoryEvent): number =>
  Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);

const timerMs = 2_000;
const pauseMs = 4_000;

describe('the time-skipping test server, given a timer cancelled by the task that was open when it fired', () => {
  it.each([
    ['records it as cancelled, and the workflow carries on', false],
    ['records it as cancelled when the same task completes the workflow', true],
  ])(
    '%s',
    async (_, finishThere) => {
      const taskQueue = `timer-race-${randomUUID()}`;
      const activities: TimerRaceActivities = { pause: (ms) => new Promise((r) => setTimeout(r, ms)) };
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowsPath: fileURLToPath(new URL('../support/timerRaceWorkflow.ts', import.meta.url)),
        activities,
      });
      // Not env.client: its result() unlocks time skipping, and the timer must fire in real time,
      // while the task that cancels it is open.
      const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
      await worker.runUntil(async () => {
        const handle = await client.workflow.start('cancelsATimerThatFiresMidTask', {
          taskQueue,
          workflowId: `timer-race-${randomUUID()}`,
          args: [timerMs, pauseMs, finishThere],
        });
        // Signal as soon as the timer is started, well inside its two seconds.
        await expect
          .poll(async () => (await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes), {
            timeout: 10_000,
            interval: 20,
          })
          .toBe(true);
        await handle.signal('wake');

        // The task that took the signal completes (its local activity's marker is recorded), and the
        // next signal is taken. The stock server never records it, so the deadline turns the hang
        // into a failure.
        await expect
          .poll(async () => (await handle.fetchHistory()).events!.some((e) => e.markerRecordedEventAttributes), {
            timeout: timerMs + pauseMs + 15_000,
            interval: 100,
          })
          .toBe(true);
        if (!finishThere) await handle.signal('finish');
        const outcome = await client.withDeadline(Date.now() + 15_000, () => handle.result());
        expect(outcome).toBe('cancelled');
        const events = (await handle.fetchHistory()).events!;
        const started = events.find((e) => e.timerStartedEventAttributes)!;
        const cancelled = events.filter((e) => e.timerCanceledEventAttributes);
        expect(cancelled).toHaveLength(1);
        expect(Number(cancelled[0]!.timerCanceledEventAttributes!.startedEventId)).toBe(Number(started.eventId));
        expect(events.some((e) => e.timerFiredEventAttributes)).toBe(false);
        // The race did happen: the timer was cancelled after it was due.
        expect(at(cancelled[0]!) - at(started)).toBeGreaterThan(timerMs);
      });
    },
    60_000,
  );
});
