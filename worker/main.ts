/**
 * The journey worker: runs careJourney workflows and their DynamoDB activities. `npm start` runs
 * it in-process; in AWS it is the ECS service's command. Shuts down gracefully on SIGINT/SIGTERM
 * (in-flight activities finish; nothing is lost, since Temporal holds every journey's state).
 */
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFromEnv } from '../activities/index.js';
import { JOURNEY_TASK_QUEUE } from '../domain/journeyIds.js';
import { codecFromEnv } from './payloadCodec.js';

const require = createRequire(import.meta.url);

export interface WorkerSettings {
  address: string;
  namespace: string;
  /** Workflows kept in memory between tasks; beyond it they are replayed from history when needed. */
  maxCachedWorkflows: number;
  /** A pre-built workflow bundle (production image); otherwise the source is bundled at start. */
  workflowBundlePath?: string;
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    maxCachedWorkflows: Number(env.CAREPATH_WORKFLOW_CACHE ?? 1000),
    ...(env.CAREPATH_WORKFLOW_BUNDLE ? { workflowBundlePath: env.CAREPATH_WORKFLOW_BUNDLE } : {}),
  };
}

export async function createJourneyWorker(settings: WorkerSettings, env: NodeJS.ProcessEnv = process.env): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: settings.address });
  const codec = codecFromEnv(env);
  return Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: JOURNEY_TASK_QUEUE,
    ...(settings.workflowBundlePath
      ? { workflowBundle: { codePath: settings.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows/index.ts') }),
    activities: activitiesFromEnv(env),
    ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
    maxCachedWorkflows: settings.maxCachedWorkflows,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const worker = await createJourneyWorker(workerSettingsFromEnv());
  await worker.run();
}
