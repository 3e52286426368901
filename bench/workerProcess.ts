/**
 * The worker under test, in its own process so that its resident memory is its own: the journey
 * worker exactly as `worker/main.ts` builds it (DynamoDB activities, bounded workflow cache from
 * CAREPATH_WORKFLOW_CACHE), plus the floor worker running bench/floorWorkflows.ts on its own task
 * queue. Started by bench/stack.ts with IPC; answers `mem` (after a full GC when asked) and `stop`.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createDocumentClient, dataConfigFromEnv } from '../activities/dynamo.js';
import { createJourneyWorker, workerSettingsFromEnv } from '../worker/main.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import type { FloorActivities } from './floorWorkflows.js';
import {
  FLOOR_TASK_QUEUE,
  PROBE_CHANNEL,
  type FromWorker,
  type MemorySample,
  type ProbeMessage,
  type ToWorker,
} from './workerProtocol.js';

/**
 * The workflow threads' heaps (bench/workflowThreadProbe.mjs, preloaded into every thread): each
 * thread collects its garbage when asked, then the main thread does, so RSS is read with no
 * thread holding garbage it could have freed.
 */
function workflowThreadHeaps() {
  const channel = new BroadcastChannel(PROBE_CHANNEL);
  (channel as unknown as { unref(): void }).unref();
  const threads = new Set<number>();
  const answers = new Map<number, (m: Extract<ProbeMessage, { type: 'heap' }>) => void>();
  channel.onmessage = (event) => {
    const m = (event as MessageEvent<ProbeMessage>).data;
    if (m.type === 'hello') threads.add(m.threadId);
    else if (m.type === 'heap') {
      threads.add(m.threadId);
      answers.get(m.id)?.(m);
    }
  };
  let ids = 0;
  /** Every workflow thread collects its garbage, then reports its heap. */
  return async function sample(): Promise<NonNullable<MemorySample['workflowThreads']>> {
    const id = ++ids;
    const heaps = new Map<number, { heapUsed: number; heapTotal: number }>();
    const expected = threads.size;
    // A thread answers between workflow activations; one busy replaying a history answers late.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      answers.set(id, (m) => {
        heaps.set(m.threadId, { heapUsed: m.heapUsed, heapTotal: m.heapTotal });
        if (heaps.size >= expected) {
          clearTimeout(timer);
          resolve();
        }
      });
      channel.postMessage({ type: 'sample', id } satisfies ProbeMessage);
    });
    answers.delete(id);
    const all = [...heaps.values()];
    return {
      threads: expected,
      answered: all.length,
      heapUsed: all.reduce((n, h) => n + h.heapUsed, 0),
      heapTotal: all.reduce((n, h) => n + h.heapTotal, 0),
    };
  };
}

async function main(): Promise<void> {
  installWorkerRuntime('WARN');
  const send = (m: FromWorker) => process.send?.(m);
  // Listening before the first workflow thread starts, so every thread's hello is heard.
  const threadHeaps = workflowThreadHeaps();
  const settings = workerSettingsFromEnv();
  // A floor-only process (the memory floor) runs no journey worker.
  const journeys = process.env.BENCH_FLOOR_ONLY === '1' ? undefined : await createJourneyWorker(settings);
  const data = dataConfigFromEnv();
  const doc = createDocumentClient(data);
  const floorActivities: FloorActivities = {
    async fired(id) {
      await doc.send(
        new PutCommand({ TableName: data.tableName, Item: { pk: `FLOOR#${id}`, sk: 'FIRED', at: Date.now() } }),
      );
      return Date.now();
    },
    async noop() {},
  };
  const floor = await Worker.create({
    connection: await NativeConnection.connect({ address: settings.address }),
    namespace: settings.namespace,
    taskQueue: process.env.BENCH_FLOOR_QUEUE ?? FLOOR_TASK_QUEUE,
    workflowBundle: { codePath: process.env.BENCH_FLOOR_BUNDLE! },
    activities: floorActivities,
    maxCachedWorkflows: Number(process.env.BENCH_FLOOR_CACHE ?? settings.maxCachedWorkflows),
  });
  // Ready once journey work comes to this worker: its version is current (worker/deployment.ts).
  let journeysReady!: () => void;
  const ready = journeys ? new Promise<void>((r) => (journeysReady = r)) : Promise.resolve();
  const running = Promise.all([journeys?.run(() => journeysReady()), floor.run()]);
  process.on('message', async (m: ToWorker) => {
    if (m.type === 'mem') {
      const workflowThreads = m.gc ? await threadHeaps() : undefined;
      if (m.gc && global.gc) {
        global.gc();
        await new Promise((r) => setTimeout(r, 50));
        global.gc();
      }
      const u = process.memoryUsage();
      send({
        type: 'mem',
        id: m.id,
        sample: {
          rss: u.rss,
          heapUsed: u.heapUsed,
          heapTotal: u.heapTotal,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
          ...(workflowThreads ? { workflowThreads } : {}),
        },
      });
    } else if (m.type === 'stop') {
      journeys?.worker.shutdown();
      floor.shutdown();
    }
  });
  process.on('SIGTERM', () => {
    journeys?.worker.shutdown();
    floor.shutdown();
  });
  await ready;
  send({ type: 'ready' });
  await running;
  process.exit(0);
}

main().catch((error) => {
  process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) } satisfies FromWorker);
  process.exit(1);
});
