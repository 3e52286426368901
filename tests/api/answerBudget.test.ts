/**
 * The API's calls to Temporal are bounded: when a journey's worker is gone, a merged referral, a
 * read and a command each give up within the gateway's budget with an error the API answers as 503 — they do
 * not hang until the caller's own timeout (which would read as the API being dead, and in AWS as a
 * 504 from API Gateway). A request's calls share one budget: a later call gets only what is left.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { createJourneyGateway, type JourneyGateway } from '../../lambdas/journeyGateway.js';
import { withRequestBudget } from '../../lambdas/requestBudget.js';
import { isDependencyUnavailable } from '../../lambdas/unavailable.js';
import { startDevServer } from '../support/devServer.js';

const BUDGET_MS = 1500;
const [frailty] = parseProgrammes(
  { programmes: builtInProgrammes.filter((p) => p.id === 'frailty-virtual-ward') },
  'test',
);

let env: TestWorkflowEnvironment;
let gateway: JourneyGateway;
beforeAll(async () => {
  // A dev server with no worker on the journeys' task queue: journeys start, but nobody answers for them.
  env = await startDevServer();
  gateway = createJourneyGateway(env.client, { answerWithinMs: BUDGET_MS });
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs `call`, expecting it to fail as "dependency unavailable" within the budget (plus slack for a loaded machine). */
async function failsWithinBudget(call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  const took = performance.now() - started;
  expect(error, 'the call should have failed: nobody runs the journey').toBeInstanceOf(Error);
  expect(isDependencyUnavailable(error), `${(error as Error).name}: ${(error as Error).message}`).toBe(true);
  expect(took).toBeGreaterThanOrEqual(BUDGET_MS - 100);
  expect(took).toBeLessThan(BUDGET_MS + 2500);
}

describe('the gateway answers within its budget when no worker runs the journey', () => {
  it('for a merged referral and a command, while a new referral is answered at once', async () => {
    const referral = {
      referralId: 'r-budget-1',
      receivedAt: new Date().toISOString(),
      source: 'gp' as const,
      reason: 'falls',
      urgency: 'routine' as const,
      age: 78,
      admissionsLast12Months: 1,
      teamId: 'south-devon-1',
      conditions: ['copd'],
      consentGiven: true,
    };
    // A first referral is answered as the journey starts: no worker is needed for that, so intake
    // keeps working while workers restart. The journey takes it in when a worker comes.
    const started = performance.now();
    const opened = await gateway.refer(frailty!, 'pbudget000001', referral);
    expect(performance.now() - started).toBeLessThan(BUDGET_MS);
    const running = await env.client.workflow.getHandle(`${frailty!.id}.pbudget000001`).describe();
    expect(running.status.name).toBe('RUNNING');
    expect(running.taskQueue).toBe(JOURNEY_TASK_QUEUE);
    const journeyId = `${frailty!.id}.pbudget000001.${running.runId.replace(/-/g, '').slice(0, 12)}`;
    expect(opened).toEqual({ journeyId, merged: false, phase: 'triage' });

    // A second referral must be merged by the journey itself, which nobody runs.
    await failsWithinBudget(() => gateway.refer(frailty!, 'pbudget000001', { ...referral, referralId: 'r-budget-2' }));

    await failsWithinBudget(() =>
      gateway.command(journeyId, 'contact', {
        kind: 'routine',
        channel: 'phone',
        by: { sub: 'coord-ana', role: 'coordinator' },
      }),
    );
  });
});

describe('one budget for the whole request', () => {
  it('leaves a request’s later Temporal calls only what its earlier ones did not spend', async () => {
    // Each call alone may wait 10 s; the request has BUDGET_MS for all of them together.
    const patient = createJourneyGateway(env.client, { answerWithinMs: 10_000 });
    const { journeyId } = await patient.refer(frailty!, 'pbudget000002', {
      referralId: 'r-budget-3',
      receivedAt: new Date().toISOString(),
      source: 'gp',
      reason: 'falls',
      urgency: 'routine',
      age: 81,
      admissionsLast12Months: 0,
      teamId: 'south-devon-1',
      conditions: ['copd'],
      consentGiven: true,
    });
    const contact = () =>
      patient.command(journeyId, 'contact', {
        kind: 'routine',
        channel: 'phone',
        by: { sub: 'coord-ana', role: 'coordinator' },
      });
    let second = Infinity;
    await failsWithinBudget(() =>
      withRequestBudget(BUDGET_MS, async () => {
        // As a route that first asks whether the command was decided, then sends it.
        await expect(contact()).rejects.toSatisfy(isDependencyUnavailable);
        const started = performance.now();
        try {
          await contact();
        } finally {
          second = performance.now() - started;
        }
      }),
    );
    // The second call had nothing left: it did not get a budget of its own.
    expect(second).toBeLessThan(BUDGET_MS);
  });
});
