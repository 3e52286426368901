/**
 * 4. Worker memory: resident set size of the worker process (its own process: bench/workerProcess.ts)
 * as open journeys grow, under a bounded workflow cache (CAREPATH_WORKFLOW_CACHE). Each level is
 * reached by referrals through the API; once the worker has caught up, a full GC runs in the
 * worker and RSS is read. The floor: a worker process of the same code caching the same number of
 * empty workflows. Per cached journey = (RSS with the cache full − RSS warmed up) ÷ journeys cached.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { HOLD } from '../programmes.js';
import { pokeSignal, pokesQuery, signalFloor } from '../floorWorkflows.js';
import { startWorkerChild } from '../stack.js';
import type { MemorySample } from '../workerProtocol.js';
import { type BenchContext, countOpened, openJourneys, referralBody, waitForProjection } from '../context.js';
import { closedLoop, pool, round, sleep } from '../stats.js';

const MiB = 1024 * 1024;
const mib = (bytes: number) => round(bytes / MiB, 1);

export interface MemoryLevel {
  openJourneys: number;
  rssMiB: number;
  peakRssMiB: number;
  /** The main thread's live heap after a full GC. */
  heapUsedMiB: number;
  /** The workflow threads' live heap after a full GC in each: what the cached journeys themselves hold. */
  workflowHeapUsedMiB: number;
  /** V8 heap committed (used or not) in the main and workflow threads: the part of RSS that V8 holds. */
  heapCommittedMiB: number;
  populateSeconds: number;
  referralsPerSecond: number;
}

/** The memory floor: a fresh worker process caching `count` empty workflows. */
export async function memoryFloor(ctx: BenchContext, count: number) {
  const queue = `bench-floor-mem-${randomUUID().slice(0, 8)}`;
  const child = await startWorkerChild(
    {
      TEMPORAL_ADDRESS: ctx.stack.temporalAddress,
      CAREPATH_DYNAMODB_ENDPOINT: ctx.stack.table.endpoint,
      CAREPATH_TABLE: ctx.stack.table.tableName,
      BENCH_FLOOR_ONLY: '1',
      BENCH_FLOOR_QUEUE: queue,
      BENCH_FLOOR_BUNDLE: ctx.floorBundle,
      BENCH_FLOOR_CACHE: String(count),
    },
    join(ctx.workDir, 'floor-worker.log'),
    ctx.sizes.memory.workerHeapMiB,
  );
  try {
    const client = new Client({ connection: ctx.stack.connection });
    const warm = await client.workflow.start(signalFloor, {
      workflowId: `floor-mem-${randomUUID()}`,
      taskQueue: queue,
    });
    await warm.query(pokesQuery);
    const before = await child.memory(true);
    const handles = await pool(count, 16, async () => {
      const h = await client.workflow.start(signalFloor, { workflowId: `floor-mem-${randomUUID()}`, taskQueue: queue });
      await h.query(pokesQuery);
      return h;
    });
    await sleep(1000);
    const after = await child.memory(true);
    await pool(handles.length, 16, (i) => handles[i]!.signal(pokeSignal, -1));
    await warm.signal(pokeSignal, -1);
    return {
      cachedWorkflows: count,
      rssBeforeMiB: mib(before.rss),
      rssAfterMiB: mib(after.rss),
      perWorkflowKiB: round((after.rss - before.rss) / count / 1024, 1),
    };
  } finally {
    await child.stop();
  }
}

/** Refers patients through the API until `target` journeys are open, waits for the worker to catch up, and reads its memory. */
export async function populateTo(ctx: BenchContext, target: number): Promise<MemoryLevel> {
  const { api, worker } = ctx.stack;
  const gp = await api.token('bench-gp', 'referrer');
  const t0 = performance.now();
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await worker.memory(false)).rss);
      await sleep(1000);
    }
  })();
  try {
    return await populate();
  } finally {
    // Stopped however the level ends: a sampler left running outlives the worker it reads.
    sampling = false;
    await sampler.catch(() => undefined);
  }

  async function populate(): Promise<MemoryLevel> {
    const missing = Math.max(0, target - openJourneys(ctx));
    let issued = 0;
    const { errors } = await closedLoop(
      ctx.sizes.memory.populateConcurrency,
      () => issued >= missing,
      async () => {
        issued += 1;
        const r = await api.call('POST', '/referrals', {
          token: gp,
          json: referralBody(ctx.nhsNumber(), HOLD.programme, HOLD.team),
        });
        if (r.status !== 202) {
          issued -= 1;
          throw new Error(`referral ${r.status}: ${r.text.slice(0, 200)}`);
        }
        countOpened(ctx, HOLD.team);
      },
    );
    if (errors.length > 0)
      ctx.log(`memory: ${errors.length} referrals failed while populating (retried): ${errors[0]}`);
    // Referrals are answered faster than two cores can run the journeys' first work (README,
    // "Performance"): allow the backlog at least 5 journeys a second, and never less than 30 minutes.
    await waitForProjection(ctx, HOLD.team, ctx.opened[HOLD.team] ?? 0, Math.max(1_800_000, missing * 200));
    const seconds = (performance.now() - t0) / 1000;
    await sleep(2000);
    const m: MemorySample = await worker.memory(true);
    const level: MemoryLevel = {
      openJourneys: openJourneys(ctx),
      rssMiB: mib(m.rss),
      peakRssMiB: mib(Math.max(peak, m.rss)),
      heapUsedMiB: mib(m.heapUsed),
      workflowHeapUsedMiB: mib(m.workflowThreads?.heapUsed ?? 0),
      heapCommittedMiB: mib(m.heapTotal + (m.workflowThreads?.heapTotal ?? 0)),
      populateSeconds: round(seconds, 1),
      referralsPerSecond: round(missing / seconds, 1),
    };
    ctx.log(
      `memory: ${level.openJourneys} open journeys → worker RSS ${level.rssMiB} MiB (peak ${level.peakRssMiB}), live heap ${level.heapUsedMiB} MiB main + ${level.workflowHeapUsedMiB} MiB workflow threads (${m.workflowThreads?.answered ?? 0}/${m.workflowThreads?.threads ?? 0} answered), populated at ${level.referralsPerSecond}/s`,
    );
    return level;
  }
}

export function memoryResult(
  ctx: BenchContext,
  warmed: { openJourneys: number; rssMiB: number },
  levels: MemoryLevel[],
  floor: Awaited<ReturnType<typeof memoryFloor>>,
) {
  const cache = ctx.sizes.memory.workflowCache;
  const first = levels[0]!;
  const last = levels.at(-1)!;
  const cached = Math.min(first.openJourneys, cache) - Math.min(warmed.openJourneys, cache);
  const perCachedKiB = round(((first.rssMiB - warmed.rssMiB) * 1024) / Math.max(1, cached), 1);
  // Beyond the cache, each further journey should cost (almost) nothing in the worker. Judged from
  // levels above the cache size: the level that just filled the cache holds the fill-up's high-water
  // mark of garbage, which later levels need not repeat.
  const beyond = levels.filter((l) => l.openJourneys > cache);
  /** KiB per journey that `mib` grew by from the first level above the cache to the last. */
  const slopeBeyond = (mibOf: (l: MemoryLevel) => number) =>
    beyond.length >= 2
      ? round(
          ((mibOf(beyond.at(-1)!) - mibOf(beyond[0]!)) * 1024) /
            (beyond.at(-1)!.openJourneys - beyond[0]!.openJourneys),
          3,
        )
      : null;
  const slopeKiB = slopeBeyond((l) => l.rssMiB);
  const liveSlopeKiB = slopeBeyond((l) => l.heapUsedMiB + l.workflowHeapUsedMiB);
  const flat = slopeKiB === null ? null : slopeKiB <= Math.max(1, perCachedKiB * 0.05);
  const ratio = round(perCachedKiB / Math.max(0.1, floor.perWorkflowKiB), 2);
  return {
    description: `Worker process RSS after a full GC with ${levels.map((l) => l.openJourneys).join(' / ')} open journeys, workflow cache ${cache}${ctx.sizes.memory.workerHeapMiB ? `, --max-old-space-size=${ctx.sizes.memory.workerHeapMiB}` : ''}.`,
    headline: { metric: 'RSS per cached journey', value: perCachedKiB, unit: 'KiB' },
    floor: {
      what: `RSS per cached empty workflow (fresh worker process, ${floor.cachedWorkflows} cached)`,
      value: floor.perWorkflowKiB,
      unit: 'KiB',
    },
    ratio,
    ratioMeaning: 'carepath KiB per cached journey ÷ floor KiB per cached empty workflow (lower is better)',
    target: {
      text: '≤ 1 MiB per cached journey, flat beyond the cache size',
      met: perCachedKiB <= 1024 && flat !== false,
    },
    workflowCache: cache,
    warmed,
    levels,
    growthBeyondCacheKiBPerJourney: slopeKiB,
    /** The same for the live V8 heaps (main + workflow threads, each after a full GC): ~0 means no journey is retained after eviction. */
    liveHeapGrowthBeyondCacheKiBPerJourney: liveSlopeKiB,
    flatBeyondCache: flat,
    rssGrowthFirstToLastPercent: round(((last.rssMiB - first.rssMiB) / first.rssMiB) * 100, 1),
    floorDetail: floor,
  };
}
