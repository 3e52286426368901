/**
 * `npm start`: the whole platform on this machine, on 127.0.0.1 — the Temporal dev server (SQLite
 * under the data directory, Web UI, journey search attributes), DynamoDB Local (persisted under
 * the data directory) and the journey worker. Ctrl-C stops everything it started; started again
 * on the same data directory, every journey carries on where it was, and timers that fell due
 * while it was down fire once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDocumentClient, dataConfigFromEnv, ensureTable } from '../activities/dynamo.js';
import { loadProgrammes, ProgrammeConfigError } from '../config/programmeFiles.js';
import { startApiServer } from '../lambdas/server.js';
import { appDepsFromEnv } from '../lambdas/wiring.js';
import { createJourneyWorker, workerSettingsFromEnv } from '../worker/main.js';
import { newCodecKey } from '../temporal/payloadCodec.js';
import { buildDashboard } from './dashboardBuild.js';
import { PortInUse, startDynamoDbLocal, startTemporalDevServer, type Service } from './localServices.js';
import { ensureToolchain, MissingPrerequisite } from './toolchain.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

const services: Service[] = [];

async function main(): Promise<void> {
  const dataDir = resolve(process.env.CAREPATH_DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const programmes = loadProgrammes(); // fail before starting anything if the configuration is wrong
  const toolchain = await ensureToolchain();
  const dashboardRoot = await buildDashboard();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\ncarepath: stopping…');
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    process.exit(code);
  };

  // Secrets made on first start and kept with the data, so a restart finds every journey readable:
  // the pseudonym key (NHS number → patient id), the payload-encryption keys (rotate by putting a new
  // key first) and the dev sign-in secret.
  const keep = (file: string, variable: string, make: () => string) => {
    const path = join(dataDir, file);
    if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
    process.env[variable] ??= readFileSync(path, 'utf8').trim();
  };
  keep('pseudonym.key', 'CAREPATH_PSEUDONYM_KEY', () => randomBytes(32).toString('hex'));
  keep('codec.keys', 'CAREPATH_CODEC_KEYS', () => `local1:${newCodecKey()}`);
  // Payloads are signed locally too (temporal/payloadCodec.ts); plaintext is let through, so the
  // Temporal CLI can still send a journey a message by hand while developing.
  keep('signing.keys', 'CAREPATH_SIGNING_KEYS', () => `local1:${newCodecKey()}`);
  process.env.CAREPATH_CODEC_ALLOW_PLAINTEXT ??= '1';
  const apiPort = Number(process.env.PORT ?? 3000);

  const dynamoPort = Number(process.env.CAREPATH_DYNAMODB_PORT ?? 8000);
  services.push(await startDynamoDbLocal(toolchain, { port: dynamoPort, dbPath: join(dataDir, 'dynamodb') }));
  process.env.CAREPATH_DYNAMODB_ENDPOINT ??= `http://127.0.0.1:${dynamoPort}`;
  const data = dataConfigFromEnv();
  await ensureTable(createDocumentClient(data), data.tableName);

  let temporalUi: string | undefined;
  if (!process.env.TEMPORAL_ADDRESS) {
    const port = Number(process.env.CAREPATH_TEMPORAL_PORT ?? 7233);
    const uiPort = Number(process.env.CAREPATH_TEMPORAL_UI_PORT ?? 8233);
    services.push(
      await startTemporalDevServer(toolchain, {
        port,
        uiPort,
        dbFile: join(dataDir, 'temporal.db'),
        codecEndpoint: `http://127.0.0.1:${apiPort}/codec`,
      }),
    );
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    temporalUi = `http://127.0.0.1:${uiPort}`;
    process.env.CAREPATH_TEMPORAL_UI_ORIGIN ??= temporalUi;
  }

  const journeys = await createJourneyWorker(workerSettingsFromEnv());

  // Local sign-in picks a user, role and team (dev tokens); never set in AWS.
  process.env.CAREPATH_DEV_AUTH ??= '1';
  keep('dev-auth.secret', 'CAREPATH_DEV_AUTH_SECRET', () => randomBytes(32).toString('hex'));
  const deps = await appDepsFromEnv();
  deps.dashboard = {
    root: dashboardRoot,
    config: {
      apiBaseUrl: '',
      auth: { kind: 'dev' },
      ...(temporalUi
        ? { temporalUi: { url: temporalUi, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' } }
        : {}),
    },
  };
  const api = await startApiServer(deps, apiPort).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new PortInUse(`the API cannot start: port ${apiPort} on 127.0.0.1 is already in use (set PORT to another).`)
      : error;
  });
  services.push({ name: 'API', port: apiPort, stop: () => new Promise<void>((r) => api.close(() => r())) });
  process.once('SIGINT', () => void journeys.worker.shutdown());
  process.once('SIGTERM', () => void journeys.worker.shutdown());
  // Said once the worker takes journey work: its version is current (worker/deployment.ts).
  const ready = () => {
    say('');
    say('carepath is running');
    say(`  Dashboard       http://127.0.0.1:${apiPort}/  (sign in by picking a person)`);
    say(`  API             http://127.0.0.1:${apiPort}  (health: /health; OpenAPI: /openapi.json)`);
    say(`  programmes      ${programmes.map((p) => p.id).join(', ')}`);
    say(`  Temporal        ${process.env.TEMPORAL_ADDRESS} (namespace ${process.env.TEMPORAL_NAMESPACE ?? 'default'})`);
    say(
      `  Temporal Web UI ${temporalUi ?? 'the Web UI of your Temporal cluster'}${temporalUi ? '  (history decodes for ops/admin signed in to the dashboard; see README)' : ''}`,
    );
    say(`  DynamoDB Local  ${process.env.CAREPATH_DYNAMODB_ENDPOINT} (table ${data.tableName})`);
    say(`  data directory  ${dataDir}`);
    say('  Ctrl-C stops everything.');
  };
  await journeys.run(ready).then(
    () => stop(0),
    (error: unknown) => {
      console.error(`carepath: the worker stopped: ${(error as Error).message}`);
      return stop(1);
    },
  );
}

main().catch(async (error: unknown) => {
  for (const s of services.reverse()) await s.stop().catch(() => undefined);
  const known =
    error instanceof PortInUse || error instanceof MissingPrerequisite || error instanceof ProgrammeConfigError;
  console.error(`carepath: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}`);
  process.exit(1);
});
