/** Messages between the bench and its worker process (bench/workerProcess.ts). */
export const FLOOR_TASK_QUEUE = 'bench-floor';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /**
   * The workflow sandbox's own heaps (worker threads), which `heapUsed` (the main thread's) leaves
   * out. Read only with a GC: the once-a-second peak sampler needs RSS alone, and must not wait on
   * a thread busy with a replay.
   */
  workflowThreads?: { threads: number; answered: number; heapUsed: number; heapTotal: number };
}

/** The channel bench/workflowThreadProbe.mjs listens on in every worker thread of the worker process. */
export const PROBE_CHANNEL = 'carepath-bench-workflow-threads';

/** The main thread asks; every worker thread answers; a thread announces itself when it starts. */
export type ProbeMessage =
  | { type: 'hello'; threadId: number }
  | { type: 'sample'; id: number }
  | { type: 'heap'; id: number; threadId: number; heapUsed: number; heapTotal: number };

export type ToWorker = { type: 'mem'; gc?: boolean; id: number } | { type: 'stop' };
export type FromWorker =
  { type: 'ready' } | { type: 'mem'; id: number; sample: MemorySample } | { type: 'error'; message: string };
