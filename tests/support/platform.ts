/**
 * `npm start` as a person runs it — the same script, as a child process on free ports with its own
 * data directory — for tests that need the whole platform: the Temporal dev server with its Web
 * UI, DynamoDB Local, the worker, the API and the dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ProgrammeInput } from '../../domain/programme.js';
import { freePort } from '../../scripts/localServices.js';

export interface Platform {
  /** The API and dashboard, e.g. http://127.0.0.1:41234 */
  base: string;
  /** The Temporal Web UI. */
  temporalUi: string;
  ports: { api: number; dynamo: number; temporal: number; ui: number };
  dataDir: string;
  output(): string;
  /** Starts `npm start` (again, on the same data directory and ports). */
  start(): Promise<void>;
  /** Ctrl-C, and waits for it to exit. */
  stop(): Promise<void>;
  json(
    path: string,
    init?: RequestInit & { token?: string },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  tokenFor(sub: string, role: string, teams?: string[]): Promise<string>;
}

/** The last line of `npm start`'s banner. */
const BANNER_END = 'Ctrl-C stops everything.';

/** `settings`: the programme file's other top-level sections (`referralsSharedWithin`, …). */
export async function platform(
  programmes: ProgrammeInput[],
  settings: Record<string, unknown> = {},
): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carepath-platform-'));
  const programmesFile = join(dataDir, 'programmes.yaml');
  writeFileSync(programmesFile, stringify({ programmes, ...settings }));
  const ports = { api: await freePort(), dynamo: await freePort(), temporal: await freePort(), ui: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAREPATH_DATA_DIR: dataDir,
    CAREPATH_PROGRAMMES: programmesFile,
    PORT: String(ports.api),
    CAREPATH_DYNAMODB_PORT: String(ports.dynamo),
    CAREPATH_TEMPORAL_PORT: String(ports.temporal),
    CAREPATH_TEMPORAL_UI_PORT: String(ports.ui),
  };
  delete env.TEMPORAL_ADDRESS;
  const base = `http://127.0.0.1:${ports.api}`;
  let child: ChildProcess | undefined;
  let output = '';

  const json: Platform['json'] = async (path, init = {}) => {
    const { token, ...rest } = init;
    const r = await fetch(`${base}${path}`, {
      ...rest,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(rest.headers ?? {}),
      },
    });
    return { status: r.status, body: (await r.json().catch(() => undefined)) as Record<string, unknown> };
  };

  const platformStack: Platform = {
    base,
    temporalUi: `http://127.0.0.1:${ports.ui}`,
    ports,
    dataDir,
    output: () => output,
    json,
    tokenFor: async (sub, role, teams = []) =>
      (await json('/auth/dev-token', { method: 'POST', body: JSON.stringify({ sub, role, teams }) })).body
        .token as string,
    async start() {
      output = '';
      // Its own process group, so that if `npm start` itself dies the services it started can
      // still be stopped with it (see stop()).
      const started = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child = started;
      started.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      started.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 120_000;
      try {
        // The banner is written a line at a time: wait for its last line, not its first, so a
        // busy machine cannot hand us half of it. Then wait for the API to say it is healthy.
        while (!output.includes(BANNER_END)) {
          if (started.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
          if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        for (;;) {
          const health = await json('/health').catch(() => undefined);
          if (health?.status === 200) break;
          if (started.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
          if (Date.now() > deadline)
            throw new Error(`npm start is not healthy: ${JSON.stringify(health?.body)}\n${output}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      } catch (error) {
        await platformStack.stop();
        throw error;
      }
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGINT');
      // Ctrl-C stops everything within seconds; if it does not, kill the whole process group
      // (the dev server and DynamoDB Local with it) rather than leave them running after the test.
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 60_000)),
      ]);
      if (!stopped) {
        try {
          process.kill(-running.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
    },
  };
  return platformStack;
}
