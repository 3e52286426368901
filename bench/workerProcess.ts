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
import { FLOOR_TASK_QUEUE, type FromWorker, type ToWorker } from './workerProtocol.js';

async function main(): Promise<void> {
  installWorkerRuntime('WARN');
  const send = (m: FromWorker) => process.send?.(m);
  const settings = workerSettingsFromEnv();
  // A floor-only process (the memory floor) runs no journey worker.
  const journeys = process.env.BENCH_FLOOR_ONLY === '1' ? undefined : await createJourneyWorker(settings);
  const data = dataConfigFromEnv();
  const doc = createDocumentClient(data);
  const floorActivities: FloorActivities = {
    async fired(id) {
      await doc.send(new PutCommand({ TableName: data.tableName, Item: { pk: `FLOOR#${id}`, sk: 'FIRED', at: Date.now() } }));
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
  const running = Promise.all([journeys?.run(), floor.run()]);
  process.on('message', async (m: ToWorker) => {
    if (m.type === 'mem') {
      if (m.gc && global.gc) {
        global.gc();
        await new Promise((r) => setTimeout(r, 50));
        global.gc();
      }
      const u = process.memoryUsage();
      send({ type: 'mem', id: m.id, sample: { rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers } });
    } else if (m.type === 'stop') {
      journeys?.shutdown();
      floor.shutdown();
    }
  });
  process.on('SIGTERM', () => {
    journeys?.shutdown();
    floor.shutdown();
  });
  send({ type: 'ready' });
  await running;
  process.exit(0);
}

main().catch((error) => {
  process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) } satisfies FromWorker);
  process.exit(1);
});
