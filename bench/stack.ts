/**
 * The local stack the bench measures, brought up the way the API tests bring theirs up
 * (tests/support/apiStack.ts): the Temporal dev server and DynamoDB Local as child processes on
 * free ports, the journey worker — here in its own process, so its memory is its own — and the
 * HTTP API on Node in this process. Everything is torn down by `stop()`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerType } from '@hono/node-server';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { createDocumentClient, ensureTable } from '../activities/dynamo.js';
import { createReadModel } from '../activities/readModel.js';
import { createStaffDirectory } from '../activities/staffDirectory.js';
import { staffFromProgrammes } from '../domain/staff.js';
import type { Programme } from '../domain/programme.js';
import { devAuthenticator } from '../lambdas/auth.js';
import { createJourneyGateway } from '../lambdas/journeyGateway.js';
import { startApiServer } from '../lambdas/server.js';
import { freePort, startDynamoDbLocal, startTemporalDevServer, type Service } from '../scripts/localServices.js';
import type { Toolchain } from '../scripts/toolchain.js';
import { httpClient, type Call } from '../scripts/httpClient.js';
import { pool } from './stats.js';
import type { FromWorker, MemorySample, ToWorker } from './workerProtocol.js';
import { bundleJourneyWorkflows } from '../worker/workflowBundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Everything started and not yet stopped, so an interrupted bench (Ctrl-C, a timeout) leaves nothing running. */
const running = new Set<{ stop(): Promise<void> }>();
function track<T extends { stop(): Promise<void> }>(service: T): T {
  const stop = service.stop.bind(service);
  const tracked = Object.assign(service, {
    stop: async () => {
      running.delete(tracked);
      await stop();
    },
  });
  running.add(tracked);
  return tracked;
}
export async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop().catch(() => undefined)));
}

export interface Table {
  service: Service;
  endpoint: string;
  tableName: string;
  doc: DynamoDBDocumentClient;
}

export async function startTable(toolchain: Toolchain, prefix: string): Promise<Table> {
  const port = await freePort();
  const service = track(await startDynamoDbLocal(toolchain, { port }));
  const endpoint = `http://127.0.0.1:${port}`;
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const doc = createDocumentClient({ tableName, endpoint, region: 'eu-west-2' });
  await ensureTable(doc, tableName);
  return { service, endpoint, tableName, doc };
}

/**
 * A document client that keeps each item it is asked to put instead of sending it: the real
 * writers (the worker's activities, the API's read model) build a measure's data, and `loadItems`
 * writes it in bulk, since loading is set-up, not what a measure times.
 */
export function capturingClient(): { doc: DynamoDBDocumentClient; items: Record<string, unknown>[] } {
  const items: Record<string, unknown>[] = [];
  const doc = {
    send: async (command: { input: { Item?: Record<string, unknown> } }) => void items.push(command.input.Item!),
  } as unknown as DynamoDBDocumentClient;
  return { doc, items };
}

/** Writes items 25 at a time with BatchWriteItem, `concurrency` batches at once, until none is left unprocessed. */
export async function loadItems(table: Table, items: Record<string, unknown>[], concurrency = 8): Promise<void> {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) => items.slice(b * 25, b * 25 + 25));
  await pool(batches.length, concurrency, async (b) => {
    let left: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = batches[b]!.map((Item) => ({
      PutRequest: { Item },
    }));
    while (left && left.length > 0) {
      const out = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: left } }));
      left = out.UnprocessedItems?.[table.tableName] as typeof left;
    }
  });
}

/**
 * Bundles workflow code once per bench run (webpack takes seconds), or reuses a given bundle. The
 * journeys are bundled exactly as the worker bundles them (worker/workflowBundle.ts); the floor
 * workflows plainly.
 */
export async function bundle(
  workDir: string,
  name: 'journeys' | 'floor',
  workflowsPath: string,
  existing?: string,
): Promise<string> {
  if (existing && existsSync(existing)) return existing;
  const code =
    name === 'journeys'
      ? await bundleJourneyWorkflows(workflowsPath)
      : (await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') })).code;
  const path = join(workDir, `${name}.js`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return path;
}

export interface WorkerChild {
  pid: number;
  memory(gc?: boolean): Promise<MemorySample>;
  stop(): Promise<void>;
}

/** Starts bench/workerProcess.ts in its own Node process (with --expose-gc) and waits until it polls. */
export async function startWorkerChild(
  env: Record<string, string>,
  logFile: string,
  heapMiB = 0,
): Promise<WorkerChild> {
  const { openSync } = await import('node:fs');
  const err = openSync(logFile, 'a');
  const child: ChildProcess = fork(join(root, 'bench', 'workerProcess.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      '--import',
      join(root, 'bench', 'workflowThreadProbe.mjs'),
      '--expose-gc',
      ...(heapMiB > 0 ? [`--max-old-space-size=${heapMiB}`] : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', err, 'ipc'],
  });
  const waiting = new Map<number, (s: MemorySample) => void>();
  let ids = 0;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(new Error(`the worker process failed: ${m.message}`));
      else if (m.type === 'mem') waiting.get(m.id)?.(m.sample);
    });
    child.once('exit', (code) =>
      reject(new Error(`the worker process exited (${code}) before it was ready; see ${logFile}`)),
    );
  });
  return track({
    pid: child.pid!,
    memory(gc = false) {
      const id = ++ids;
      return new Promise<MemorySample>((resolve, reject) => {
        if (!child.connected) return reject(new Error('the worker process has gone'));
        waiting.set(id, resolve);
        // A send error is this reading's failure, never an unhandled 'error' that ends the whole run.
        child.send({ type: 'mem', gc, id } satisfies ToWorker, (error) => {
          if (!error) return;
          waiting.delete(id);
          reject(error);
        });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  });
}

export interface ApiServer {
  server: ServerType;
  base: string;
  call: Call;
  token(sub: string, role: string, teams?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The HTTP API on a free port, with dev sign-in, wired like `npm start` wires it. */
export async function startApi(opts: {
  programmes: Programme[];
  client: Client;
  doc: DynamoDBDocumentClient;
  tableName: string;
  pseudonymKey: Buffer;
  connection?: Connection;
}): Promise<ApiServer> {
  const auth = devAuthenticator(randomBytes(32).toString('hex'));
  const server = await startApiServer(
    {
      programmes: opts.programmes,
      gateway: createJourneyGateway(opts.client),
      read: createReadModel(opts.doc, opts.tableName),
      auth,
      pseudonymKey: opts.pseudonymKey,
      health: async () => ({
        temporal: opts.connection
          ? await opts.connection.healthService.check({}).then(
              () => true,
              () => false,
            )
          : false,
        dynamodb: await opts.doc.send(new DescribeTableCommand({ TableName: opts.tableName })).then(
          () => true,
          () => false,
        ),
      }),
    },
    0,
  );
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const call = httpClient(base);
  const tokens = new Map<string, Promise<string>>();
  return {
    server,
    base,
    call,
    token(sub, role, teams = []) {
      const key = `${sub}|${role}|${teams.join(',')}`;
      if (!tokens.has(key)) {
        tokens.set(
          key,
          call('POST', '/auth/dev-token', { json: { sub, role, teams } }).then((r) => {
            if (r.status !== 200) throw new Error(`dev token refused: ${r.text}`);
            return (r.body as { token: string }).token;
          }),
        );
      }
      return tokens.get(key)!;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface Stack {
  table: Table;
  temporal: Service;
  temporalAddress: string;
  connection: Connection;
  client: Client;
  worker: WorkerChild;
  api: ApiServer;
  pseudonymKey: Buffer;
  stop(): Promise<void>;
}

export async function startStack(opts: {
  toolchain: Toolchain;
  workDir: string;
  programmes: Programme[];
  journeyBundle: string;
  floorBundle: string;
  workflowCache: number;
  floorCache: number;
  workerHeapMiB?: number;
}): Promise<Stack> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const table = await startTable(opts.toolchain, 'bench');
    started.push(table.service);
    // Journeys keep only their programme's rules: the directory says who works in the bench's teams
    // (the worker seeds only the programme file it is given, and the bench's programmes are its own).
    await createStaffDirectory(table.doc, table.tableName).seed(staffFromProgrammes(opts.programmes));
    const port = await freePort();
    const temporal = track(
      await startTemporalDevServer(opts.toolchain, {
        port,
        uiPort: await freePort(),
        dbFile: join(opts.workDir, 'temporal.db'),
      }),
    );
    started.push(temporal);
    const temporalAddress = `127.0.0.1:${port}`;
    const connection = await Connection.connect({ address: temporalAddress });
    started.push({ stop: () => connection.close() });
    const client = new Client({ connection });
    const pseudonymKey = randomBytes(32);
    const worker = await startWorkerChild(
      {
        TEMPORAL_ADDRESS: temporalAddress,
        CAREPATH_DYNAMODB_ENDPOINT: table.endpoint,
        CAREPATH_TABLE: table.tableName,
        CAREPATH_WORKFLOW_BUNDLE: opts.journeyBundle,
        CAREPATH_WORKFLOW_CACHE: String(opts.workflowCache),
        BENCH_FLOOR_BUNDLE: opts.floorBundle,
        BENCH_FLOOR_CACHE: String(opts.floorCache),
      },
      join(opts.workDir, 'worker.log'),
      opts.workerHeapMiB,
    );
    started.push(worker);
    const api = await startApi({
      programmes: opts.programmes,
      client,
      doc: table.doc,
      tableName: table.tableName,
      pseudonymKey,
      connection,
    });
    started.push({ stop: () => api.close() });
    return {
      table,
      temporal,
      temporalAddress,
      connection,
      client,
      worker,
      api,
      pseudonymKey,
      async stop() {
        for (const s of started.reverse()) await s.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
}
