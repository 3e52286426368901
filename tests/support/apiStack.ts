/**
 * The whole platform for API tests, for real: the Temporal dev server (the CLI this project
 * builds), DynamoDB Local, the journey worker with its DynamoDB activities, and the HTTP API on a
 * free port — driven over HTTP with fetch. Programmes can be given short durations so timers are
 * observable in seconds.
 */
import { randomBytes } from 'node:crypto';
import type { ServerType } from '@hono/node-server';
import { Client } from '@temporalio/client';
import type { EncryptionCodec } from '../../temporal/payloadCodec.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../activities/dynamo.js';
import { afterAll, beforeAll, inject } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel } from '../../activities/readModel.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { staffFromProgrammes } from '../../domain/staff.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import type { Programme } from '../../domain/programme.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import type { RateLimits } from '../../lambdas/rateLimits.js';
import { startApiServer } from '../../lambdas/server.js';
import { httpClient, type Call } from '../../scripts/httpClient.js';
import { currentTable, useDynamoDbLocal } from './dynamoDbLocal.js';
import { startDevServer } from './devServer.js';
import { workerDataConverter } from '../../temporal/dataConverter.js';

export interface ApiStack {
  base: string;
  /** A Temporal client with no codec: what someone reading Temporal directly would see. */
  rawClient: Client;
  /**
   * The API's own DynamoDB client, as the Lambda has one of its own: what the API sends can be
   * told from what the worker sends (on `currentTable().doc`).
   */
  apiDoc: DynamoDBDocumentClient;
  /** What a second process (the Lambda entry point, say) needs to reach the same stack. */
  env: Record<string, string>;
  pseudonymKey: Buffer;
  /** A dev token; `organisation` is the ODS code a referrer's sign-in names. */
  token(sub: string, role: string, teams?: string[], organisation?: string): Promise<string>;
  call: Call;
  /** Stops the journey worker for good (for "the worker is down" tests; put them last in a file). */
  stopWorker(): Promise<void>;
}

export function useApiStack(
  programmes: () => Programme[],
  opts: {
    codec?: EncryptionCodec;
    rateLimits?: RateLimits;
    /** False for a directory kept only through the admin API, with no one seeded from the programme file. */
    seedStaff?: boolean;
  } = {},
): { get: () => ApiStack } {
  useDynamoDbLocal();
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let server: ServerType;
  let stack: ApiStack;
  beforeAll(async () => {
    env = await startDevServer();
    const table = currentTable();
    // As the worker does when it starts (worker/main.ts): the programme file's people, in the directory.
    if (opts.seedStaff !== false)
      await createStaffDirectory(table.doc, table.tableName).seed(staffFromProgrammes(programmes()));
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: JOURNEY_TASK_QUEUE,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createJourneyActivities({ doc: table.doc, tableName: table.tableName }),
      dataConverter: workerDataConverter(opts.codec),
    });
    running = worker.run();
    // As the environment gives it (CAREPATH_PSEUDONYM_KEY is text): the same key in `env`.
    const apiDoc = createDocumentClient({ tableName: table.tableName, endpoint: table.endpoint, region: 'eu-west-2' });
    const pseudonymKey = Buffer.from(randomBytes(32).toString('hex'), 'utf8');
    const auth = devAuthenticator(randomBytes(32).toString('hex'));
    const client = new Client({
      connection: env.client.connection,
      ...(opts.codec ? { dataConverter: { payloadCodecs: [opts.codec] } } : {}),
    });
    server = await startApiServer(
      {
        programmes: programmes(),
        gateway: createJourneyGateway(client),
        read: createReadModel(apiDoc, table.tableName),
        auth,
        pseudonymKey,
        ...(opts.codec ? { codec: opts.codec } : {}),
        // Counted in the table, as every instance in AWS counts them (lambdas/rateLimits.ts).
        ...(opts.rateLimits
          ? { rateLimits: opts.rateLimits, rateLimitCounts: { doc: apiDoc, tableName: table.tableName } }
          : {}),
        health: async () => ({
          temporal: await env.connection.healthService.check({}).then(
            () => true,
            () => false,
          ),
          dynamodb: await apiDoc.send(new DescribeTableCommand({ TableName: table.tableName })).then(
            () => true,
            () => false,
          ),
        }),
      },
      0,
    );
    const { port } = server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    stack = {
      base,
      rawClient: new Client({ connection: env.client.connection }),
      apiDoc,
      env: {
        TEMPORAL_ADDRESS: env.address,
        CAREPATH_DYNAMODB_ENDPOINT: table.endpoint,
        CAREPATH_TABLE: table.tableName,
        CAREPATH_PSEUDONYM_KEY: pseudonymKey.toString('utf8'),
      },
      pseudonymKey,
      token: (sub, role, teams = [], organisation) =>
        auth.devToken!({ sub, role: role as never, teams, ...(organisation ? { organisation } : {}) }),
      call: httpClient(base),
      stopWorker: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
      },
    };
  }, 120_000);
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await env?.teardown();
  });
  return { get: () => stack };
}
