/**
 * 1. Intake: referrals per second through POST /referrals at increasing concurrency, with latency,
 * against the floor of an empty workflow started by signal-with-start through the same Temporal
 * client on the same server (and, to show the price of a confirmation, the same empty workflow
 * started by signal-with-start and then queried until the signal is in — what carepath's intake
 * waited for before it answered new referrals from the programme rules).
 */
import { randomUUID } from 'node:crypto';
import { HOLD } from '../programmes.js';
import { pollUntilAnswered } from '../../lambdas/journeyGateway.js';
import { confirmedWorkflow, emptyWorkflow, pokeSignal, pokesQuery } from '../floorWorkflows.js';
import { FLOOR_TASK_QUEUE } from '../workerProtocol.js';
import { type BenchContext, countOpened, referralBody, waitForProjection } from '../context.js';
import { closedLoop, cpuDuring, round, summarise, type LatencySummary } from '../stats.js';

export interface RateResult {
  perSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  count: number;
  /** CPU each process spent per call (ms): where the time goes. */
  cpuMsPerCall?: Record<string, number | null>;
}

export interface IntakeLevel {
  concurrency: number;
  carepath: RateResult;
  floor: RateResult;
  floorWithConfirmation: RateResult;
  /** carepath referrals/s ÷ floor starts/s */
  ratio: number;
  ratioToConfirmedFloor: number;
}

async function rate(concurrency: number, seconds: number, task: () => Promise<void>): Promise<RateResult> {
  const end = performance.now() + seconds * 1000;
  const { latencies, errors, wallMs } = await closedLoop(concurrency, () => performance.now() >= end, task);
  return {
    perSecond: round((latencies.length / wallMs) * 1000, 1),
    latencyMs: summarise(latencies),
    errors: errors.length,
    count: latencies.length,
  };
}

const perCall = (cpu: Record<string, number | null>, n: number) =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v === null ? null : round(v / Math.max(1, n), 2)]));

export async function measureIntake(ctx: BenchContext) {
  const { concurrency: levels, secondsPerLevel } = ctx.sizes.intake;
  const { client, api } = ctx.stack;
  const gp = await api.token('bench-gp', 'referrer');
  const results: IntakeLevel[] = [];
  const settle = async () => waitForProjection(ctx, HOLD.team, ctx.opened[HOLD.team] ?? 0, 300_000);

  const floorStart = async () => {
    await client.workflow.signalWithStart(emptyWorkflow, {
      workflowId: `floor-intake-${randomUUID()}`,
      taskQueue: FLOOR_TASK_QUEUE,
      signal: pokeSignal,
      signalArgs: [1],
    });
  };
  const floorConfirmed = async () => {
    const handle = await client.workflow.signalWithStart(confirmedWorkflow, {
      workflowId: `floor-confirm-${randomUUID()}`,
      taskQueue: FLOOR_TASK_QUEUE,
      signal: pokeSignal,
      signalArgs: [1],
    });
    await pollUntilAnswered(client, async () => ((await handle.query(pokesQuery)) > 0 ? true : undefined), 30_000);
  };
  const refer = async () => {
    const r = await api.call('POST', '/referrals', {
      token: gp,
      json: referralBody(ctx.nhsNumber(), HOLD.programme, HOLD.team),
    });
    if (r.status !== 202) throw new Error(`referral answered ${r.status}: ${r.text.slice(0, 200)}`);
    countOpened(ctx, HOLD.team);
  };

  // Warm every path once (connections, the workflow code in the worker).
  await floorStart();
  await floorConfirmed();
  await refer();
  await settle();

  const pids = {
    temporalServer: ctx.stack.temporal.process?.pid,
    dynamodbLocal: ctx.stack.table.service.process?.pid,
    worker: ctx.stack.worker.pid,
    apiAndBench: process.pid,
  };
  const measured = async (task: () => Promise<void>, concurrency: number, after?: () => Promise<unknown>) => {
    const { result, cpuMs } = await cpuDuring(pids, async () => {
      const r = await rate(concurrency, secondsPerLevel, task);
      // The journeys just opened are still writing their audit trail and read model: their cost
      // counts, and the next floor run must not pay for carepath's leftovers.
      await after?.();
      return r;
    });
    return { ...result, cpuMsPerCall: perCall(cpuMs, result.count) };
  };

  for (const concurrency of levels) {
    const floor = await measured(floorStart, concurrency);
    const carepath = await measured(refer, concurrency, settle);
    const floorWithConfirmation = await measured(floorConfirmed, concurrency);
    const level: IntakeLevel = {
      concurrency,
      carepath,
      floor,
      floorWithConfirmation,
      ratio: round(carepath.perSecond / floor.perSecond, 3),
      ratioToConfirmedFloor: round(carepath.perSecond / floorWithConfirmation.perSecond, 3),
    };
    ctx.log(
      `intake c=${concurrency}: carepath ${carepath.perSecond}/s p50 ${carepath.latencyMs.p50} p99 ${carepath.latencyMs.p99} ms · floor ${floor.perSecond}/s p99 ${floor.latencyMs.p99} · floor+confirm ${floorWithConfirmation.perSecond}/s · ratio ${level.ratio}`,
    );
    ctx.log(
      `intake c=${concurrency}: CPU ms per call: carepath ${JSON.stringify(carepath.cpuMsPerCall)} · floor ${JSON.stringify(floor.cpuMsPerCall)} · floor+confirm ${JSON.stringify(floorWithConfirmation.cpuMsPerCall)}`,
    );
    results.push(level);
  }
  const best = results.reduce((a, b) => (b.carepath.perSecond > a.carepath.perSecond ? b : a));
  const bestFloor = results.reduce((a, b) => (b.floor.perSecond > a.floor.perSecond ? b : a));
  const ratio = round(best.carepath.perSecond / bestFloor.floor.perSecond, 3);
  return {
    description:
      "Referrals per second through POST /referrals (JSON, dev sign-in, zod, patient registered in DynamoDB, the journey started with the referral in its input and the answer taken from the programme rules), closed loop at each concurrency; the new journeys' own first work is waited for inside the measured CPU.",
    headline: {
      metric: 'peak referrals/s',
      value: best.carepath.perSecond,
      unit: '1/s',
      at: { concurrency: best.concurrency, p50Ms: best.carepath.latencyMs.p50, p99Ms: best.carepath.latencyMs.p99 },
    },
    floor: {
      what: 'peak signal-with-start/s of an empty workflow, same client and server',
      value: bestFloor.floor.perSecond,
      unit: '1/s',
      at: {
        concurrency: bestFloor.concurrency,
        p50Ms: bestFloor.floor.latencyMs.p50,
        p99Ms: bestFloor.floor.latencyMs.p99,
      },
    },
    ratio,
    ratioMeaning: 'carepath peak rate ÷ floor peak rate (higher is better)',
    target: { text: 'ratio ≥ 0.5', met: ratio >= 0.5 },
    levels: results,
  };
}
