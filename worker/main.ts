/**
 * The journey worker: runs careJourney workflows and their DynamoDB activities. `npm start` runs
 * it in-process; in AWS it is the ECS service's command. Shuts down gracefully on SIGINT/SIGTERM
 * (in-flight activities finish; nothing is lost, since Temporal holds every journey's state).
 */
import { readFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
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
import { bundleJourneyWorkflows } from './workflowBundle.js';
import { deploymentOptions, deploymentVersionFromEnv, makeCurrent } from './deployment.js';
import { connectOptions, temporalConnectionFromEnv, type TemporalConnectionSettings } from '../temporal/connection.js';
import { workerDataConverter } from '../temporal/dataConverter.js';
import { isEntryPoint } from './entryPoint.js';

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

/** A journey worker, and the deployment version it belongs to (worker/deployment.ts, ADR 0013). */
export interface JourneyWorker {
  worker: Worker;
  /** Undefined when versioning is off (`CAREPATH_WORKER_VERSIONING=off`). */
  version?: WorkerDeploymentVersion;
  /**
   * Runs the worker until it is shut down. Once it polls, its version is made the deployment's
   * current one (journey work goes to no other version from then on), and `onReady` is called:
   * only then is the worker ready for work, and healthy.
   */
  run(onReady?: () => void): Promise<void>;
}

export async function createJourneyWorker(
  settings: WorkerSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<JourneyWorker> {
  const metrics = installWorkerRuntime();
  const logger = Runtime.instance().logger;
  const seeded = await seedStaffDirectoryUntilDone(env, { warn: (m) => logger.warn(m) });
  if (seeded > 0) logger.info(`staff directory: ${seeded} people added from the programme file`);
  const connection = await NativeConnection.connect(connectOptions(settings));
  // A journey whose history stops replaying raises the alarm and waits for an operator (ADR 0012):
  // nothing here resets it.
  if (metrics) watchForNondeterminism(metrics, logger);
  const codec = codecFromEnv(env);
  // A caseload move reassigns other journeys as the API would: through a client that reads their payloads.
  const client = new Client({
    connection,
    namespace: settings.namespace,
    ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
  });
  const data = dataConfigFromEnv(env);
  const moves = createCaseloadMoveActivities({ doc: createDocumentClient(data), tableName: data.tableName, client });
  // The bundle is read (or built) here, not by the SDK, because its hash names the worker's version.
  const code = settings.workflowBundlePath
    ? readFileSync(settings.workflowBundlePath, 'utf8')
    : await bundleJourneyWorkflows();
  const version = deploymentVersionFromEnv(env, code);
  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: JOURNEY_TASK_QUEUE,
    workflowBundle: { code },
    activities: { ...activitiesFromEnv(env), ...moves },
    dataConverter: workerDataConverter(codec),
    maxCachedWorkflows: settings.maxCachedWorkflows,
    ...(version ? { workerDeploymentOptions: deploymentOptions(version) } : {}),
  });
  return {
    worker,
    ...(version ? { version } : {}),
    async run(onReady) {
      const stopping = new AbortController();
      const running = worker.run().finally(() => stopping.abort());
      if (!version) onReady?.();
      else
        void makeCurrent(client, version, { signal: stopping.signal, warn: (m) => logger.warn(m) }).then(
          (done) => {
            logger.info(`worker version ${version.buildId}: ${done}`);
            onReady?.();
          },
          () => undefined, // shut down before it was current: nothing to be ready for
        );
      return running;
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  const journeys = await createJourneyWorker(workerSettingsFromEnv());
  // The container's health check reads this file; it is touched only while the worker is RUNNING
  // and its version is current, so ECS stops the old tasks only once journey work comes here.
  let stopHeartbeat: (() => void) | undefined;
  const healthFile = process.env.CAREPATH_HEALTH_FILE;
  // Resolves once SIGTERM/SIGINT has drained in-flight tasks; closing the connection lets the process exit.
  await journeys.run(() => {
    if (healthFile) stopHeartbeat = startHeartbeat(journeys.worker, healthFile);
  });
  stopHeartbeat?.();
  await journeys.worker.connection?.close();
}
