/**
 * Workflow tests run on the real Temporal time-skipping test server (Java, from Maven Central):
 * a 14-day review timer fires in milliseconds. This helper starts the server, registers the
 * journey search attributes, and starts workers on the pre-built workflow bundle.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterEach, beforeEach, inject } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import type { Programme } from '../../domain/programme.js';
import type { JourneyReferral } from '../../domain/referral.js';
import { journeySearchAttributes } from '../../temporal/searchAttributes.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import type { CommandOutcome, CommandType } from '../../domain/journeyCommands.js';
import { pollUntilAnswered, sendCommand } from '../../lambdas/journeyGateway.js';
import { careJourney } from '../../workflows/careJourney.js';
import {
  hospitalEventSignal,
  journeyQuery,
  referralSignal,
  referralStatusQuery,
} from '../../temporal/journeyMessages.js';
import type { HospitalEvent } from '../../domain/commands.js';
import { SearchAttributeType } from '@temporalio/common';
import { currentTable, useDynamoDbLocal } from './dynamoDbLocal.js';
import { recordActivities, type RecordedActivities } from './recordingActivities.js';
import { javaTestServerKeepalive } from '../../scripts/javaTestServer.js';
import { freePort } from '../../scripts/localServices.js';
import { workerDataConverter } from '../../temporal/dataConverter.js';

let runtimeInstalled = false;
/** The time-skipping server of the test running now: messages are stamped with its clock. */
let currentEnv: TestWorkflowEnvironment | undefined;

/**
 * Now, as the journeys see it: the time-skipping server's clock where a test runs on one, else the
 * wall clock. Every message carries the time it was sent (temporal/journeyMessages.ts), and a
 * test sends as the API would, at the journey's now.
 */
export async function journeyNow(): Promise<Date> {
  return new Date(currentEnv ? await currentEnv.currentTimeMs() : Date.now());
}

const indexedValueType: Record<string, number> = {
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.DATETIME]: 6,
};

export const programmes: Programme[] = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
export const programme = (id: string): Programme => programmes.find((p) => p.id === id)!;

export async function startTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: inject('toolchain').temporalTestServer },
      port: await freePort(),
    },
    plugins: [javaTestServerKeepalive],
  });
  currentEnv = env;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(journeySearchAttributes.map((k) => [k.name, indexedValueType[k.type]!])),
  });
  return env;
}

export async function journeyWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  seen: RecordedActivities = recordActivities(currentTable()),
  maxCachedWorkflows = 50,
) {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: seen.activities,
    dataConverter: workerDataConverter(),
    maxCachedWorkflows,
  });
  return { worker, seen };
}

const started: WorkflowHandle[] = [];
/**
 * Lets every journey a test started finish its in-flight activities, then terminates it — while
 * the worker still runs. A workflow left with an activity scheduled and no worker to take it holds
 * the test server's time-skipping lock, and every later test in the file would hang.
 */
export async function terminateStartedJourneys(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (h) => {
      await settle(h);
      await h.terminate('test finished').catch(() => undefined);
    }),
  );
}

/** Waits (in real time, briefly) until a journey has no activity in flight. */
export async function settle(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const d = await handle.describe().catch(() => undefined);
    if (!d || d.status.name !== 'RUNNING' || (d.raw.pendingActivities?.length ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a test body with a fresh task queue and worker, and cleans up its journeys before the worker stops. */
export async function withJourneyWorker(
  env: TestWorkflowEnvironment,
  body: (ctx: { taskQueue: string; seen: RecordedActivities }) => Promise<void>,
  seen: RecordedActivities = recordActivities(currentTable()),
): Promise<RecordedActivities> {
  const taskQueue = randomUUID();
  const { worker } = await journeyWorker(env, taskQueue, seen);
  await worker.runUntil(async () => {
    try {
      await body({ taskQueue, seen });
    } finally {
      await terminateStartedJourneys();
    }
  });
  return seen;
}

let patients = 0;
/** A referral as the API would pass it on: no identifiers, a pseudonymous patient behind it. */
export function referral(overrides: Partial<JourneyReferral> = {}): JourneyReferral {
  return {
    referralId: randomUUID(),
    receivedAt: new Date().toISOString(),
    source: 'gp',
    reason: 'Frequent falls and two admissions this year',
    urgency: 'routine',
    age: 84,
    teamId: 'south-devon-1',
    conditions: ['falls', 'heart failure', 'copd', 'diabetes'],
    livesAlone: true,
    admissionsLast12Months: 2,
    consentGiven: true,
    ...overrides,
  };
}

export function newPatientId(): string {
  patients += 1;
  return `ptest${process.pid}x${patients}`;
}

/** Refers a patient by signal-with-start, as the API does, and waits until the journey has taken it in. */
export async function refer(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  opts: {
    patientId: string;
    programme: Programme;
    referral: JourneyReferral;
    maxHistoryEvents?: number;
    /** When the API sent it; the test server's now if not said. */
    sentAt?: number;
  },
) {
  const workflowId = journeyWorkflowId(opts.programme.id, opts.patientId);
  const sentAt = new Date(opts.sentAt ?? (await env.currentTimeMs())).toISOString();
  const handle = await env.client.workflow.signalWithStart(careJourney, {
    workflowId,
    taskQueue,
    args: [
      {
        start: { patientId: opts.patientId, programme: opts.programme, teamId: opts.referral.teamId },
        maxHistoryEvents: opts.maxHistoryEvents,
        startedAt: sentAt,
      },
    ],
    signal: referralSignal,
    signalArgs: [opts.referral, { sentAt }],
  });
  started.push(handle);
  const status = await pollUntilAnswered(
    handle.client,
    () => handle.query(referralStatusQuery, opts.referral.referralId),
    30_000,
  );
  return { handle, status, state: () => handle.query(journeyQuery) };
}

/** Sends a hospital's message as the API does: stamped with when carepath received it (the journey's now). */
export async function hospitalMessage(handle: WorkflowHandle, event: HospitalEvent): Promise<void> {
  await handle.signal(hospitalEventSignal, { ...event, receivedAt: (await journeyNow()).toISOString() });
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** A command the journey refused, with its reason (`phase`, `not-found`, `invalid`, `capacity`). */
export class CommandRefused extends Error {
  override name = 'CommandRefused';
  readonly type: Extract<CommandOutcome, { ok: false }>['type'];
  constructor(rejection: Extract<CommandOutcome, { ok: false }>) {
    super(rejection.message);
    this.type = rejection.type;
  }
}

/**
 * Sends a co-ordinator's command as the API does (a signal, then the journey's decision) and
 * returns the journey as it then stands; throws CommandRefused when the journey refuses it.
 */
export async function command(handle: WorkflowHandle, type: CommandType, arg: unknown) {
  const outcome = await sendCommand(handle, type, arg, { sentAt: await journeyNow() });
  if (!outcome.ok) throw new CommandRefused(outcome);
  return pollUntilAnswered(handle.client, () => handle.query(journeyQuery), 30_000);
}

/**
 * For a workflow test file: DynamoDB Local for the file, and a fresh time-skipping test server for
 * each test. (The Java test server can leave time-skipping locked after a test; one test's
 * leftovers must never stall the next.)
 */
export function useJourneyTestEnv(onStart: (env: TestWorkflowEnvironment) => void): void {
  useDynamoDbLocal();
  let env: TestWorkflowEnvironment | undefined;
  beforeEach(async () => {
    env = await startTestEnv();
    onStart(env);
  });
  afterEach(async () => {
    await env?.teardown();
  });
}
