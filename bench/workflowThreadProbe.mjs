/* global process, BroadcastChannel */
/**
 * Preloaded (`--import`) into the bench's worker process, so it also runs at the start of every
 * worker thread — and Temporal runs the workflow sandbox in worker threads of its own. A full GC
 * in the main thread (`global.gc()`) never reaches those heaps, so without this the worker's RSS
 * includes however much garbage the workflow thread has not yet collected, and "memory beyond the
 * cache" cannot tell garbage from a leak. Asked, each workflow thread collects its garbage and
 * reports its own V8 heap. Bench instrumentation only: the production worker never loads it.
 *
 * Plain JavaScript: tsx's loader does not reach worker threads on Node 20. The messages are
 * `ProbeMessage` in bench/workerProtocol.ts, on the channel named there (PROBE_CHANNEL).
 */
import { isMainThread, threadId } from 'node:worker_threads';

if (!isMainThread) {
  const channel = new BroadcastChannel('carepath-bench-workflow-threads');
  channel.onmessage = ({ data }) => {
    if (data?.type !== 'sample') return;
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const { heapUsed, heapTotal } = process.memoryUsage();
    channel.postMessage({ type: 'heap', id: data.id, threadId, heapUsed, heapTotal });
  };
  // Never what keeps a thread alive: the SDK decides when its threads end.
  channel.unref();
  channel.postMessage({ type: 'hello', threadId });
}
