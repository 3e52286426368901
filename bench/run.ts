/**
 * `npm run bench` — measures carepath on the local stack against Temporal's own floor, taken in the
 * same run, and writes bench/results/latest.json (plus a dated copy and latest.md).
 *
 *   npm run bench                    full sizes (100 000 summaries, 100 000 recorded journeys, 100 000 people, 50 000 open journeys: tens of minutes)
 *   npm run bench -- --quick         small sizes, under three minutes
 *   npm run bench -- --only lists,intake --memory.levels 1000,5000 --out /tmp/bench
 *
 * See bench/README.md for what each measure does and what limits it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sourceCommit, updateDocsAfterWriting } from '../scripts/docsFigures.js';
import { ensureToolchain } from '../scripts/toolchain.js';
import { measureNames, parseArgs, type MeasureName } from './config.js';
import { type BenchContext, patientSource } from './context.js';
import { measureCost } from './measures/cost.js';
import { measureIntake } from './measures/intake.js';
import { measureLists } from './measures/lists.js';
import { measureRead } from './measures/read.js';
import { measureSearch } from './measures/search.js';
import { memoryFloor, memoryResult, populateTo, type MemoryLevel } from './measures/memory.js';
import { measureReplay } from './measures/replay.js';
import { measureTimers } from './measures/timers.js';
import { measureTransitions } from './measures/transitions.js';
import { benchProgrammes } from './programmes.js';
import { carryOver, cpuCounters, cpuShares, machine, versions, write, type MeasureResult } from './report.js';
import { bundle, startStack, stopEverything } from './stack.js';
import { round } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function runBench(argv: string[]): Promise<{ failed: string[]; paths: ReturnType<typeof write> }> {
  const opts = parseArgs(argv, join(root, 'bench', 'results'));
  const startedAt = new Date();
  const t0 = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const host = machine();
  const cpuAtStart = cpuCounters();
  log(`${opts.mode} run on ${host.cpuModel} (${host.cores} cores): ${opts.only.join(', ')}`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const toolchain = await ensureToolchain();
  const workDir = mkdtempSync(join(tmpdir(), 'carepath-bench-'));
  const journeyBundle = await bundle(
    workDir,
    'journeys',
    join(root, 'workflows', 'index.ts'),
    process.env.CAREPATH_BENCH_WORKFLOW_BUNDLE,
  );
  const floorBundle = await bundle(workDir, 'floor', join(root, 'bench', 'floorWorkflows.ts'));
  const programmes = benchProgrammes(opts.sizes.timers.leadSeconds);
  const { sizes } = opts;
  const stack = await startStack({
    toolchain,
    workDir,
    programmes,
    journeyBundle,
    floorBundle,
    workflowCache: sizes.memory.workflowCache,
    floorCache: 1000,
    workerHeapMiB: sizes.memory.workerHeapMiB,
  });
  log(
    `stack up: Temporal ${stack.temporalAddress}, DynamoDB ${stack.table.endpoint}, API ${stack.api.base}, worker pid ${stack.worker.pid}`,
  );
  const patients = patientSource(opts.seed);
  const ctx: BenchContext = {
    toolchain,
    stack,
    programmes,
    sizes,
    journeyBundle,
    floorBundle,
    workDir,
    log,
    nhsNumber: patients.nhsNumber,
    random: patients.random,
    opened: {},
  };

  const measures: Partial<Record<MeasureName, MeasureResult | { error: string }>> = {};
  const wants = (m: MeasureName) => opts.only.includes(m);
  const attempt = async (name: MeasureName, run: () => Promise<unknown>) => {
    const s = performance.now();
    const cpu = cpuCounters();
    try {
      const result = (await run()) as MeasureResult;
      measures[name] = { ...result, seconds: round((performance.now() - s) / 1000, 1), machineCpu: cpuShares(cpu) };
    } catch (error) {
      log(`${name} failed: ${(error as Error).stack ?? error}`);
      measures[name] = { error: String((error as Error).message ?? error) };
    }
  };

  try {
    if (wants('lists')) await attempt('lists', () => measureLists(ctx));
    if (wants('read')) await attempt('read', () => measureRead(ctx));
    if (wants('search')) await attempt('search', () => measureSearch(ctx));

    // Memory: the floor in a fresh process first, then the worker warmed up, then the first level.
    const levels: MemoryLevel[] = [];
    let warmed = { openJourneys: 0, rssMiB: 0 };
    let floor: Awaited<ReturnType<typeof memoryFloor>> | undefined;
    let memoryError: string | undefined;
    const memoryStep = async (step: () => Promise<void>) => {
      if (!wants('memory') || memoryError) return;
      try {
        await step();
      } catch (error) {
        memoryError = String((error as Error).stack ?? error);
        log(`memory failed: ${memoryError}`);
      }
    };
    const [first, ...rest] = sizes.memory.levels;
    await memoryStep(async () => {
      floor = await memoryFloor(ctx, sizes.memory.floorWorkflows);
      log(`memory floor: ${floor.perWorkflowKiB} KiB per cached empty workflow`);
      const w = await populateTo(ctx, Math.min(10, Math.floor(first! / 2)));
      warmed = { openJourneys: w.openJourneys, rssMiB: w.rssMiB };
      levels.push(await populateTo(ctx, first!));
    });

    if (wants('intake')) await attempt('intake', () => measureIntake(ctx));
    if (wants('transitions')) await attempt('transitions', () => measureTransitions(ctx));
    // Timers run with the second level of journeys holding open timers (10 000 in a full run).
    if (rest.length > 0) await memoryStep(async () => void levels.push(await populateTo(ctx, rest.shift()!)));
    if (wants('timers')) await attempt('timers', () => measureTimers(ctx));
    for (const level of rest) await memoryStep(async () => void levels.push(await populateTo(ctx, level)));
    if (wants('memory'))
      measures.memory =
        memoryError || !floor ? { error: memoryError ?? 'no floor' } : memoryResult(ctx, warmed, levels, floor);

    if (wants('replay')) await attempt('replay', () => measureReplay(ctx));
    // Its own process, its own servers: after the rest, so it competes with nothing measured.
    if (wants('cost')) await attempt('cost', () => measureCost(ctx));
  } finally {
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const results = {
    benchmark: 'carepath',
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    mode: opts.mode,
    startedAt: startedAt.toISOString(),
    commit: sourceCommit(),
    wallSeconds: round((performance.now() - t0) / 1000, 1),
    machine: { ...host, loadAverage1mAtEnd: round(loadavg()[0]!, 2), cpuDuringRun: cpuShares(cpuAtStart) },
    versions: versions(toolchain),
    settings: {
      ...sizes,
      seed: opts.seed,
      temporal: 'dev server (SQLite file), worker in its own Node process',
      dynamodb: 'DynamoDB Local, in memory',
      programmes: programmes.map((p) => p.id),
    },
    measures,
  };
  if (opts.only.length < measureNames.length)
    carryOver(opts.outDir, results as Parameters<typeof carryOver>[1], opts.only);
  const paths = write(opts.outDir, results as Parameters<typeof write>[1]);
  log(`wrote ${paths.json}, ${paths.dated} and ${paths.md}`);
  // The committed results (no --out): the figures in docs/performance.md follow them.
  const docs = updateDocsAfterWriting(paths.json);
  if (docs.length > 0) log(`rewrote the figures in ${docs.join(', ')}`);
  const failed = Object.entries(measures)
    .filter(([, m]) => 'error' in m!)
    .map(([n]) => n);
  return { failed, paths };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping what it started\n`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
  runBench(process.argv.slice(2)).then(
    ({ failed }) => {
      if (failed.length > 0) {
        process.stderr.write(`bench: ${failed.join(', ')} failed\n`);
        process.exit(1);
      }
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
