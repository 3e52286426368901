/**
 * The container health check (Dockerfile HEALTHCHECK and the ECS task definition): exits 0 while
 * the worker's heartbeat file (see heartbeat.ts) is fresh, 1 when it is missing or stale.
 */
import { statSync } from 'node:fs';
import { HEARTBEAT_INTERVAL_MS } from './heartbeat.js';
import { isEntryPoint } from './entryPoint.js';

/** Three missed beats: a slow beat under load is not a dead worker. */
export const MAX_HEARTBEAT_AGE_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function heartbeatIsFresh(file: string, now = Date.now()): boolean {
  try {
    return now - statSync(file).mtimeMs <= MAX_HEARTBEAT_AGE_MS;
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) {
  const file = process.env.CAREPATH_HEALTH_FILE;
  process.exit(file && heartbeatIsFresh(file) ? 0 : 1);
}
