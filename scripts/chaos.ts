/**
 * `npm run chaos`: a few hundred journeys run through a short-duration programme on the local
 * stack while the worker is killed with SIGKILL at random moments, the Temporal dev server is
 * restarted and DynamoDB Local is stopped for half a minute. Afterwards every journey is checked
 * against the invariants (domain/invariants.ts) and the run is written to
 * bench/results/reliability.json. Exits 1 on any violation.
 *
 *   npm run chaos                      # 300 journeys, 12 worker kills, DynamoDB down 30 s
 *   npm run chaos -- --journeys 50 --kills 4 --dynamo-outage 10 --life 90
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { createDocumentClient, dataConfigFromEnv, ensureTable } from '../activities/dynamo.js';
import { createReadModel } from '../activities/readModel.js';
import { builtInHospitalFeeds } from '../domain/builtInHospitalFeeds.js';
import { builtInProgrammes } from '../domain/builtInProgrammes.js';
import { parseProgrammes } from '../config/programmeFiles.js';
import type { Programme, ProgrammeInput } from '../domain/programme.js';
import { startApiServer } from '../lambdas/server.js';
import { appDepsFromEnv } from '../lambdas/wiring.js';
import { codecFromEnv, newCodecKey } from '../temporal/payloadCodec.js';
import { all, checkAll, checkReplays, hasWorkInFlight, type CheckResult } from './chaosCheck.js';
import { sourceCommit, updateDocsAfterWriting } from './docsFigures.js';
import { Faults, type FaultCounts } from './chaosFaults.js';
import { runLoad, type LoadStats } from './chaosLoad.js';
import { freePort } from './localServices.js';
import { seededRandom } from './seededRandom.js';
import { ensureToolchain } from './toolchain.js';
import { bundleJourneyWorkflows } from '../worker/workflowBundle.js';
import { workerDataConverter } from '../temporal/dataConverter.js';
import { emailSettingsFromEnv } from '../activities/channels.js';
import { checkEmails, type EmailCheck } from './chaosEmails.js';
import { startFakeSes, type FakeSes } from './fakeSes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ChaosOptions {
  journeys: number;
  /** Referrals arrive over this window; every journey's life ends by `lifeMs`. */
  arrivalMs: number;
  lifeMs: number;
  workerKills: number;
  dynamoDbOutageMs: number;
  temporalDownMs: number;
  /** The share of email sends SES refuses (throttled or failing), 0 to 1. */
  emailRefusalRate: number;
  /** How late a ladder step may fire before it counts as missed (see LADDER_GRACE_MS). */
  graceMs: number;
  seed: number;
  /** Where the report goes; none when undefined. */
  out?: string;
  log: (line: string) => void;
  /**
   * Runs once the load is done, before the check: lets a test damage the record the check must
   * then catch (tests/reliability/chaosRecord.test.ts).
   */
  beforeCheck?: (run: { doc: DynamoDBDocumentClient; tableName: string; journeyIds: string[] }) => Promise<void>;
}

export interface ChaosReport {
  generatedAt: string;
  /** The commit the run was made from (`-dirty` with uncommitted changes). */
  commit?: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  settings: Omit<ChaosOptions, 'out' | 'log' | 'beforeCheck'>;
  faults: FaultCounts;
  load: Omit<LoadStats, 'unexpected' | 'gaveUp'> & { unexpected: number; gaveUp: number };
  checked: Omit<CheckResult, 'violations'>;
  violations: number;
  byInvariant: Record<string, number>;
  violationSamples: CheckResult['violations'];
  unexpectedSamples: string[];
  durationSeconds: number;
}

/** Frailty virtual ward with every deadline in seconds, one team, ladders to the service manager. */
export function chaosProgramme(): Programme {
  const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
  const quick: ProgrammeInput = {
    ...frailty,
    id: 'chaos-ward',
    name: 'Chaos ward',
    teams: [
      {
        id: 'chaos-team',
        name: 'Chaos team',
        coordinators: ['ana', 'ben', 'cat'].map((n) => ({
          id: `coord-${n}`,
          name: `Co-ordinator ${n}`,
          maxCaseload: 1000,
        })),
        leads: ['lead-chaos'],
        serviceManagers: ['mgr-chaos'],
      },
    ],
    eligibility: { minAge: 65, autoAcceptRiskScore: 0.6 },
    deadlines: {
      triage: 'PT40S',
      assessment: { urgent: 'PT45S', routine: 'PT90S' },
      carePlan: 'PT60S',
      postDischargeContact: 'PT45S',
      review: { high: 'PT60S', medium: 'PT90S', low: 'PT120S' },
      reviewAfterDischarge: 'PT60S',
    },
    escalation: [
      { at: '-PT10S', notify: 'coordinator', kind: 'reminder' },
      { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
      { at: 'PT15S', notify: 'team-lead', kind: 'escalation' },
      { at: 'PT30S', notify: 'service-manager', kind: 'escalation' },
    ],
    readmissionWindow: 'PT2M',
  };
  return parseProgrammes({ programmes: [quick] }, 'chaos')[0]!;
}

/**
 * How late a ladder step may fire after a worker is killed before it counts as missed. Worst case:
 * an activity started on the dead worker holds its journey until the activity's 10 s timeout, the
 * retry starts 1 s later, the journey's next workflow task then waits out the dead worker's sticky
 * queue (10 s, the SDK default) before any worker takes it, and the dev server fires timers on a
 * 1 s tick — 22 s, on two busy cores. Ladder steps are hours or days apart in real programmes.
 */
export const LADDER_GRACE_MS = 30_000;

/** Email as the worker sends it in the run: staff addressed at nhs.net, each email linking to its journey. */
const chaosEmail = {
  CAREPATH_EMAIL_FROM: 'carepath@chaos.example.nhs.uk',
  CAREPATH_EMAIL_ADDRESS_TEMPLATE: '{id}@nhs.net',
  CAREPATH_DASHBOARD_URL: 'https://carepath.chaos.example.nhs.uk',
};

/**
 * Once no journey has work in flight (a notification's email may still be being retried), the
 * emails SES accepted against the inbox items of the run's journeys (scripts/chaosEmails.ts).
 */
async function checkEmailsOf(o: {
  client: Client;
  read: ReturnType<typeof createReadModel>;
  programme: Programme;
  journeyIds: string[];
  ses: FakeSes;
  interruptions: number[];
}): Promise<EmailCheck> {
  for (let round = 0; round < 60; round += 1) {
    const busy = await Promise.all(o.journeyIds.map((id) => hasWorkInFlight(o.client, id)));
    if (!busy.some(Boolean)) break;
    await sleep(1000);
  }
  // Everyone the team's ladders climb to, and everyone an email went to (a referrer is told of a
  // decline): the check reads each one's inbox.
  const staff = new Set([
    ...o.programme.teams.flatMap((t) => [...t.coordinators.map((c) => c.id), ...t.leads, ...t.serviceManagers]),
    ...o.ses.accepted.map((e) => e.to.replace(/@nhs\.net$/, '')),
  ]);
  const ours = new Set(o.journeyIds);
  const inbox = (await Promise.all([...staff].map((user) => all((cursor) => o.read.inbox(user, 500, cursor)))))
    .flat()
    .filter((i) => ours.has(i.journeyId));
  return checkEmails({
    inbox,
    accepted: o.ses.accepted,
    refused: o.ses.refused,
    settings: emailSettingsFromEnv(chaosEmail)!,
    interruptions: o.interruptions,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  const toolchain = await ensureToolchain();
  const dataDir = mkdtempSync(join(tmpdir(), 'carepath-chaos-'));
  const ports = { api: await freePort(), dynamo: await freePort(), temporal: await freePort(), ui: await freePort() };
  const programme = chaosProgramme();
  const programmesFile = join(dataDir, 'programmes.yaml');
  // The example integration engines may send for the example hospitals, as with `npm start`.
  writeFileSync(programmesFile, stringify({ programmes: [programme], hospitalFeeds: builtInHospitalFeeds }));
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, await bundleJourneyWorkflows());
  // SES refuses a share of the sends, from a random stream of its own so the faults' plan is as before.
  const refusing = seededRandom(o.seed + 1);
  const ses = await startFakeSes(() => refusing() < o.emailRefusalRate);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_NAMESPACE: 'default',
    CAREPATH_DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamo}`,
    CAREPATH_TABLE: 'carepath-chaos',
    CAREPATH_PROGRAMMES: programmesFile,
    CAREPATH_CODEC_KEYS: `chaos1:${newCodecKey()}`,
    CAREPATH_SIGNING_KEYS: `chaos1:${newCodecKey()}`,
    CAREPATH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    CAREPATH_DEV_AUTH: '1',
    CAREPATH_DEV_AUTH_SECRET: randomBytes(32).toString('hex'),
    CAREPATH_WORKFLOW_BUNDLE: bundlePath,
    CAREPATH_RATE_LIMIT_INTAKE: '0',
    CAREPATH_RATE_LIMIT_ADT: '0',
    ...chaosEmail,
    // The worker's SES client sends to the refusing endpoint, with throwaway credentials.
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_ACCESS_KEY_ID: 'chaos',
    AWS_SECRET_ACCESS_KEY: 'chaos',
  };
  delete env.COGNITO_USER_POOL_ID;
  const faults = new Faults({ toolchain, dataDir, ports, workerEnv: env, log: o.log });
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let connection: Connection | undefined;
  let keep = false;
  try {
    await faults.startServices();
    const data = dataConfigFromEnv(env);
    const doc = createDocumentClient(data);
    await ensureTable(doc, data.tableName);
    faults.startWorker();
    const deps = await appDepsFromEnv(env);
    server = await startApiServer(deps, ports.api);
    const base = `http://127.0.0.1:${ports.api}`;
    const token = async (sub: string, role: string, teams: string[]) =>
      deps.auth.devToken!({ sub, role: role as never, teams });
    o.log(
      `chaos: ${o.journeys} journeys over ${Math.round(o.lifeMs / 1000)} s; ${o.workerKills} worker kills, Temporal restarted ${o.temporalDownMs > 0 ? 'once' : 'never'}, DynamoDB down ${Math.round(o.dynamoDbOutageMs / 1000)} s`,
    );

    // Faults, one at a time, at seeded moments while the load runs.
    const plan = [
      // After each kill, wait for the replacement worker (it starts a second after) before the next fault.
      ...Array.from({ length: o.workerKills }, () => ({
        at: (0.08 + random() * 0.72) * o.lifeMs,
        run: () => faults.killWorker().then(() => sleep(1500 + random() * 2500)),
      })),
      // An outage of 0 s is none (a test that needs no faults).
      ...(o.dynamoDbOutageMs > 0 ? [{ at: 0.3 * o.lifeMs, run: () => faults.dynamoDbOutage(o.dynamoDbOutageMs) }] : []),
      ...(o.temporalDownMs > 0 ? [{ at: 0.55 * o.lifeMs, run: () => faults.restartTemporal(o.temporalDownMs) }] : []),
    ].sort((a, b) => a.at - b.at);
    const t0 = Date.now();
    const faulting = (async () => {
      for (const f of plan) {
        await sleep(t0 + f.at - Date.now());
        await f.run();
      }
    })();
    const load = await runLoad({
      base,
      programme,
      journeys: o.journeys,
      arrivalMs: o.arrivalMs,
      lifeMs: o.lifeMs,
      random,
      token,
      log: o.log,
    });
    await faulting;
    o.log(
      `chaos: load done (${load.journeyIds.length} journeys, ${load.stats.actions} actions, ${load.stats.adtMessages} ADT messages, ${load.stats.retries} retried calls); checking…`,
    );

    await o.beforeCheck?.({ doc, tableName: data.tableName, journeyIds: load.journeyIds });
    const codec = codecFromEnv(env)!;
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
    const checked = await checkAll({
      client,
      read: createReadModel(doc, data.tableName),
      programme,
      journeyIds: load.journeyIds,
      graceMs: o.graceMs,
    });
    const replays = await checkReplays({
      client,
      workflowBundlePath: bundlePath,
      dataConverter: workerDataConverter(codec),
      journeyIds: load.journeyIds,
    });
    checked.violations.push(...replays.violations);
    checked.historiesReplayed = replays.replayed;
    checked.historiesReplayedWithEmptyTasks = replays.replayedWithEmptyTasks;
    checked.emptyTasksInserted = replays.emptyTasksInserted;
    checked.emptyTasksFolded = replays.emptyTasksFolded;
    const emails = await checkEmailsOf({
      client,
      read: createReadModel(doc, data.tableName),
      programme,
      journeyIds: load.journeyIds,
      ses,
      interruptions: faults.interruptions,
    });
    checked.violations.push(...emails.violations);
    const { violations: _emailViolations, ...emailCounts } = emails;
    checked.emails = emailCounts;
    const byInvariant: Record<string, number> = {};
    for (const v of checked.violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
    const { log: _log, out: _out, beforeCheck: _beforeCheck, ...settings } = o;
    const { violations, ...counts } = checked;
    const { unexpected, gaveUp, ...loadCounts } = load.stats;
    const report: ChaosReport = {
      generatedAt: new Date().toISOString(),
      commit: sourceCommit(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings,
      faults: { ...faults.counts },
      load: { ...loadCounts, unexpected: unexpected.length, gaveUp: gaveUp.length },
      checked: counts,
      violations: violations.length,
      byInvariant,
      violationSamples: violations.slice(0, 50),
      unexpectedSamples: [...unexpected.slice(0, 20), ...gaveUp.slice(0, 20).map((c) => `gave up: ${c}`)],
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    if (violations.length) {
      // Keep the evidence: Temporal's and DynamoDB's files, and the keys that open the histories.
      keep = true;
      writeFileSync(
        join(dataDir, 'keys.env'),
        ['CAREPATH_CODEC_KEYS', 'CAREPATH_SIGNING_KEYS', 'CAREPATH_PSEUDONYM_KEY']
          .map((k) => `${k}=${env[k]}`)
          .join('\n') + '\n',
        { mode: 0o600 },
      );
      o.log(`chaos: violations found; the run's data and keys are kept in ${dataDir}`);
    }
    if (o.out) {
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
    }
    return report;
  } finally {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await connection?.close().catch(() => undefined);
    await faults.stopAll();
    await ses.stop();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const lifeMs = arg('life', 300) * 1000;
  runChaos({
    journeys: arg('journeys', 300),
    arrivalMs: Math.round(lifeMs * 0.4),
    lifeMs,
    workerKills: arg('kills', 12),
    emailRefusalRate: arg('email-refusals', 0.3),
    dynamoDbOutageMs: arg('dynamo-outage', 30) * 1000,
    temporalDownMs: arg('temporal-down', 5) * 1000,
    graceMs: LADDER_GRACE_MS,
    seed: arg('seed', 2026),
    out: join(root, 'bench', 'results', 'reliability.json'),
    log: (line) => process.stdout.write(`${line}\n`),
  }).then(
    (r) => {
      // The figures in docs/reliability.md follow the results file.
      const docs = updateDocsAfterWriting(join(root, 'bench', 'results', 'reliability.json'));
      if (docs.length > 0) process.stdout.write(`chaos: rewrote the figures in ${docs.join(', ')}\n`);
      process.stdout.write(
        `\nchaos: ${r.checked.journeys} journeys, ${r.checked.auditEvents} audit events, ${r.checked.ladderSteps} ladder steps, ${r.checked.notifications} notifications; ${r.checked.historiesReplayed} histories replayed, again with ${r.checked.emptyTasksInserted} empty workflow tasks put in (${r.checked.emptyTasksFolded} tasks folded by sdk-core); faults ${JSON.stringify(r.faults)}; ${r.violations} violations ${JSON.stringify(r.byInvariant)} — bench/results/reliability.json\n`,
      );
      process.exit(r.violations === 0 && r.load.unexpected === 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error(`chaos: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
