/**
 * Journeys are reset by an operator, never by the worker (ADR 0012). A journey whose history the
 * workflow cannot replay raises the nondeterminism alarm and stays as it is; the operator's command
 * says what it would do, changes nothing until told to, and then resets the journey past its
 * divergence. A journey reset to its first task does everything again and sends nothing twice.
 * On the real Temporal dev server and DynamoDB Local; SES's transport is captured.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import proto, { type temporal as protos } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import * as J from '../../domain/journey.js';
import { resetJourneysCommand } from '../../scripts/resetJourneys.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { isReplayDivergence, resetPointFor } from '../../temporal/journeyReset.js';
import { careJourney } from '../../workflows/careJourney.js';
import { hospitalEventSignal, journeyQuery, referralSignal } from '../../temporal/journeyMessages.js';
import { NONDETERMINISM_ALARM, watchForNondeterminism } from '../../worker/nondeterminismAlarm.js';
import { installWorkerRuntime } from '../../worker/runtime.js';
import { capturingSes, channelOf, sentTo } from '../support/capturingSes.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { DAY, newPatientId, programme, referral } from '../support/journeyTestEnv.js';
import { startDevServer } from '../support/devServer.js';

const { temporal } = proto;
const E = temporal.api.enums.v1.EventType;
const event = (id: number, eventType: protos.api.enums.v1.EventType) => ({ eventId: id, eventType }) as never;

describe('where a reset goes back to', () => {
  const events = [
    event(1, E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
    event(2, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    event(3, E.EVENT_TYPE_WORKFLOW_TASK_STARTED),
    event(4, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    event(5, E.EVENT_TYPE_TIMER_STARTED),
    event(6, E.EVENT_TYPE_TIMER_FIRED),
    event(7, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    event(8, E.EVENT_TYPE_WORKFLOW_TASK_STARTED),
    event(9, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    event(10, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  ];
  it('goes back to the last completed task before the event replay could not reproduce', () => {
    expect(
      resetPointFor(
        events,
        '[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 10, ActivityTaskScheduled)',
      ),
    ).toBe(9);
    expect(
      resetPointFor(
        events,
        '[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 5, TimerStarted)',
      ),
    ).toBe(4);
  });
  it('finds no point when the failure names no event, or nothing completed before it', () => {
    expect(resetPointFor(events, '[TMPRL1100] Nondeterminism error: something else')).toBeUndefined();
    expect(
      resetPointFor(events, '[TMPRL1100] Nondeterminism error: HistoryEvent(id: 2, WorkflowTaskScheduled)'),
    ).toBeUndefined();
    expect(isReplayDivergence('TypeError: cannot read properties of undefined')).toBe(false);
  });
});

describe('resetting journeys', () => {
  useDynamoDbLocal();
  let env: TestWorkflowEnvironment;
  let client: Client;
  let commandEnv: NodeJS.ProcessEnv;
  const alarms: string[] = [];
  let alarm: ReturnType<typeof watchForNondeterminism>;
  beforeAll(async () => {
    // Before anything creates the runtime: sdk-core's metrics are how the worker learns of the failure.
    const metrics = installWorkerRuntime('WARN');
    expect(metrics).toBeDefined();
    alarm = watchForNondeterminism(metrics!, capturing(alarms), 3_600_000);
    env = await startDevServer();
    client = env.client;
    commandEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
  }, 120_000);
  afterAll(async () => {
    alarm?.stop();
    await env?.teardown();
  });

  /** A worker running the journey workflow as built for production. */
  const journeyWorker = (taskQueue: string, activities: object) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities,
    });
  const reset = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await resetJourneysCommand(argv, commandEnv, (l) => out.push(l));
    return {
      code,
      out,
      plans: out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  };

  it('raises the alarm for a journey stuck on a replay divergence, leaves it for the operator, and resets it when told', async () => {
    const table = currentTable();
    const activities = createJourneyActivities({ doc: table.doc, tableName: table.tableName });
    const p = programme('frailty-virtual-ward');
    const workflowId = `${p.id}.${newPatientId()}`;
    const taskQueue = `${JOURNEY_TASK_QUEUE}-stuck`;

    // 1. The journey begins on a worker whose careJourney decides differently.
    const impostor = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../fixtures/divergentJourney.ts', import.meta.url)),
      activities,
    });
    const begun = await impostor.runUntil(async () => {
      const h = await client.workflow.signalWithStart(careJourney, {
        workflowId,
        taskQueue,
        args: [{ start: { patientId: 'p-stuck', programme: p, teamId: p.teams[0]!.id } }],
        signal: referralSignal,
        signalArgs: [referral({ teamId: p.teams[0]!.id }), { sentAt: new Date().toISOString() }],
      });
      for (;;) {
        const { events } = await h.fetchHistory();
        if (events?.some((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)) return h;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const firstRunId = begun.signaledRunId;
    // A hospital message arrives while no worker can move the journey.
    await begun.signal(hospitalEventSignal, {
      controlId: 'stuck-a01',
      event: 'A01',
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      location: 'Ward 3',
    });

    const worker = await journeyWorker(taskQueue, activities);
    await worker.runUntil(async () => {
      // 2. The real worker cannot replay it: the alarm is raised, and the journey is left as it is.
      await expect.poll(() => alarm.check() + alarm.total, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
      expect(alarms.join('\n')).toContain(NONDETERMINISM_ALARM);
      expect(alarms.join('\n')).not.toContain(workflowId);
      await expect
        .poll(
          async () => (await client.workflow.getHandle(workflowId).describe()).raw.pendingWorkflowTask?.attempt ?? 0,
          {
            timeout: 30_000,
          },
        )
        .toBeGreaterThanOrEqual(2);
      expect((await client.workflow.getHandle(workflowId).describe()).runId).toBe(firstRunId);

      // 3. The operator's command finds it and says what it would do, and does nothing.
      const dry = await reset('--stuck');
      expect(dry.code).toBe(0);
      expect(dry.plans).toEqual([
        expect.objectContaining({
          workflowId,
          runId: firstRunId,
          resetTo: expect.any(Number),
          dryRun: true,
          reset: false,
        }),
      ]);
      expect(String(dry.plans[0]!.why)).toMatch(/^replay diverged: .*TMPRL1100/);
      expect(dry.out.at(-1)).toMatch(/^dry run: nothing was reset/);
      expect((await client.workflow.getHandle(workflowId).describe()).runId).toBe(firstRunId);
      // Applying needs a name for the audit of who reset what.
      await expect(reset('--stuck', '--apply')).rejects.toThrow(/--by/);

      // 4. Told to, it resets the journey, which carries on with its id, referral and hospital message.
      const applied = await reset('--stuck', '--apply', '--by', 'A Patel (operations)');
      expect(applied.plans).toEqual([
        expect.objectContaining({ workflowId, reset: true, newRunId: expect.any(String) }),
      ]);
      const current = client.workflow.getHandle(workflowId);
      await expect
        .poll(
          async () => {
            const s = await current.query(journeyQuery).catch(() => undefined);
            return s && s.hospitalStays.length > 0 && s.counters.audited === s.counters.seq ? s : undefined;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBeDefined();
      const state = await current.query(journeyQuery);
      expect(state.journeyId).toBe(`${workflowId}.${firstRunId.replace(/-/g, '').slice(0, 12)}`);
      expect(state.referrals).toHaveLength(1);
      expect(state.hospitalStays).toEqual([expect.objectContaining({ location: 'Ward 3' })]);
      const { runId: nowRunId } = await current.describe();
      expect(nowRunId).toBe(applied.plans[0]!.newRunId);
      const reason = (await client.workflow.getHandle(workflowId, firstRunId).describe()).status.name;
      expect(reason).toBe('TERMINATED');
      // Nothing is stuck any more.
      expect((await reset('--stuck')).plans).toEqual([]);
      await current.terminate('test finished');
    });
  }, 180_000);

  it('resets a journey that has sent its reminders and escalations to its first task, and sends nothing twice', async () => {
    const table = currentTable();
    const { ses, sent } = capturingSes();
    const activities = createJourneyActivities({
      doc: table.doc,
      tableName: table.tableName,
      channels: [channelOf(ses)],
    });
    const p = programme('frailty-virtual-ward');
    const teamId = p.teams[0]!.id;
    const workflowId = `${p.id}.${newPatientId()}`;
    const taskQueue = `${JOURNEY_TASK_QUEUE}-reset`;
    const worker = await journeyWorker(taskQueue, activities);
    await worker.runUntil(async () => {
      // A referral sent three weeks ago that no one triaged: its ladder has climbed all the way.
      const threeWeeksAgo = new Date(Date.now() - 21 * DAY).toISOString();
      const h = await client.workflow.signalWithStart(careJourney, {
        workflowId,
        taskQueue,
        args: [{ start: { patientId: 'p-reset', programme: p, teamId } }],
        signal: referralSignal,
        signalArgs: [referral({ teamId, receivedAt: threeWeeksAgo }), { sentAt: threeWeeksAgo }],
      });
      const settled = async () => {
        const s = await h.query(journeyQuery);
        const next = J.nextStepFires(s, Date.now());
        return (
          s.referrals.length === 1 &&
          s.outbox.length === 0 &&
          s.counters.audited === s.counters.seq &&
          (next === undefined || next > Date.now() + DAY)
        );
      };
      await expect.poll(settled, { timeout: 60_000, interval: 250 }).toBe(true);
      const { journeyId } = await h.query(journeyQuery);
      const before = await whatWasSent(journeyId);
      expect(before.deliveries.length).toBeGreaterThan(2);
      expect(sent.length).toBeGreaterThan(0);
      const emails = sent.map(sentTo).sort();

      const applied = await reset(
        '--workflow-id',
        workflowId,
        '--to',
        'first-task',
        '--apply',
        '--by',
        'A Patel (operations)',
      );
      expect(applied.plans).toEqual([
        expect.objectContaining({ workflowId, reset: true, eventsRedone: expect.any(Number) }),
      ]);
      const redone = applied.plans[0]!.eventsRedone as number;
      expect(redone).toBeGreaterThan(10);
      // The new run decides every step again (new tasks, a later clock), and carries them out.
      await expect
        .poll(async () => (await client.workflow.getHandle(workflowId).describe()).runId, { timeout: 30_000 })
        .toBe(applied.plans[0]!.newRunId);
      await expect
        .poll(async () => (await h.fetchHistory()).events?.length ?? 0, { timeout: 60_000, interval: 250 })
        .toBeGreaterThan(redone);
      await expect.poll(settled, { timeout: 60_000, interval: 250 }).toBe(true);
      // It really did notify again: the new run's record writes carried the steps it re-fired
      // (notifications go out with the record write that follows them: `notify-with-record`).
      const notified = (await h.fetchHistory()).events?.flatMap((e) => {
        const scheduled = e.activityTaskScheduledEventAttributes;
        if (scheduled?.activityType?.name !== 'recordJourney') return [];
        const [request] = scheduled.input!.payloads!.map((x) => defaultPayloadConverter.fromPayload(x)) as [
          { notifications?: J.Notification[] },
        ];
        return request.notifications ?? [];
      });
      expect(notified?.length).toBeGreaterThanOrEqual(before.deliveries.length / 2);

      // Nothing twice: the same deliveries, inbox items, emails and audit entries as before the reset.
      const after = await whatWasSent(journeyId);
      expect(after).toEqual(before);
      expect(sent.map(sentTo).sort()).toEqual(emails);
      await h.terminate('test finished');
    });
  }, 180_000);
});

/**
 * Every delivery record of a journey (with when each email went), the inbox items they point to,
 * and the journey's audit trail and record entries, as the table holds them.
 */
async function whatWasSent(journeyId: string) {
  const { doc, tableName } = currentTable();
  const items = async (pk: string, prefix?: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':p': prefix } : {}) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  const deliveries = await items(`JOURNEY#${journeyId}`, 'SENT#');
  const inboxes = [...new Set(deliveries.map((d) => d.inboxPk as string))].sort();
  const inboxItems: string[] = [];
  for (const inbox of inboxes)
    for (const i of await items(inbox)) if (i.journeyId === journeyId) inboxItems.push(`${inbox} ${i.sk as string}`);
  const sks = async (prefix: string) => (await items(`JOURNEY#${journeyId}`, prefix)).map((i) => i.sk as string);
  return { deliveries, inboxItems: inboxItems.sort(), audit: await sks('AUDIT#'), entries: await sks('ENTRY#') };
}

function capturing(lines: string[]): Logger {
  const log = (_level: LogLevel, message: string, meta?: LogMetadata) =>
    void lines.push(`${message} ${JSON.stringify(meta)}`);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
