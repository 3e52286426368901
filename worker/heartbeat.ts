/**
 * Liveness for the container's health check. A Temporal worker serves no HTTP, and "the process
 * exists" says nothing about whether it still polls; so, while the worker reports RUNNING, a file's
 * modification time is refreshed, and `healthcheck.ts` calls the container unhealthy when it goes
 * stale (a wedged event loop stops the refresh too). `worker/main.ts` starts it only once the
 * worker's version is current (ADR 0013), so a worker that takes no journey work is not healthy.
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { Worker } from '@temporalio/worker';

export const HEARTBEAT_INTERVAL_MS = 10_000;

/** Starts refreshing `file`; the returned function stops and removes it (a stopped worker is not healthy). */
export function startHeartbeat(
  worker: Pick<Worker, 'getState'>,
  file: string,
  intervalMs = HEARTBEAT_INTERVAL_MS,
): () => void {
  const beat = () => {
    if (worker.getState() === 'RUNNING') writeFileSync(file, new Date().toISOString());
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  // Never the reason the process stays up after shutdown.
  timer.unref();
  return () => {
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}
