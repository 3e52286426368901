/**
 * The local stack the security probe attacks, in its production posture: the Temporal dev server
 * and DynamoDB Local (as `npm start` runs them, on free ports, their state in a temporary data
 * directory), the real journey worker (worker/main.ts) and the real API server (lambdas/server.ts,
 * wired by lambdas/wiring.ts), with
 * - every payload sealed and signed, and plaintext refused: not `CAREPATH_CODEC_ALLOW_PLAINTEXT=1`,
 *   which `npm start` sets so a developer can signal a journey by hand;
 * - tokens verified as in AWS, against a Cognito user pool made up here (userPool.ts), with
 *   development sign-in off;
 * - the rate limits on, counted in the table; the intake limit is set low so that a flood is quick
 *   to send, and the mechanism is the one every deployment runs;
 * - the codec endpoint open to break-glass sessions only, and CORS as in AWS: the dashboard is the
 *   API's own origin, and only the Temporal Web UI (here the dev server's) is allowed, with
 *   credentials, on `/codec/*`.
 * Beside it, a second API server in the posture `npm start` gives a developer (development sign-in
 * on, loopback only), for the attacks on a developer's machine.
 *
 * Its configuration is built here, never read from this process's environment, so nothing set in
 * the shell can weaken what is probed. `weaken` exists for the probe's own test: it proves the
 * probe notices when a control is missing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { createDocumentClient, dataConfigFromEnv, ensureTable } from '../../activities/dynamo.js';
import { startApiServer } from '../../lambdas/server.js';
import { appDepsFromEnv } from '../../lambdas/wiring.js';
import { codecFromEnv, newCodecKey } from '../../temporal/payloadCodec.js';
import { createJourneyWorker, workerSettingsFromEnv } from '../../worker/main.js';
import { installWorkerRuntime } from '../../worker/runtime.js';
import { freePort, PortInUse, startDynamoDbLocal, startTemporalDevServer, type Service } from '../localServices.js';
import { ensureToolchain, type Toolchain } from '../toolchain.js';
import { makeUserPool, type UserPool } from './userPool.js';

/** Referrals one caller may send a minute, here: low, so a flood past it is quick to send. */
export const PROBE_INTAKE_LIMIT = 5;

/** Controls turned off on purpose, to prove the probe reports a missing one (its own test). */
export interface Weakening {
  /** The worker's codec takes unsigned plaintext, as under `npm start`. */
  plaintextCommands?: boolean;
  /** No per-caller limit on referrals (`CAREPATH_RATE_LIMIT_INTAKE=0`). */
  noRateLimits?: boolean;
}

export interface ProbeStackOptions {
  /** The toolchain, when the caller has it already (the tests); otherwise made sure of here. */
  toolchain?: Toolchain;
  /** A pre-built workflow bundle (the tests'); otherwise the worker bundles the source. */
  workflowBundlePath?: string;
  weaken?: Weakening;
  log?: (line: string) => void;
}

export interface ProbeStack {
  /** The API in its production posture. */
  api: string;
  /** The API as `npm start` serves it to a developer: development sign-in on. */
  devApi: string;
  pool: UserPool;
  temporal: { address: string; namespace: string };
  /**
   * The payload-sealing keys (`CAREPATH_CODEC_KEYS`), for the attacker who has them but not the
   * signing keys: what the codec endpoint, or anyone who can read its configuration, holds.
   */
  sealingKeys: string;
  /** The browser origins the API is configured to answer (CAREPATH_TEMPORAL_UI_ORIGIN). */
  origins: { temporalUi: string };
  /** What the probe judges effects with; no attacker has these. */
  judge: {
    /** A Temporal client holding the API's keys: reads journeys, and sends the signed twin of a forged command. */
    client: Client;
    pseudonymKey: Buffer;
  };
  weakened: Weakening;
  stop(): Promise<void>;
}

/** A child service on a free port; another process may take the port first, so try another. */
async function onAFreePort(start: (port: number) => Promise<Service>): Promise<Service> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (!(error instanceof PortInUse) || attempt >= 3) throw error;
    }
  }
}

export async function startProbeStack(opts: ProbeStackOptions = {}): Promise<ProbeStack> {
  const log = opts.log ?? (() => undefined);
  const weakened = opts.weaken ?? {};
  const dataDir = mkdtempSync(join(tmpdir(), 'carepath-probe-'));
  // Undone in reverse, whatever has started by the time something fails.
  const undo: (() => Promise<void>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const toolchain = opts.toolchain ?? (await ensureToolchain());
    const uiPort = await freePort();
    // Both at once (each waits on its port); whichever started is stopped if the other did not.
    const started = await Promise.allSettled([
      onAFreePort((port) => startDynamoDbLocal(toolchain, { port, dbPath: join(dataDir, 'dynamodb') })),
      onAFreePort((port) => startTemporalDevServer(toolchain, { port, uiPort, dbFile: join(dataDir, 'temporal.db') })),
    ]);
    for (const s of started) if (s.status === 'fulfilled') undo.push(() => s.value.stop());
    const [dynamo, temporalServer] = started.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }) as [Service, Service];
    log(`DynamoDB Local on ${dynamo.port}, Temporal dev server on ${temporalServer.port}`);

    const pool = makeUserPool();
    const origins = { temporalUi: `http://127.0.0.1:${uiPort}` };
    const sealingKeys = `probe1:${newCodecKey()}`;
    const env: Record<string, string> = {
      AWS_REGION: 'eu-west-2',
      CAREPATH_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamo.port}`,
      CAREPATH_TABLE: 'carepath-probe',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalServer.port}`,
      TEMPORAL_NAMESPACE: 'default',
      CAREPATH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
      CAREPATH_CODEC_KEYS: sealingKeys,
      CAREPATH_SIGNING_KEYS: `sign1:${newCodecKey()}`,
      CAREPATH_TEMPORAL_UI_ORIGIN: origins.temporalUi,
      CAREPATH_RATE_LIMIT_INTAKE: String(weakened.noRateLimits ? 0 : PROBE_INTAKE_LIMIT),
      ...(weakened.plaintextCommands ? { CAREPATH_CODEC_ALLOW_PLAINTEXT: '1' } : {}),
      ...(opts.workflowBundlePath ? { CAREPATH_WORKFLOW_BUNDLE: opts.workflowBundlePath } : {}),
    };
    const data = dataConfigFromEnv(env);
    await ensureTable(createDocumentClient(data), data.tableName);

    // Warnings and up: the worker's every state change would bury the probe's report.
    installWorkerRuntime('WARN');
    const journeys = await createJourneyWorker(workerSettingsFromEnv(env), env);
    let running: Promise<void> | undefined;
    undo.push(async () => {
      if (journeys.worker.getState() === 'RUNNING') journeys.worker.shutdown();
      await running?.catch(() => undefined);
      await journeys.worker.connection?.close();
    });
    // Ready once the worker polls and its version is current (worker/deployment.ts), or failed.
    await new Promise<void>((ready, failed) => {
      running = journeys.run(ready);
      running.then(() => failed(new Error('the journey worker stopped before it was ready')), failed);
    });
    log('journey worker ready');

    const serve = async (deps: Awaited<ReturnType<typeof appDepsFromEnv>>) => {
      const server: ServerType = await startApiServer(deps, 0);
      undo.push(() => new Promise<void>((closed) => server.close(() => closed())));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    };
    const api = await serve(await appDepsFromEnv({ ...env, ...pool.env }, { userPoolKeys: pool.keys }));
    const devApi = await serve(
      await appDepsFromEnv({
        ...env,
        CAREPATH_DEV_AUTH: '1',
        CAREPATH_DEV_AUTH_SECRET: randomBytes(32).toString('hex'),
      }),
    );
    log(`API on ${api} (production posture), ${devApi} (development sign-in)`);

    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    undo.push(() => connection.close());
    const codec = codecFromEnv(env)!;
    return {
      api,
      devApi,
      pool,
      temporal: { address: env.TEMPORAL_ADDRESS!, namespace: env.TEMPORAL_NAMESPACE! },
      sealingKeys,
      origins,
      judge: {
        client: new Client({
          connection,
          namespace: env.TEMPORAL_NAMESPACE!,
          dataConverter: { payloadCodecs: [codec] },
        }),
        pseudonymKey: Buffer.from(env.CAREPATH_PSEUDONYM_KEY!, 'utf8'),
      },
      weakened,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
