/**
 * The hazard log's own shape (docs/clinical-safety/hazard-log.md): every row complete, every
 * controlled hazard proved by a test that exists, in a file `npm test` runs, and is not skipped.
 * That each named test also passed in the run is checked as the run ends, by
 * tests/support/hazardLogReporter.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHazardLog } from '../support/hazardLog.js';

const root = join(import.meta.dirname, '..', '..');
const hazards = readHazardLog();
const risk = /^[1-5]×[1-5]$/;

describe('the hazard log', () => {
  it('has a complete row for every hazard, with unique ids', () => {
    expect(hazards.length).toBeGreaterThanOrEqual(10);
    expect(new Set(hazards.map((h) => h.id)).size).toBe(hazards.length);
    for (const h of hazards) {
      expect(h.id, h.id).toMatch(/^HAZ-\d{2}$/);
      expect(h.hazard, h.id).not.toBe('');
      expect(h.before, h.id).toMatch(risk);
      if (h.status.startsWith('open')) continue;
      // A control is a control only with its residual risk and the test that proves it.
      expect(h.control, h.id).not.toBe('—');
      expect(h.after, h.id).toMatch(risk);
      expect(h.tests.length, h.id).toBeGreaterThan(0);
    }
  });

  it('names only tests that exist, in files npm test runs, and are not skipped', () => {
    for (const { id, tests } of hazards)
      for (const { file, title } of tests) {
        expect(file, id).toMatch(/^tests\/.+\.test\.ts$/); // vitest.config.ts: tests/**/*.test.ts
        expect(existsSync(join(root, file)), `${id}: ${file}`).toBe(true);
        const source = readFileSync(join(root, file), 'utf8');
        const quoted = [`'${title}'`, `"${title}"`, `\`${title}\``];
        const at = Math.max(...quoted.map((q) => source.indexOf(q)));
        expect(at, `${id}: no test titled "${title}" in ${file}`).toBeGreaterThan(0);
        // The call that names it: it( or test(, never .skip, .todo or .skipIf.
        const call = source.slice(Math.max(0, at - 40), at);
        expect(call, `${id}: ${title}`).toMatch(/\b(it|test)\(\s*$/);
      }
  });

  it('fails the run when a named test did not pass, and checks only the files that ran', async () => {
    const { default: HazardLogReporter } = await import('../support/hazardLogReporter.js');
    const named = hazards.flatMap((h) => h.tests)[0]!;
    // The file's other named tests pass; the first named test is in `state`.
    const others = hazards.flatMap((h) => h.tests).filter((t) => t.file === named.file && t.title !== named.title);
    const moduleWith = (state: string) =>
      ({
        relativeModuleId: named.file,
        children: {
          *allTests() {
            yield { name: named.title, result: () => ({ state }) };
            for (const t of others) yield { name: t.title, result: () => ({ state: 'passed' }) };
          },
        },
      }) as never;
    const exitCode = process.exitCode;
    const errors: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      for (const [modules, fails] of [
        [[moduleWith('passed')], false],
        [[moduleWith('failed')], true],
        [[moduleWith('skipped')], true],
        [[], false], // its file did not run: a partial run is not judged on it
      ] as const) {
        process.exitCode = undefined;
        new HazardLogReporter().onTestRunEnd(modules);
        expect(process.exitCode === 1, JSON.stringify(modules)).toBe(fails);
      }
    } finally {
      console.error = error;
      process.exitCode = exitCode;
    }
    expect(String(errors[0])).toContain(named.title);
  });

  it('reads a test list and refuses a row it cannot read', async () => {
    const { readHazardLog: read } = await import('../support/hazardLog.js');
    const table = (test: string) =>
      [
        '| id | hazard | cause | effect | before | control | after | test | status |',
        '|---|---|---|---|---|---|---|---|---|',
        `| HAZ-99 | h | c | e | 2×2 | ctl | 2×1 | ${test} | controlled |`,
      ].join('\n');
    expect(read(table('`tests/a.test.ts` › one thing; `tests/b.test.ts` › another')).at(0)?.tests).toEqual([
      { file: 'tests/a.test.ts', title: 'one thing' },
      { file: 'tests/b.test.ts', title: 'another' },
    ]);
    expect(() => read(table('tests/a.test.ts one thing'))).toThrow(/must read/);
    expect(() => read('| id | hazard |\n|---|---|')).toThrow(/columns/);
  });
});
