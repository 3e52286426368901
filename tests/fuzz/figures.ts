/**
 * Where the fuzz tests put their figures for the README: always on the console, and merged into
 * the JSON file named by CAREPATH_FUZZ_RESULTS when it is set (e.g. bench/results/fuzzing.json),
 * with the machine they were measured on — the same run gives the numbers and the pass.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';

export function recordFigures(section: string, figures: Record<string, unknown>): void {
  console.log(`[${section}] ${JSON.stringify(figures)}`);
  const file = process.env.CAREPATH_FUZZ_RESULTS;
  if (!file) return;
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[section] = {
    ...figures,
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
    },
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
