/**
 * 5. Replay: how long a worker takes to replay a three-year journey — what it pays when a journey
 * not in its cache wakes up, or when it restarts. The journey is lived for real on the Java
 * time-skipping test server (fortnightly reviews for three years, continuing as new when Temporal
 * suggests or at 2 000 events, as in production), its history is fetched run by run, and every run
 * is replayed with Worker.runReplayHistories. The floor: histories of an empty workflow (an
 * activity and a timer per round) with the same number of runs and events.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { journeySearchAttributes } from '../../temporal/searchAttributes.js';
import type { CommandType } from '../../domain/journeyCommands.js';
import { pollUntilAnswered, sendCommand } from '../../lambdas/journeyGateway.js';
import { javaTestServerKeepalive } from '../../scripts/javaTestServer.js';
import { careJourney } from '../../workflows/careJourney.js';
import { journeyQuery, referralSignal, referralStatusQuery } from '../../temporal/journeyMessages.js';
import { replayFloor, type FloorActivities } from '../floorWorkflows.js';
import type { BenchContext } from '../context.js';
import { round } from '../stats.js';
import { freePort } from '../../scripts/localServices.js';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
const DAY = 86_400_000;
const indexedValueType: Record<string, number> = {
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.DATETIME]: 6,
};

async function runsOf(env: TestWorkflowEnvironment, workflowId: string, runIds: string[]): Promise<History[]> {
  const out: History[] = [];
  for (const runId of runIds) out.push(await env.client.workflow.getHandle(workflowId, runId).fetchHistory());
  return out;
}

async function replayMs(
  bundle: string,
  histories: History[],
  repeats: number,
): Promise<{ ms: number; perRunMs: number[] }> {
  const times: number[] = [];
  let perRunMs: number[] = [];
  for (let r = 0; r < repeats; r += 1) {
    const t0 = performance.now();
    const errors: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: bundle } },
      histories.map((history, i) => ({ workflowId: `replay-${i}`, history })),
    )) {
      if (result.error) errors.push(String(result.error));
    }
    times.push(performance.now() - t0);
    if (errors.length > 0) throw new Error(`replay failed: ${errors[0]}`);
    // Each run alone, as a worker meets it on a cache miss.
    if (r === 0) {
      perRunMs = [];
      for (const history of histories) {
        const t1 = performance.now();
        await Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, history, 'one-run');
        perRunMs.push(round(performance.now() - t1, 1));
      }
    }
  }
  times.sort((a, b) => a - b);
  return { ms: round(times[Math.floor(times.length / 2)]!, 1), perRunMs };
}

export async function measureReplay(ctx: BenchContext) {
  const { years, repeats } = ctx.sizes.replay;
  const programme = ctx.programmes.find((p) => p.id === 'frailty-virtual-ward')!;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ctx.toolchain.temporalTestServer }, port: await freePort() },
    plugins: [javaTestServerKeepalive],
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(journeySearchAttributes.map((k) => [k.name, indexedValueType[k.type]!])),
    });
    const taskQueue = `bench-replay-${randomUUID().slice(0, 8)}`;
    const floorActivities: FloorActivities = { fired: async () => Date.now(), noop: async () => undefined };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: ctx.journeyBundle },
      activities: createJourneyActivities({ doc: ctx.stack.table.doc, tableName: ctx.stack.table.tableName }),
    });
    const floorWorker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: `${taskQueue}-floor`,
      workflowBundle: { codePath: ctx.floorBundle },
      activities: floorActivities,
    });

    ctx.log(`replay: living a ${years}-year journey on the time-skipping server`);
    const generated = await worker.runUntil(async () => {
      const t0 = performance.now();
      const start = await env.currentTimeMs();
      const patientId = randomUUID().replace(/-/g, '');
      const referral = {
        referralId: randomUUID(),
        receivedAt: new Date(start).toISOString(),
        source: 'gp' as const,
        reason: 'Frequent falls and two admissions this year',
        urgency: 'routine' as const,
        age: 84,
        teamId: 'south-devon-1',
        conditions: ['falls', 'heart failure', 'copd', 'diabetes'],
        livesAlone: true,
        admissionsLast12Months: 2,
        consentGiven: true,
      };
      const handle = await env.client.workflow.signalWithStart(careJourney, {
        workflowId: journeyWorkflowId(programme.id, patientId),
        taskQueue,
        args: [{ start: { patientId, programme, teamId: referral.teamId }, startedAt: referral.receivedAt }],
        signal: referralSignal,
        signalArgs: [referral, { sentAt: referral.receivedAt }],
      });
      await pollUntilAnswered(handle.client, () => handle.query(referralStatusQuery, referral.referralId), 30_000);
      const command = async (type: CommandType, arg: unknown) => {
        const outcome = await sendCommand(handle, type, arg, { sentAt: new Date(await env.currentTimeMs()) });
        if (!outcome.ok) throw new Error(`${type} refused: ${outcome.message}`);
      };
      const lead = { sub: 'lead-raj', role: 'team-lead' as const };
      let s = await handle.query(journeyQuery);
      if (s.phase === 'triage') await command('triage', { by: lead, decision: 'accept', reason: 'meets criteria' });
      // Assignment waits on the caseload store: give it real time, not a count of queries.
      for (let i = 0; i < 600 && !s.coordinatorId; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        s = await handle.query(journeyQuery);
      }
      if (!s.coordinatorId) throw new Error('the replay journey named no co-ordinator within 30 s');
      const by = { sub: s.coordinatorId, role: 'coordinator' as const };
      await command('assessment', { by, summary: 'Holistic assessment with carer present', needs: [] });
      await command('care-plan', {
        by,
        goals: [{ id: 'g1', description: 'Stay safely at home' }],
        actions: [
          {
            id: 'adaptations',
            description: 'home adaptations',
            owner: by.sub,
            due: new Date(start + 1280 * DAY).toISOString(),
          },
        ],
        agreedWithPatient: true,
      });
      const runIds: string[] = [];
      let reviews = 0;
      while ((await env.currentTimeMs()) - start < years * 365 * DAY) {
        await env.sleep(13.5 * DAY);
        await command('review', { by, outcome: 'continue', notes: `review ${reviews + 1}` });
        reviews += 1;
        const runId = (await handle.describe()).runId;
        if (!runIds.includes(runId)) runIds.push(runId);
      }
      const latest = (await env.client.workflow.getHandle(handle.workflowId).describe()).runId;
      if (!runIds.includes(latest)) runIds.push(latest);
      const histories = await runsOf(env, handle.workflowId, runIds);
      // Terminate only between activities: one left in flight holds the test server's time-skipping lock.
      for (let i = 0; i < 200; i += 1) {
        const d = await handle.describe();
        if ((d.raw.pendingActivities?.length ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await handle.terminate('bench finished');
      return { histories, reviews, generateSeconds: round((performance.now() - t0) / 1000, 1) };
    });
    const events = generated.histories.map((h) => h.events?.length ?? 0);
    const totalEvents = events.reduce((a, b) => a + b, 0);

    ctx.log(`replay: ${generated.histories.length} runs, ${events.join(' + ')} events; making floor histories`);
    // Floor histories: same number of runs, each about as long as its journey run (4 activities a round: 15 events).
    const floorHistories = await floorWorker.runUntil(async () => {
      const out: History[] = [];
      for (const n of events) {
        const h = await env.client.workflow.start(replayFloor, {
          workflowId: `floor-replay-${randomUUID()}`,
          taskQueue: `${taskQueue}-floor`,
          args: [Math.max(1, Math.round((n - 5) / 15)), 4],
        });
        await h.result();
        out.push(await h.fetchHistory());
      }
      return out;
    });
    const floorEvents = floorHistories.reduce((a, h) => a + (h.events?.length ?? 0), 0);

    ctx.log('replay: replaying');
    // Warm the replayer once (bundle load), then time.
    await replayMs(ctx.floorBundle, floorHistories.slice(0, 1), 1);
    await replayMs(ctx.journeyBundle, generated.histories.slice(-1), 1);
    const journey = await replayMs(ctx.journeyBundle, generated.histories, repeats);
    const floor = await replayMs(ctx.floorBundle, floorHistories, repeats);
    const perKEvents = (ms: number, n: number) => round((ms / n) * 1000, 1);
    const ratio = round(perKEvents(journey.ms, totalEvents) / perKEvents(floor.ms, floorEvents), 2);
    ctx.log(
      `replay: ${generated.histories.length} runs, ${totalEvents} events in ${journey.ms} ms · floor ${floorEvents} events in ${floor.ms} ms · ratio ${ratio}`,
    );
    return {
      description: `A ${years}-year frailty journey (${generated.reviews} fortnightly reviews, continue-as-new at 2 000 events) replayed run by run with Worker.runReplayHistories; median of ${repeats}.`,
      headline: { metric: `replay of the whole ${years}-year history`, value: journey.ms, unit: 'ms' },
      floor: {
        what: 'replay of empty-workflow histories with the same runs and events',
        value: floor.ms,
        unit: 'ms',
        events: floorEvents,
      },
      ratio,
      ratioMeaning: 'carepath ms per 1 000 events ÷ floor ms per 1 000 events (lower is better)',
      target: { text: 'none set: reported', met: null },
      runs: generated.histories.length,
      events: totalEvents,
      eventsPerRun: events,
      msPer1000Events: perKEvents(journey.ms, totalEvents),
      floorMsPer1000Events: perKEvents(floor.ms, floorEvents),
      singleRunMs: journey.perRunMs,
      floorSingleRunMs: floor.perRunMs,
      worstCacheMissMs: Math.max(...journey.perRunMs),
      generateSeconds: generated.generateSeconds,
    };
  } finally {
    await env.teardown();
  }
}
