/**
 * The figures in docs/performance.md and docs/reliability.md are generated from the results files
 * (scripts/docsFigures.ts). This fails when they drift: a figure edited by hand, or a results file
 * changed without `npm run docs:figures`. It also shows the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BenchResults,
  type ChaosResults,
  type SimulatedYearResults,
  REGIONS,
  checkDocs,
  num,
  readResults,
  renderBench,
  renderChaos,
  renderDocs,
  renderSimulatedYear,
  replaceRegion,
  sourceCommit,
  updateDocs,
  updateDocsAfterWriting,
} from '../../scripts/docsFigures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const json = <T>(path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;
const latest = json<BenchResults>('bench/results/latest.json');
const chaos = json<ChaosResults>('bench/results/reliability.json');
const year = json<SimulatedYearResults>('bench/results/simulated-year.json');

/** A copy of the docs and results files in a temporary directory, to break on purpose. */
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-docs-figures-'));
  scratch.push(dir);
  for (const path of new Set(REGIONS.flatMap((r) => [r.doc, r.source]))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(root, path), join(dir, path));
  }
  return dir;
}

describe('docs figures', () => {
  it('the docs say what the results files say (run `npm run docs:figures` if this fails)', () => {
    expect(checkDocs(root)).toEqual([]);
  });

  it('has one region per results file, each present exactly once in its doc', () => {
    expect(REGIONS.map((r) => `${r.doc} ${r.name} ${r.source}`)).toEqual([
      'docs/performance.md bench bench/results/latest.json',
      'docs/performance.md bench-afternoon bench/results/2026-12-02T13-03-50-038Z.json',
      'docs/reliability.md chaos bench/results/reliability.json',
      'docs/reliability.md simulated-year bench/results/simulated-year.json',
    ]);
    for (const r of REGIONS) {
      const text = readFileSync(join(root, r.doc), 'utf8');
      expect(text.split(`<!-- figures:${r.name}:start -->`), r.name).toHaveLength(2);
      expect(text.split(`<!-- figures:${r.name}:end -->`), r.name).toHaveLength(2);
    }
  });

  it('reports a region stale when its results change and the docs do not', () => {
    const changed = structuredClone(latest);
    changed.measures!.transitions!.headline!.latencyMs!.p99 = 249.4;
    const stale = checkDocs(root, readResults(root, { 'bench/results/latest.json': changed }));
    expect(stale).toEqual([
      { doc: 'docs/performance.md', region: 'figures:bench', source: 'bench/results/latest.json' },
    ]);
    // …and what regenerating would write carries the new figure.
    const docs = renderDocs(root, readResults(root, { 'bench/results/latest.json': changed }));
    expect(docs.get('docs/performance.md')).toContain('p99 249 ms (300 samples)');
  });

  it('reports a figure edited by hand, and `updateDocs` puts it back', () => {
    const dir = copyRepo();
    const doc = join(dir, 'docs/reliability.md');
    const audit = `${num(chaos.checked!.auditEvents)} audit events`;
    const text = readFileSync(doc, 'utf8');
    expect(text).toContain(audit);
    writeFileSync(doc, text.replace(audit, `${num(chaos.checked!.auditEvents! + 1)} audit events`));
    expect(checkDocs(dir)).toEqual([
      { doc: 'docs/reliability.md', region: 'figures:chaos', source: 'bench/results/reliability.json' },
    ]);
    expect(updateDocs(dir)).toEqual(['docs/reliability.md']);
    expect(readFileSync(doc, 'utf8')).toBe(text);
    expect(checkDocs(dir)).toEqual([]);
  });

  it('reports a region whose markers were removed', () => {
    const dir = copyRepo();
    const doc = join(dir, 'docs/performance.md');
    writeFileSync(doc, readFileSync(doc, 'utf8').replace('<!-- figures:bench:end -->', ''));
    expect(checkDocs(dir).map((s) => s.region)).toEqual(['figures:bench']);
    expect(() => replaceRegion(readFileSync(doc, 'utf8'), 'bench', 'x')).toThrow(/figures:bench/);
  });

  it('`--check` exits non-zero and names the stale region; without it, rewrites the region', () => {
    const dir = copyRepo();
    const changed = structuredClone(year);
    changed.auditEvents = 12_345;
    writeFileSync(join(dir, 'bench/results/simulated-year.json'), JSON.stringify(changed));
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/docsFigures.ts'), '--root', dir, ...args],
        { encoding: 'utf8' },
      );
    const check = cli('--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('docs/reliability.md region figures:simulated-year is stale');
    expect(check.stderr).not.toContain('figures:chaos');
    expect(cli().status).toBe(0);
    expect(readFileSync(join(dir, 'docs/reliability.md'), 'utf8')).toContain('12 345 audit events');
    expect(cli('--check').status).toBe(0);
  });

  it('the writers regenerate only after writing a committed results file', () => {
    const dir = copyRepo();
    writeFileSync(join(dir, 'bench/results/reliability.json'), JSON.stringify({ ...chaos, violations: 3 }));
    expect(updateDocsAfterWriting(join(dir, 'elsewhere', 'reliability.json'), dir)).toEqual([]);
    expect(updateDocsAfterWriting(join(dir, 'bench/results/reliability.json'), dir)).toEqual(['docs/reliability.md']);
    expect(readFileSync(join(dir, 'docs/reliability.md'), 'utf8')).toContain('**3 violations**');
  });
});

describe('the writers', () => {
  it('record the commit a run was made from', () => {
    expect(sourceCommit()).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
    expect(sourceCommit(tmpdir())).toBeUndefined();
  });
});

describe('the renderers', () => {
  it('bench: the figures of latest.json, with where they came from', () => {
    const md = renderBench(latest);
    const m = latest.measures!;
    expect(md).toContain('`bench/results/latest.json`');
    expect(md).toContain(`Command: \`${latest.command}\` · run ${latest.startedAt}`);
    expect(md).toContain(`Node ${latest.versions!.node}`);
    expect(md).toContain(`**${num(m.intake!.headline!.value, 1)}/s** at c=${m.intake!.headline!.at!.concurrency}`);
    expect(md).toContain(`peak ${num(m.intake!.floor!.value, 1)}/s`);
    expect(md).toContain(`**${num(m.memory!.headline!.value, 1)} KiB**`);
    expect(md).toContain(`p99 ${num(m.timers!.headline!.latencyMs!.p99, 0)} ms`);
    expect(md).toContain(`| ${num(m.lists!.ratio, 2)} |`);
    for (const [measure, by] of Object.entries(latest.measuredBy ?? {}))
      expect(md).toContain(`| ${measure} | \`${by.command}\` | ${by.startedAt} |`);
    // The figures as the results file had them (intake on 2026-12-07, the rest on 2026-12-02), in fixed formats.
    expect(md).toContain('**7.4/s** at c=32 (p50 3 684 ms, p99 7 803 ms)');
    expect(md).toContain('**458.2 KiB**');
    expect(md).toContain('p99 **16.8 ms / 23.8 ms**');
  });

  it('chaos and simulated year: their figures, and what the file did not record', () => {
    const c = renderChaos(chaos);
    expect(c).toContain(`run ${chaos.generatedAt}`);
    expect(c).toContain(`${num(chaos.load!.retries)} calls retried`);
    expect(c).toContain(
      `${num(chaos.checked!.ladderSteps)} ladder steps, ${num(chaos.checked!.notifications)} notifications`,
    );
    expect(c).toContain(`**${chaos.violations} violations**`);
    expect(c).toContain(`${num(chaos.checked!.auditEvents)} audit events`);
    expect(c).toContain('6 016 audit events'); // the figure as the results file had it on 2026-12-04
    expect(c).toContain(`${num(chaos.checked!.historiesReplayed)} histories replayed from the start`);
    expect(c).toContain('299 histories replayed from the start');
    const { historiesReplayed: _h, ...notReplayed } = chaos.checked!;
    expect(renderChaos({ ...chaos, checked: notReplayed })).not.toContain('replayed');

    const y = renderSimulatedYear(year);
    expect(y).toContain(`${num(year.eventsSent!.total)}: `);
    expect(y).toContain(`${num(year.auditEvents)} audit events, ${num(year.ladderStepsFired)} ladder steps fired`);
    expect(y).toContain(`run ${year.generatedAt}`);
    const { generatedAt: _g, ...undated } = year;
    expect(renderSimulatedYear(undated)).toContain('run date not recorded');
    // Each programme's hospital outcomes and attempts, in their own columns.
    for (const p of year.programmes!) {
      const h = p.actual!.hospital!;
      expect(y).toContain(
        `| ${num(h.deaths)} / ${num(h.transfers)} / ${num(h.attendances)} | ${num(p.actual!.contactAttempts)} |`,
      );
    }
    const noHospital = {
      ...year,
      programmes: year.programmes!.map((p) => ({
        ...p,
        actual: { ...p.actual, hospital: undefined, contactAttempts: undefined },
      })),
    };
    expect(renderSimulatedYear(noHospital)).toContain('| — | — |');

    const { node: _node, ...machine } = chaos.machine!;
    expect(renderChaos({ ...chaos, machine })).toContain('Node version not recorded');
    expect(renderChaos({ ...chaos, commit: 'abc1234' })).toContain('commit abc1234');
  });

  it('is deterministic, with fixed number formats', () => {
    expect(renderBench(latest)).toBe(renderBench(structuredClone(latest)));
    expect([num(5838), num(10_000), num(999), num(0.9081, 2), num(-0.284, 2), num(3.7, 2), num(undefined)]).toEqual([
      '5 838',
      '10 000',
      '999',
      '0.91',
      '−0.28',
      '3.70',
      '—',
    ]);
    // Object key order in a results file does not change the output.
    const reordered: SimulatedYearResults = {
      ...year,
      journeysByProgramme: Object.fromEntries(Object.entries(year.journeysByProgramme!).reverse()),
      programmes: [...year.programmes!].reverse(),
    };
    expect(renderSimulatedYear(reordered)).toBe(renderSimulatedYear(year));
  });

  it('a failed or missing measure is shown as such', () => {
    const md = renderBench({ ...latest, measures: { ...latest.measures, timers: { error: 'stack died\nat …' } } });
    expect(md).toContain('| timers | failed: stack died |');
  });
});
