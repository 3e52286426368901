/**
 * The journey worker: runs careJourney workflows and their DynamoDB activities. `npm start` runs
 * it in-process; in AWS it is the ECS service's command. Shuts down gracefully on SIGINT/SIGTERM
 * (in-flight activities finish; nothing is lost, since Temporal holds every journey's state).
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDocumentClient, dataConfigFromEnv } from '../activities/dynamo.js';
import { createCaseloadMoveActivities } from '../activities/caseloadMove.js';
import { activitiesFromEnv } from '../activities/index.js';
import { createStaffDirectory } from '../activities/staffDirectory.js';
import { loadProgrammes } from '../config/programmeFiles.js';
import { staffFromProgrammes } from '../domain/staff.js';
import { JOURNEY_TASK_QUEUE } from '../temporal/taskQueue.js';
import { codecFromEnv } from '../temporal/payloadCodec.js';
import { startHeartbeat } from './heartbeat.js';
import { watchForNondeterminism } from './nondeterminismAlarm.js';
import { installWorkerRuntime } from './runtime.js';
import { journeyBundlerOptions, journeyWorkflowsPath } from './workflowBundle.js';
import { connectOptions, temporalConnectionFromEnv, type TemporalConnectionSettings } from '../temporal/connection.js';
import { workerDataConverter } from '../temporal/dataConverter.js';

export interface WorkerSettings extends TemporalConnectionSettings {
  /** Workflows kept in memory between tasks; beyond it they are replayed from history when needed. */
  maxCachedWorkflows: number;
  /** A pre-built workflow bundle (production image); otherwise the source is bundled at start. */
  workflowBundlePath?: string;
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    ...temporalConnectionFromEnv(env),
    maxCachedWorkflows: Number(env.CAREPATH_WORKFLOW_CACHE ?? 1000),
    ...(env.CAREPATH_WORKFLOW_BUNDLE ? { workflowBundlePath: env.CAREPATH_WORKFLOW_BUNDLE } : {}),
  };
}

/**
 * Seeds the staff directory with the people the programme file names whom it has never heard of
 * (activities/staffDirectory.ts): a new deployment starts with its teams, and one whose directory
 * is kept through the admin API is left as it is.
 */
async function seedStaffDirectory(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const data = dataConfigFromEnv(env);
  return createStaffDirectory(createDocumentClient(data), data.tableName).seed(
    staffFromProgrammes(loadProgrammes(env)),
  );
}

/**
 * Seeds the directory, trying again until DynamoDB answers; the worker polls for journeys only
 * once it has. A worker that gave up after one failed try (DynamoDB away, or slow to answer its
 * first request) ran on with an empty directory: every alert of a new deployment went to its
 * teams' lists of alerts that reached no one until the worker next restarted (HAZ-30). Waiting
 * costs nothing a journey would have had: its activities need DynamoDB too.
 */
export async function seedStaffDirectoryUntilDone(
  env: NodeJS.ProcessEnv = process.env,
  opts: { warn: (message: string) => void; retryMs?: (attempt: number) => number },
): Promise<number> {
  const retryMs = opts.retryMs ?? ((attempt: number) => Math.min(30_000, 500 * 2 ** attempt));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await seedStaffDirectory(env);
    } catch (error) {
      const wait = retryMs(attempt);
      opts.warn(`staff directory not seeded (${(error as Error).message}); trying again in ${wait} ms`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export async function createJourneyWorker(
  settings: WorkerSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Worker> {
  const metrics = installWorkerRuntime();
  const logger = Runtime.instance().logger;
  const seeded = await seedStaffDirectoryUntilDone(env, { warn: (m) => logger.warn(m) });
  if (seeded > 0) logger.info(`staff directory: ${seeded} people added from the programme file`);
  const connection = await NativeConnection.connect(connectOptions(settings));
  // A journey whose history stops replaying raises the alarm and waits for an operator (ADR 0012):
  // nothing here resets it.
  if (metrics) watchForNondeterminism(metrics, Runtime.instance().logger);
  const codec = codecFromEnv(env);
  // A caseload move reassigns other journeys as the API would: through a client that reads their payloads.
  const data = dataConfigFromEnv(env);
  const moves = createCaseloadMoveActivities({
    doc: createDocumentClient(data),
    tableName: data.tableName,
    client: new Client({
      connection,
      namespace: settings.namespace,
      ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
    }),
  });
  return Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: JOURNEY_TASK_QUEUE,
    ...(settings.workflowBundlePath
      ? { workflowBundle: { codePath: settings.workflowBundlePath } }
      : { workflowsPath: journeyWorkflowsPath, bundlerOptions: journeyBundlerOptions }),
    activities: { ...activitiesFromEnv(env), ...moves },
    dataConverter: workerDataConverter(codec),
    maxCachedWorkflows: settings.maxCachedWorkflows,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const worker = await createJourneyWorker(workerSettingsFromEnv());
  // The container's health check reads this file; it is only touched while the worker is RUNNING.
  const stopHeartbeat = process.env.CAREPATH_HEALTH_FILE
    ? startHeartbeat(worker, process.env.CAREPATH_HEALTH_FILE)
    : undefined;
  // Resolves once SIGTERM/SIGINT has drained in-flight tasks; closing the connection lets the process exit.
  await worker.run();
  stopHeartbeat?.();
  await worker.connection?.close();
}
