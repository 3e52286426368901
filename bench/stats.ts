/** Small statistics helpers for the bench: percentiles by nearest rank, rounded for reports. */
import { readFileSync } from 'node:fs';

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const round = (x: number, digits = 2): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean),
  };
}

export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `task` from `concurrency` loops until `until()` says stop; returns each call's latency (ms) and the wall time. */
export async function closedLoop(
  concurrency: number,
  until: () => boolean,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; errors: string[]; wallMs: number }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until()) {
        const i = next++;
        const t0 = now();
        try {
          await task(i);
          latencies.push(now() - t0);
        } catch (error) {
          errors.push((error as Error).message);
          if (errors.length > 20) throw new Error(`too many errors; the last: ${(error as Error).message}`);
        }
      }
    }),
  );
  return { latencies, errors, wallMs: now() - start };
}

/** Runs `count` tasks with at most `concurrency` at a time. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) out[i] = await task(i);
    }),
  );
  return out;
}

/** CPU time (user + system, ms) a process has used so far, from /proc; undefined where there is no /proc. */
export function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field overall, stime the 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU used by each named process while `body` runs, in ms. */
export async function cpuDuring<T>(
  pids: Record<string, number | undefined>,
  body: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number | null> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuMs(pid) : undefined]));
  const result = await body();
  const cpu = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => {
      const a = before[k];
      const b = pid ? cpuMs(pid) : undefined;
      return [k, a !== undefined && b !== undefined ? round(b - a, 0) : null];
    }),
  );
  return { result, cpuMs: cpu };
}
