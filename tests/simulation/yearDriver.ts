/**
 * Drives a generated year through carepath on the Temporal time-skipping test server: the real
 * journey workflow, the real DynamoDB activities on DynamoDB Local, referrals and hospital events
 * through the API's own gateway. The clock jumps from one event slot to the next; every timer in
 * between fires on the way. At the year's end it gathers each journey's evidence from where
 * operators would look — the workflow's own state, the audit trail, the read model and the inboxes
 * — checks the invariants, and computes each programme's metrics from the audit events the way
 * `GET /metrics` does.
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Client, type WorkflowClientInterceptor, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { patientIdFor } from '../../activities/pseudonym.js';
import type { InboxItem } from '../../activities/readModel.js';
import type { Actor } from '../../domain/commands.js';
import { checkJourney, type Violation } from '../../domain/invariants.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import type { JourneyState, TimelineEntry } from '../../domain/journey.js';
import type { AuditEvent, Metrics } from '../../domain/metrics.js';
import { metricsFor } from '../../lambdas/evaluation.js';
import { findTeam, routeToTeam, type Programme } from '../../domain/programme.js';
import type { JourneyReferral } from '../../domain/referral.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { command, journeyWorker, programmes as builtIn } from '../support/journeyTestEnv.js';
import { recordActivities, type RecordedActivities } from '../support/recordingActivities.js';
import { ensureTable } from '../../activities/dynamo.js';
import {
  actionsIn,
  addActions,
  historyBytes,
  noActions,
  runsOf,
  totalActions,
  type Actions,
} from '../../bench/billableActions.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { staffFromProgrammes } from '../../domain/staff.js';
import {
  DAY,
  expectedMetrics,
  generateYear,
  withOutcomeMeasures,
  type ExpectedMetrics,
  type SimEvent,
  type SimJourney,
  type SimulatedYear,
} from './yearGenerator.js';

export interface YearOptions {
  journeys: number;
  seed: number;
  /** Journeys (and their activities) in flight at once within a slot. */
  concurrency?: number;
  /** Breaks the run on purpose, to show the checks can fail: see the test. */
  sabotage?: (recorded: RecordedActivities) => void;
}

export interface ProgrammeComparison {
  programmeId: string;
  actual: Metrics;
  expected: ExpectedMetrics;
  /** Fields where the metrics disagree with the generator's record. */
  mismatches: string[];
}

export interface YearFigures {
  seed: number;
  journeys: number;
  journeysByProgramme: Record<string, number>;
  simulatedDays: number;
  eventsSent: { total: number; byType: Record<string, number> };
  auditEvents: number;
  ladderStepsFired: number;
  inboxRecords: number;
  journeysContinuedAsNew: number;
  openAtYearEnd: number;
  /** What the year cost on Temporal Cloud, from the journeys' real histories and the API's queries. */
  temporalCost: TemporalCost;
  violations: number;
  divergences: number;
  metricsMismatches: number;
  /** The longest any slot's events took, in test-server time: deadlines set then ran this late. */
  maxSlotSeconds: number;
  /** Wall time spent skipping from one slot to the next, firing the timers in between. */
  sleepingWallSeconds: number;
  wallSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string; temporalSdk: string };
}

export interface TemporalCost {
  /** Billable actions (bench/billableActions.ts) per programme, and per journey-year of care. */
  byProgramme: Record<string, { journeys: number; journeyYears: number; actions: Actions; perJourneyYear: number }>;
  /** The current run's history of each journey open at the year's end: what a worker replays to take it up. */
  activeHistoryBytesPerOpenJourney: { openJourneys: number; mean: number; max: number };
}

export interface YearResult {
  year: SimulatedYear;
  figures: YearFigures;
  violations: Violation[];
  /** Where carepath and the generator's story parted: a rejected update, a phase not as expected. */
  divergences: string[];
  comparisons: ProgrammeComparison[];
}

const PSEUDONYM_KEY = Buffer.from('simulated-year-pseudonym-key-not-a-secret', 'utf8');
const GRACE_MS = 60_000;

async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

export async function simulateYear(env: TestWorkflowEnvironment, opts: YearOptions): Promise<YearResult> {
  const wallStart = Date.now();
  const concurrency = opts.concurrency ?? 32;
  // The example programmes, each taking the outcome measures its people would be asked.
  const programmes: Programme[] = withOutcomeMeasures(builtIn);
  const programme = (id: string) => programmes.find((p) => p.id === id)!;

  // The year starts at the next midnight (UTC) on the test server's clock.
  const now0 = await env.currentTimeMs();
  const start = Math.ceil((now0 + 60_000) / DAY) * DAY;
  await env.sleep(start - now0);
  const year = generateYear({ seed: opts.seed, journeys: opts.journeys, start, programmes });

  // A table of its own, so that the year's metrics are this year's alone.
  const table = { ...currentTable(), tableName: `carepath-year-${opts.seed}-${Math.floor(Math.random() * 1e9)}` };
  await ensureTable(table.doc, table.tableName);
  // Journeys keep only their programme's rules: who works in each team is the directory's, as a
  // worker seeds it from the programme file when it starts (worker/main.ts).
  await createStaffDirectory(table.doc, table.tableName).seed(staffFromProgrammes(programmes));
  const seen = recordActivities(table);
  opts.sabotage?.(seen);
  const { worker } = await journeyWorker(env, JOURNEY_TASK_QUEUE, seen, opts.journeys + 50);
  // Messages are stamped with the slot's time: the server's clock, which jumps ahead of the wall clock.
  let slotAt = start;
  // The API's own queries (what became of a command, of a referral) are billed too; they leave no
  // event in history, so they are counted as they are sent.
  const apiQueries = new Map<string, number>();
  const countQueries: WorkflowClientInterceptor = {
    query: (input, next) => {
      if (input.queryType === 'commandOutcome' || input.queryType === 'referralStatus') {
        const id = input.workflowExecution.workflowId;
        apiQueries.set(id, (apiQueries.get(id) ?? 0) + 1);
      }
      return next(input);
    },
  };
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    interceptors: { workflow: [countQueries] },
  });
  const gateway = createJourneyGateway(client, { now: () => new Date(slotAt) });
  const divergences: string[] = [];
  const handles = new Map<number, WorkflowHandle>();
  const journeyIds = new Map<number, string>();
  const coordinators = new Map<number, string | null>();
  let maxSlot = 0;
  let sleeping = 0;

  const patientOf = (j: SimJourney) => patientIdFor(j.nhsNumber, PSEUDONYM_KEY);
  const handleOf = (j: SimJourney) => {
    let h = handles.get(j.index);
    if (!h) handles.set(j.index, (h = client.workflow.getHandle(journeyWorkflowId(j.programmeId, patientOf(j)))));
    return h;
  };
  const coordinator = async (j: SimJourney): Promise<Actor> => {
    if (!coordinators.get(j.index)) coordinators.set(j.index, (await handleOf(j).query(journeyQuery)).coordinatorId);
    return { sub: coordinators.get(j.index) ?? j.lead, role: 'coordinator' };
  };
  const lead = (j: SimJourney): Actor => ({ sub: j.lead, role: 'team-lead' });
  const iso = (t: number) => new Date(t).toISOString();

  async function apply(e: SimEvent): Promise<void> {
    const j = year.journeys[e.journey]!;
    const p = programme(j.programmeId);
    const h = handleOf(j);
    const a = e.action;
    switch (a.type) {
      case 'refer': {
        // As the API routes a referral: the team it names, else by postcode.
        const team = j.namesTeam ? findTeam(p, j.teamId) : routeToTeam(p, { postcode: j.postcode });
        if (team?.id !== j.teamId) throw new Error(`routed to ${team?.id ?? 'no team'}, expected ${j.teamId}`);
        const r = a.referral;
        const referral: JourneyReferral = {
          referralId: `sim-${year.seed}-${j.index}-${r.referralNo}`,
          receivedAt: iso(e.at),
          source: r.source,
          reason: r.reason,
          urgency: r.urgency,
          age: j.age,
          teamId: team.id,
          conditions: r.conditions,
          livesAlone: r.livesAlone,
          ...(r.carer ? { carer: r.carer } : {}),
          ...(r.referrerOrganisation ? { referrerOrganisation: r.referrerOrganisation } : {}),
          admissionsLast12Months: r.admissionsLast12Months,
          ...(r.emergencyAdmissions6Months !== undefined
            ? { emergencyAdmissions6Months: r.emergencyAdmissions6Months }
            : {}),
          consentGiven: true,
        };
        const status = await gateway.refer(p, patientOf(j), referral);
        journeyIds.set(j.index, status.journeyId);
        if (status.merged !== a.expect.merged || status.phase !== a.expect.phase) {
          throw new Error(`referral answered ${JSON.stringify(status)}, expected ${JSON.stringify(a.expect)}`);
        }
        return;
      }
      case 'triage':
        await command(h, 'triage', {
          by: lead(j),
          decision: a.decision,
          reason: a.reason,
          ...(a.riskTier ? { riskTier: a.riskTier } : {}),
          ...(a.closeReason ? { closeReason: a.closeReason } : {}),
        });
        return;
      case 'assessment':
        await command(h, 'assessment', {
          by: await coordinator(j),
          summary: 'Holistic assessment at home with the person and their carer',
          needs: [
            { domain: 'physical', description: 'mobility and falls' },
            { domain: 'social', description: 'isolation' },
          ],
          whatMatters: 'To stay at home',
          livesAlone: a.livesAlone,
          ...(a.carer ? { carer: a.carer } : {}),
          riskTier: a.riskTier,
        });
        return;
      case 'carePlan': {
        const by = await coordinator(j);
        await command(h, 'care-plan', {
          by,
          goals: a.goals,
          actions: a.actions.map((x) => ({ id: x.id, description: x.description, owner: by.sub, due: iso(x.due) })),
          agreedWithPatient: true,
        });
        return;
      }
      case 'completeAction':
        await command(h, 'complete-action', { by: await coordinator(j), actionId: a.actionId });
        return;
      case 'review':
        await command(h, 'review', {
          by: await coordinator(j),
          outcome: a.outcome,
          notes: `Review: ${a.outcome}`,
          ...(a.riskTier ? { riskTier: a.riskTier } : {}),
          ...(a.outcome === 'close'
            ? { closeReason: 'goals-met' as const, closeOutcome: { goalsMet: a.goalsMet! } }
            : {}),
        });
        return;
      case 'contact':
        await command(h, 'contact', {
          by: await coordinator(j),
          kind: a.kind,
          channel: a.channel,
          ...(a.at !== undefined ? { at: iso(a.at) } : {}),
          ...(a.outcome ? { outcome: a.outcome } : {}),
        });
        return;
      case 'reassign': {
        const current = (await h.query(journeyQuery)).coordinatorId;
        const to = findTeam(p, j.teamId)!.coordinators.find((c) => c.id !== current)!.id;
        await command(h, 'reassign', { by: lead(j), coordinatorId: to });
        coordinators.set(j.index, to);
        return;
      }
      case 'close':
        await command(h, 'close', {
          by: lead(j),
          reason: a.reason,
          outcome: {
            ...(a.goalsMet ? { goalsMet: a.goalsMet } : {}),
            ...(a.placeOfDeathAchieved !== undefined ? { placeOfDeathAchieved: a.placeOfDeathAchieved } : {}),
          },
          ...(a.measures ? { measures: a.measures } : {}),
        });
        return;
      case 'measure':
        await command(h, 'record-measure', { by: await coordinator(j), instrument: a.instrument, answers: a.answers });
        return;
      case 'hospital': {
        // As the ADT feed does: the event goes to the patient's open journey in every programme.
        const event = {
          controlId: a.controlId,
          event: a.event,
          occurredAt: iso(a.occurredAt),
          location: a.location,
          ...(a.died ? { died: true } : {}),
          ...(a.transfer ? { transfer: true } : {}),
          ...(a.patientClass ? { patientClass: a.patientClass } : {}),
        };
        for (let i = 0; i < (a.resend ? 2 : 1); i += 1) {
          const reached = await gateway.hospitalEvent(programmes, patientOf(j), event);
          if (reached !== 1) throw new Error(`hospital event reached ${reached} journeys`);
        }
        return;
      }
    }
  }

  const states = new Map<number, JourneyState>();
  const violations: Violation[] = [];
  const comparisons: ProgrammeComparison[] = [];
  let auditEvents = 0;
  let inboxRecords = 0;
  let continued = 0;
  let temporalCost: TemporalCost = {
    byProgramme: {},
    activeHistoryBytesPerOpenJourney: { openJourneys: 0, mean: 0, max: 0 },
  };
  let ladderSteps = 0;

  await worker.runUntil(async () => {
    try {
      // ---- The year, slot by slot.
      const slots = new Map<number, SimEvent[]>();
      for (const e of year.events) slots.set(e.at, [...(slots.get(e.at) ?? []), e]);
      let previous: number | undefined;
      for (const [at, events] of slots) {
        const now = await env.currentTimeMs();
        if (previous !== undefined) maxSlot = Math.max(maxSlot, now - previous);
        const s0 = Date.now();
        if (at > now) await env.sleep(at - now);
        sleeping += Date.now() - s0;
        previous = at;
        slotAt = Math.max(at, now);
        await pool(events, concurrency, async (e) => {
          try {
            await apply(e);
          } catch (error) {
            divergences.push(
              `journey ${e.journey} (${year.journeys[e.journey]!.programmeId}) at day ${((e.at - start) / DAY).toFixed(2)}: ${e.action.type} failed: ${(error as Error).message}`,
            );
          }
        });
      }
      await env.sleep(year.end - (await env.currentTimeMs()));
      const now = await env.currentTimeMs();

      // ---- Evidence, from where operators would look.
      const read = seen.read;
      const started = year.journeys.filter((j) => journeyIds.has(j.index));
      await pool(started, concurrency, async (j) => {
        const h = handleOf(j);
        const d = await h.describe();
        for (
          let i = 0;
          i < 100 && d.status.name === 'RUNNING' && ((await h.describe()).raw.pendingActivities?.length ?? 0) > 0;
          i += 1
        )
          await new Promise((r) => setTimeout(r, 50));
        const state = await h.query(journeyQuery);
        states.set(j.index, state);
        if (!state.journeyId.endsWith(`.${d.runId.replace(/-/g, '').slice(0, 12)}`)) continued += 1;
      });

      const inboxes = new Map<string, InboxItem[]>();
      const staff = new Set(
        programmes.flatMap((p) =>
          p.teams.flatMap((t) => [...t.coordinators.map((c) => c.id), ...t.leads, ...t.serviceManagers]),
        ),
      );
      await pool([...staff], concurrency, async (user) => {
        let cursor: string | undefined;
        do {
          const page = await read.inbox(user, 500, cursor);
          for (const item of page.items) inboxes.set(item.journeyId, [...(inboxes.get(item.journeyId) ?? []), item]);
          cursor = page.nextCursor;
        } while (cursor);
      });

      const trails = new Map<number, (TimelineEntry & { journeyId: string })[]>();
      await pool(started, concurrency, async (j) => {
        const state = states.get(j.index)!;
        const audit: (TimelineEntry & { journeyId: string })[] = [];
        let cursor: string | undefined;
        do {
          const page = await read.auditTrail(state.journeyId, 500, cursor);
          audit.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        trails.set(j.index, audit);
        const inbox = inboxes.get(state.journeyId) ?? [];
        inboxRecords += inbox.length;
        auditEvents += audit.length;
        ladderSteps += audit.filter((e) => e.type === 'deadline.step').length;
        violations.push(
          ...checkJourney(
            {
              state,
              audit,
              summary: await read.getJourney(state.journeyId),
              inbox,
              directory: await read.staff.teamView(state.teamId, now),
            },
            now,
            GRACE_MS,
          ),
        );
        const record = year.records[j.index]!;
        const where = `journey ${j.index} (${j.programmeId}, ${state.journeyId})`;
        if (state.phase !== record.phase)
          divergences.push(`${where} ends ${state.phase}, the generator expected ${record.phase}`);
        // Per journey, so that a disagreement in the totals can be traced to the journey and deadline behind it.
        const fired = audit
          .filter((e) => e.type === 'deadline.step')
          .map((e) => `${String(e.data?.deadline)} ${String(e.data?.kind)} ${String(e.data?.level)}`);
        const met = audit
          .filter((e) => e.type === 'deadline.met')
          .map((e) => `${String(e.data?.deadline)} ${e.data?.onTime ? 'on time' : 'late'}`);
        const differs = (what: string, got: string[], want: string[]) => {
          if (JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort()))
            divergences.push(`${where} ${what}: journey ${JSON.stringify(got)}, generator ${JSON.stringify(want)}`);
        };
        differs(
          'ladder steps',
          fired,
          record.steps.map((x) => `${x.deadline} ${x.kind} ${x.level}`),
        );
        differs(
          'deadlines met',
          met,
          record.met.map((x) => `${x.deadline} ${x.onTime ? 'on time' : 'late'}`),
        );
      });

      // ---- Cost: every run of every journey, as Temporal holds it, before anything is terminated.
      temporalCost = await costOf(client, started, handleOf, apiQueries, now, concurrency);

      // ---- Metrics as GET /metrics computes them: the team's events in the period, from the event index.
      const from = new Date(year.start);
      const to = new Date(year.end);
      for (const p of programmes) {
        const events = (
          await Promise.all(p.teams.map((t) => read.eventsOfTeam(t.id, from, to)))
        ).flat() as AuditEvent[];
        const fromTrails = started
          .filter((j) => j.programmeId === p.id)
          .reduce((n, j) => n + trails.get(j.index)!.length, 0);
        // The API's own gathering (lambdas/evaluation.ts): the same events, and the marks of entered-in-error.
        const actual = await metricsFor(read, {
          programmes: [p],
          teamIds: p.teams.map((t) => t.id),
          programmeId: p.id,
          from,
          to,
        });
        const expected = expectedMetrics(year, p.id);
        const mismatches = compareMetrics(actual, expected);
        if (events.length !== fromTrails)
          mismatches.push(`the event index holds ${events.length} events, the journeys' audit trails ${fromTrails}`);
        comparisons.push({ programmeId: p.id, actual, expected, mismatches });
      }
    } finally {
      // Leave nothing running with an activity in flight: it would hold the test server's clock.
      await pool([...handles.values()], concurrency, async (h) => {
        for (let i = 0; i < 100; i += 1) {
          const d = await h.describe().catch(() => undefined);
          if (!d || d.status.name !== 'RUNNING' || (d.raw.pendingActivities?.length ?? 0) === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await h.terminate('simulated year finished').catch(() => undefined);
      });
    }
  });

  const byType: Record<string, number> = {};
  for (const e of year.events) byType[e.action.type] = (byType[e.action.type] ?? 0) + 1;
  const journeysByProgramme: Record<string, number> = {};
  for (const j of year.journeys) journeysByProgramme[j.programmeId] = (journeysByProgramme[j.programmeId] ?? 0) + 1;
  const figures: YearFigures = {
    seed: opts.seed,
    journeys: year.journeys.length,
    journeysByProgramme,
    simulatedDays: Math.round((year.end - year.start) / DAY),
    eventsSent: { total: year.events.length, byType },
    auditEvents,
    ladderStepsFired: ladderSteps,
    inboxRecords,
    journeysContinuedAsNew: continued,
    openAtYearEnd: [...states.values()].filter((s) => s.phase !== 'closed').length,
    temporalCost,
    violations: violations.length,
    divergences: divergences.length,
    metricsMismatches: comparisons.reduce((n, c) => n + c.mismatches.length, 0),
    maxSlotSeconds: Math.round(maxSlot / 100) / 10,
    sleepingWallSeconds: Math.round(sleeping / 100) / 10,
    wallSeconds: Math.round((Date.now() - wallStart) / 100) / 10,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      temporalSdk: sdkVersion(),
    },
  };
  return { year, figures, violations, divergences, comparisons };
}

/**
 * Billable actions per programme and per journey-year, from every run of every journey, plus the
 * API's queries; and the active history of the journeys still open. A journey's year of care runs
 * from its first run's start to its last run's close, or to the year's end if it is open.
 */
async function costOf(
  client: Client,
  journeys: SimJourney[],
  handleOf: (j: SimJourney) => WorkflowHandle,
  apiQueries: Map<string, number>,
  now: number,
  concurrency: number,
): Promise<TemporalCost> {
  const byProgramme: TemporalCost['byProgramme'] = {};
  const openBytes: number[] = [];
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  await pool(journeys, concurrency, async (j) => {
    const { workflowId } = handleOf(j);
    const runs = await runsOf(client, workflowId);
    const actions = noActions();
    for (const run of runs) addActions(actions, actionsIn(run));
    addActions(actions, { query: apiQueries.get(workflowId) ?? 0 });
    const latest = runs[0]!;
    const open = (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    if (open) openBytes.push(historyBytes(latest));
    const began = ms(runs.at(-1)![0]?.eventTime);
    const ended = open ? now : ms(latest.at(-1)?.eventTime);
    const p = (byProgramme[j.programmeId] ??= {
      journeys: 0,
      journeyYears: 0,
      actions: noActions(),
      perJourneyYear: 0,
    });
    p.journeys += 1;
    p.journeyYears += Math.max(0, ended - began) / (365 * DAY);
    addActions(p.actions, actions);
  });
  for (const p of Object.values(byProgramme)) {
    p.perJourneyYear = p.journeyYears > 0 ? Math.round(totalActions(p.actions) / p.journeyYears) : 0;
    p.journeyYears = Math.round(p.journeyYears * 100) / 100;
  }
  return {
    byProgramme,
    activeHistoryBytesPerOpenJourney: {
      openJourneys: openBytes.length,
      mean: openBytes.length ? Math.round(openBytes.reduce((a, b) => a + b, 0) / openBytes.length) : 0,
      max: openBytes.length ? Math.max(...openBytes) : 0,
    },
  };
}

function sdkVersion(): string {
  return (createRequire(import.meta.url)('@temporalio/worker/package.json') as { version: string }).version;
}

/** Every figure the generator can vouch for must match; waiting times to within rounding of the test server's clock. */
export function compareMetrics(actual: Metrics, expected: ExpectedMetrics): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, e: unknown) => {
    if (JSON.stringify(sortKeys(a)) !== JSON.stringify(sortKeys(e)))
      out.push(`${what}: metrics ${JSON.stringify(a)}, generator ${JSON.stringify(e)}`);
  };
  same('referrals', actual.referrals, expected.referrals);
  same('onTime', actual.onTime, expected.onTime);
  same('postDischargeContact', actual.postDischargeContact, expected.postDischargeContact);
  same('readmissions', actual.readmissions, expected.readmissions);
  same('hospital', actual.hospital, expected.hospital);
  same('contactAttempts', actual.contactAttempts, expected.contactAttempts);
  same('escalationsByLevel', actual.escalationsByLevel, expected.escalationsByLevel);
  same('closures', actual.closures, expected.closures);
  same('admissionsBeforeAfter', actual.admissionsBeforeAfter, expected.admissionsBeforeAfter);
  same(
    'outcomes',
    actual.outcomes.map((o) => ({
      instrument: o.instrument,
      scale: o.scale,
      points: o.points.map((x) => ({ point: x.point, measured: x.measured, of: x.of, meanChange: x.meanChange })),
    })),
    expected.outcomes,
  );
  const w = actual.referralToAssessmentDays;
  const x = expected.referralToAssessment;
  const close = (a: number | null, b: number | null) =>
    a === null ? b === null : b !== null && Math.abs(a - b) <= 0.011;
  if (w.count !== x.count || !close(w.median, x.median) || !close(w.p90, x.p90))
    out.push(`referralToAssessmentDays: metrics ${JSON.stringify(w)}, generator ${JSON.stringify(x)}`);
  return out;
}

function sortKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}
