/** Messages between the bench and its worker process (bench/workerProcess.ts). */
export const FLOOR_TASK_QUEUE = 'bench-floor';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export type ToWorker = { type: 'mem'; gc?: boolean; id: number } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'mem'; id: number; sample: MemorySample } | { type: 'error'; message: string };
