/**
 * A smoke run of `npm run bench` with minuscule sizes, so the bench cannot rot: every measure runs
 * on the real stack and lands in the results file with its floor and ratio. Sane values only —
 * the numbers themselves come from a real run (bench/README.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'carepath-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...args], {
      cwd: root,
      env: { ...process.env, CAREPATH_BENCH_WORKFLOW_BUNDLE: inject('workflowBundlePath') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

type Measure = {
  headline: { value: number; unit: string };
  floor: { value: number; unit: string; what: string };
  ratio: number;
  target: { text: string; met: boolean | null };
  [k: string]: unknown;
};

describe('npm run bench (tiny)', () => {
  it('measures all nine against their floors and writes the results where it is told', async () => {
    const run = await runBench(['--tiny', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toContain('latest.json');
    expect(files).toContain('latest.md');
    expect(files.filter((f) => /^\d{4}-\d{2}-\d{2}T.*\.json$/.test(f))).toHaveLength(1);

    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
      mode: string;
      machine: { cpuModel: string; cores: number; memoryGiB: number };
      versions: { node: string; temporalCli: string; temporalSdk: string };
      settings: Record<string, unknown>;
      measures: Record<string, Measure | { error: string }>;
    };
    expect(results.mode).toBe('tiny');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.memoryGiB).toBeGreaterThan(0);
    expect(results.versions.node).toBe(process.version);
    expect(results.versions.temporalCli).toMatch(/\d+\.\d+\.\d+/);
    expect(results.versions.temporalSdk).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(results.measures).sort()).toEqual([
      'cost',
      'intake',
      'lists',
      'memory',
      'read',
      'replay',
      'search',
      'timers',
      'transitions',
    ]);

    for (const [name, m] of Object.entries(results.measures)) {
      expect(m, `${name}: ${JSON.stringify(m)}`).not.toHaveProperty('error');
      const measure = m as Measure;
      expect(Number.isFinite(measure.headline.value), name).toBe(true);
      expect(measure.floor.value, name).toBeGreaterThan(0);
      expect(measure.floor.what, name).not.toBe('');
      expect(Number.isFinite(measure.ratio), name).toBe(true);
      // Memory per cached journey is a difference of two RSS readings; with the handful of journeys a
      // tiny run caches, a GC returning pages can outweigh them (once −444 KiB), so only its sign is spared.
      if (name === 'memory') continue;
      expect(measure.headline.value, name).toBeGreaterThan(0);
      expect(measure.ratio, name).toBeGreaterThan(0);
      expect(measure.target.text, name).not.toBe('');
    }
    const m = results.measures as Record<string, Measure>;
    // Each number is what it says it is.
    const intake = m.intake!.levels as {
      concurrency: number;
      carepath: { perSecond: number; errors: number };
      floor: { perSecond: number };
    }[];
    expect(intake.map((l) => l.concurrency)).toEqual([1, 4]);
    expect(intake.every((l) => l.carepath.errors === 0 && l.carepath.perSecond > 0 && l.floor.perSecond > 0)).toBe(
      true,
    );
    expect(m.transitions!.headline.value).toBeGreaterThanOrEqual(
      (m.transitions!.headline as unknown as { latencyMs: { p50: number } }).latencyMs.p50,
    );
    expect(m.timers!.journeysHoldingOpenTimers).toBeGreaterThanOrEqual(24); // the second memory level was open
    expect(m.timers!.headline.value).toBeGreaterThan(-100); // an inbox item never shows up before its due time (allowing clock jitter)
    const levels = m.memory!.levels as {
      openJourneys: number;
      rssMiB: number;
      heapUsedMiB: number;
      workflowHeapUsedMiB: number;
    }[];
    expect(levels).toHaveLength(3);
    expect(levels.map((l) => l.openJourneys).every((n, i, a) => i === 0 || n >= a[i - 1]!)).toBe(true);
    expect(levels.every((l) => l.rssMiB > 50 && l.rssMiB < 4096)).toBe(true);
    // The workflow threads answered the probe (bench/workflowThreadProbe.mjs): their heaps are read,
    // and they are part of the process's RSS, not beside it.
    expect(levels.every((l) => l.workflowHeapUsedMiB > 1 && l.heapUsedMiB + l.workflowHeapUsedMiB < l.rssMiB)).toBe(
      true,
    );
    expect(m.memory!.liveHeapGrowthBeyondCacheKiBPerJourney).toEqual(expect.any(Number));
    expect(m.replay!.events).toBeGreaterThan(50);
    expect(m.lists!.scans).toBe(0);
    expect(m.lists!.commandsSeen).not.toContain('ScanCommand');
    expect((m.lists!.overdue as { itemsReadPerRequest: { max: number } }).itemsReadPerRequest.max).toBeLessThanOrEqual(
      50,
    );
    // A journey read is one GetItem of its recorded state (and the access log's PutItem) and never a
    // Temporal query — counted on the API's own connection, whose counter is shown to count by a
    // query sent through it first.
    const read = m.read as Measure & {
      journeys: number;
      populateSeconds: number;
      temporalQueriesPerRead: number;
      temporalCallsPerRead: number;
      temporalCounterCheck: { probeQueriesSeen: number };
      dynamodbCommandsPerRead: number;
      dynamodbCommandsPerReadMax: number;
      dynamodbCommandsByName: Record<string, number>;
      stateGzipBytes: { mean: number; max: number };
      responseBytes: { mean: number };
      recordReadDirectMs: { p50: number };
    };
    expect(read.journeys).toBe(50);
    expect(read.populateSeconds).toBeGreaterThan(0);
    expect(read.temporalCounterCheck.probeQueriesSeen).toBeGreaterThanOrEqual(1);
    expect(read.temporalQueriesPerRead).toBe(0);
    expect(read.temporalCallsPerRead).toBe(0);
    // The journey's state with its corrections (one batch read), the person it is about (read side
    // by side), and the access-log entry.
    expect(read.dynamodbCommandsPerRead).toBe(3);
    expect(read.dynamodbCommandsPerReadMax).toBe(3);
    expect(read.dynamodbCommandsByName).toEqual({ BatchGetItemCommand: 20, GetItemCommand: 20, PutItemCommand: 20 });
    // Lived journeys, not stubs: kilobytes of gzipped state, answered as tens of kilobytes of JSON.
    expect(read.stateGzipBytes.mean).toBeGreaterThan(1000);
    expect(read.stateGzipBytes.max).toBeGreaterThan(read.stateGzipBytes.mean);
    expect(read.responseBytes.mean).toBeGreaterThan(read.stateGzipBytes.mean);
    expect(read.headline.value).toBeGreaterThanOrEqual(
      (read.headline as unknown as { latencyMs: { p50: number } }).latencyMs.p50,
    );
    expect(read.recordReadDirectMs.p50).toBeGreaterThan(0);
    expect(read.target.met).toBe(read.ratio <= 2 && read.temporalQueriesPerRead === 0);

    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    // Finding a person by NHS number is a keyed lookup: one Query of their partition, a batch read
    // of their journeys' summaries and the access log's PutItem, whatever the number of people.
    const search = m.search as Measure & {
      people: number;
      dynamodbCommandsPerSearch: number;
      dynamodbCommandsPerSearchMax: number;
      dynamodbCommandsByName: Record<string, number>;
      scans: number;
    };
    expect(search.people).toBe(60);
    expect(search.dynamodbCommandsPerSearch).toBe(3);
    expect(search.dynamodbCommandsPerSearchMax).toBe(3);
    expect(search.dynamodbCommandsByName).toEqual({ QueryCommand: 20, BatchGetItemCommand: 20, PutItemCommand: 20 });
    expect(search.scans).toBe(0);
    expect(search.target.met).toBe(search.ratio <= 3);

    // The cost of a (tiny) simulated year: actions counted from its histories, per programme.
    const cost = results.measures.cost as Measure & {
      byProgramme: Record<string, { journeys: number; perJourneyYear: number; total: number; met: boolean }>;
      activeHistoryBytesPerOpenJourney: { openJourneys: number; mean: number };
    };
    expect(Object.values(cost.byProgramme).reduce((n, p) => n + p.journeys, 0)).toBe(12);
    for (const p of Object.values(cost.byProgramme)) expect(p.met).toBe(p.perJourneyYear <= 300);
    expect(cost.target.met).toBe(Object.values(cost.byProgramme).every((p) => p.met));
    expect(cost.headline.value).toBe(Math.max(...Object.values(cost.byProgramme).map((p) => p.perJourneyYear)));

    for (const name of ['intake', 'transitions', 'timers', 'memory', 'replay', 'lists', 'read', 'search', 'cost'])
      expect(md).toContain(`| ${name} |`);
    // About 80 s while `npm test` runs other files beside it; room for a busier machine than that.
  }, 300_000);
});
