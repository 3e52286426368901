/**
 * Starts the real local services as child processes: DynamoDB Local and the Temporal dev server.
 * Used by `npm start` and by the tests. Each waits until its port answers, and fails with a
 * one-line message when the port is taken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Toolchain } from './toolchain.js';
import { journeySearchAttributes } from '../temporal/searchAttributes.js';

export interface Service {
  name: string;
  port: number;
  process?: ChildProcess;
  stop(): Promise<void>;
}

export class PortInUse extends Error {}

/**
 * Ports for the services a test or `npm start` launches, taken from below the kernel's ephemeral
 * range. A port from `listen(0)` is an ephemeral one, and any outgoing connection on the machine
 * (a test's HTTP client, the AWS SDK, a Temporal client) may be given it as its local port in the
 * gap before our child binds it, or while a restarted platform is down; the child then fails with
 * "address already in use". Outgoing connections never get a port below the range.
 *
 * Each vitest worker process (VITEST_POOL_ID) and each other process takes its own slice of the
 * range and hands out its ports in turn, so two test files never pick the same port either.
 */
const LISTEN_PORTS = { first: 20_000, slices: 24, sliceSize: 500 } as const;
let nextInSlice = -1;

export async function freePort(): Promise<number> {
  const slice = sliceForThisProcess();
  const base = LISTEN_PORTS.first + slice * LISTEN_PORTS.sliceSize;
  // A child process (chaos, npm start) inherits its parent's pool id; starting at a place set by
  // the pid keeps it away from the ports its parent handed out first.
  if (nextInSlice < 0) nextInSlice = (process.pid * 131) % LISTEN_PORTS.sliceSize;
  for (let tried = 0; tried < LISTEN_PORTS.sliceSize; tried++) {
    const port = base + (nextInSlice++ % LISTEN_PORTS.sliceSize);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${base}–${base + LISTEN_PORTS.sliceSize - 1} on 127.0.0.1`);
}

function sliceForThisProcess(): number {
  const pool = Number(process.env.VITEST_POOL_ID);
  // Slice 0 is for processes outside vitest's pool (globalSetup, npm start, bench, chaos).
  if (Number.isInteger(pool) && pool > 0) return 1 + ((pool - 1) % (LISTEN_PORTS.slices - 1));
  return 0;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function launch(
  name: string,
  port: number,
  command: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<Service> {
  if (await portAnswers(port))
    throw new PortInUse(
      `${name} cannot start: port ${port} on 127.0.0.1 is already in use (stop whatever holds it, or choose another port).`,
    );
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!(await portAnswers(port))) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not open port ${port} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Another process can take the port between the check above and the child's bind (tests start
  // many services at once); the port then answers, but not for us, and the child soon exits with
  // "address in use". Give it a moment to say so.
  await new Promise((r) => setTimeout(r, 750));
  if (child.exitCode !== null)
    throw new PortInUse(
      `${name} exited (${child.exitCode}) after port ${port} answered — another process holds it:\n${output}`,
    );
  return {
    name,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** DynamoDB Local, in memory, or persisted under `dbPath`. */
export function startDynamoDbLocal(toolchain: Toolchain, opts: { port: number; dbPath?: string }): Promise<Service> {
  const { classpath, libraryPath, mainClass } = toolchain.dynamoDbLocal;
  if (opts.dbPath) mkdirSync(opts.dbPath, { recursive: true });
  return launch('DynamoDB Local', opts.port, 'java', [
    `-Djava.library.path=${libraryPath}`,
    '-Xmx1g',
    '-cp',
    classpath,
    mainClass,
    ...(opts.dbPath ? ['-dbPath', opts.dbPath, '-sharedDb'] : ['-inMemory', '-sharedDb']),
    '-port',
    String(opts.port),
  ]);
}

const cliType = { KEYWORD: 'Keyword', DATETIME: 'Datetime' } as Record<string, string>;

/** The Temporal dev server with its Web UI, journey search attributes registered, state in SQLite. */
export function startTemporalDevServer(
  toolchain: Toolchain,
  opts: { port: number; uiPort: number; dbFile?: string; codecEndpoint?: string },
): Promise<Service> {
  return launch('Temporal dev server', opts.port, toolchain.temporalCli, [
    'server',
    'start-dev',
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    '--log-level',
    'warn',
    ...journeySearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]),
  ]);
}
