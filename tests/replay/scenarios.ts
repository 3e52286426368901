/**
 * Representative journeys whose histories are recorded to tests/fixtures/histories and replayed
 * on every test run, so a workflow change that would break running journeys fails CI.
 * Each returns the handles (workflow id + run id) whose histories to keep.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { HospitalEvent } from '../../domain/commands.js';
import {
  command,
  DAY,
  HOUR,
  hospitalMessage,
  newPatientId,
  programme,
  refer,
  referral,
} from '../support/journeyTestEnv.js';
import { activate, asCoordinator, lead } from '../support/journeySteps.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { withBankHolidays } from '../../config/programmeFiles.js';
import { calendarSchema, isWorkingDay, wallTime } from '../../domain/workingCalendar.js';

type Scenario = (env: TestWorkflowEnvironment, taskQueue: string) => Promise<{ workflowId: string; runId: string }[]>;
const frailty = programme('frailty-virtual-ward');
const at = (t: number) => new Date(t).toISOString();
const runOf = async (h: WorkflowHandle) => ({ workflowId: h.workflowId, runId: (await h.describe()).runId });
const adt = (controlId: string, event: HospitalEvent['event'], t: number): HospitalEvent => ({
  controlId,
  event,
  occurredAt: at(t),
});

/**
 * A working calendar (issue 18): the assessment reminder falls due at 02:00 and is sent at 09:00;
 * after a discharge the follow-up is due in business days; then the journey is moved to rules
 * that run round the clock, and closed.
 */
async function workingCalendar(env: TestWorkflowEnvironment, taskQueue: string) {
  const onCalendar = withBankHolidays({
    ...frailty,
    calendar: calendarSchema.parse({}),
    deadlines: { ...frailty.deadlines, postDischargeContact: '2 business days' },
  });
  const day = (t: number) => at(t).slice(0, 10);
  let date = day((await env.currentTimeMs()) + 2 * DAY);
  while (!isWorkingDay(onCalendar.calendar!, date)) date = day(Date.parse(`${date}T12:00:00Z`) + DAY);
  const reminderAt = wallTime('Europe/London', date, '02:00');
  const j = await refer(env, taskQueue, {
    patientId: newPatientId(),
    programme: onCalendar,
    referral: referral({ receivedAt: at(reminderAt - 9 * DAY) }),
  });
  await env.sleep(wallTime('Europe/London', date, '10:00') - (await env.currentTimeMs()));
  const s = await activate(j.handle, await env.currentTimeMs());
  const t = await env.currentTimeMs();
  await hospitalMessage(j.handle, adt('C1', 'A01', t));
  await env.sleep(2 * DAY);
  await hospitalMessage(j.handle, adt('C2', 'A03', t + 2 * DAY));
  await env.sleep(HOUR);
  await command(j.handle, 'adopt-rules', {
    by: lead,
    reason: 'the ward now runs round the clock',
    programme: frailty,
  });
  await command(j.handle, 'contact', {
    by: asCoordinator(s.coordinatorId!),
    kind: 'post-discharge',
    channel: 'phone',
  });
  await command(j.handle, 'close', { by: lead, reason: 'goals-met', outcome: { goalsMet: 'all' } });
  await j.handle.result();
  return [await runOf(j.handle)];
}

/** A borderline referral merged with a second one, accepted by a team lead, reassigned, stepped down and closed at review. */
async function mergedReassignedReviewed(env: TestWorkflowEnvironment, taskQueue: string) {
  const now = await env.currentTimeMs();
  const patientId = newPatientId();
  const borderline = { age: 78, conditions: ['copd'], livesAlone: false, admissionsLast12Months: 1 };
  const j = await refer(env, taskQueue, {
    patientId,
    programme: frailty,
    referral: referral({ receivedAt: at(now), ...borderline }),
  });
  await env.sleep(2 * DAY); // the triage deadline's ladder runs
  await refer(env, taskQueue, {
    patientId,
    programme: frailty,
    referral: referral({ receivedAt: at(now + 2 * DAY), source: 'community', urgency: 'urgent', ...borderline }),
  });
  await command(j.handle, 'triage', { by: lead, decision: 'accept', reason: 'MDT agreed', riskTier: 'high' });
  const s = await activate(j.handle, now);
  const other = s.coordinatorId === 'coord-ana' ? 'coord-joe' : 'coord-ana';
  await command(j.handle, 'reassign', { by: lead, coordinatorId: other });
  await env.sleep(14 * DAY);
  await command(j.handle, 'review', { by: asCoordinator(other), outcome: 'step-down', notes: 'improving' });
  await env.sleep(27 * DAY);
  await command(j.handle, 'review', {
    by: asCoordinator(other),
    outcome: 'close',
    notes: 'goals met',
    closeOutcome: { goalsMet: 'all' },
  });
  await j.handle.result();
  return [await runOf(j.handle)];
}

/** A palliative journey with a small history limit: twelve reviews six days apart, then death at home. */
async function palliativeToDeath(env: TestWorkflowEnvironment, taskQueue: string) {
  const now = await env.currentTimeMs();
  const j = await refer(env, taskQueue, {
    patientId: newPatientId(),
    programme: programme('palliative-care-home'),
    referral: referral({
      receivedAt: at(now),
      teamId: 'palliative-west',
      urgency: 'urgent',
      conditions: ['cancer'],
      age: 77,
    }),
    maxHistoryEvents: 150,
  });
  const first = await runOf(j.handle);
  const s = await activate(j.handle, now);
  for (let week = 0; week < 12; week += 1) {
    await env.sleep(6 * DAY);
    await command(j.handle, 'review', {
      by: asCoordinator(s.coordinatorId!),
      outcome: 'continue',
      notes: `week ${week}`,
    });
  }
  await command(j.handle, 'close', { by: lead, reason: 'deceased', outcome: { placeOfDeathAchieved: true } });
  await j.handle.result();
  return [first, await runOf(j.handle)];
}

export const scenarios: Record<string, Scenario> = {
  /** Auto-accepted; the assessment ladder runs to the service manager; then assessed, planned and closed. */
  async 'ladder-escalated'(env, taskQueue) {
    const now = await env.currentTimeMs();
    const j = await refer(env, taskQueue, {
      patientId: newPatientId(),
      programme: frailty,
      referral: referral({ receivedAt: at(now) }),
    });
    await env.sleep(14 * DAY);
    const s = await activate(j.handle, now, [{ id: 'rail', inDays: 30 }]);
    await command(j.handle, 'complete-action', { by: asCoordinator(s.coordinatorId!), actionId: 'rail' });
    await command(j.handle, 'close', { by: lead, reason: 'goals-met', outcome: { goalsMet: 'all' } });
    await j.handle.result();
    return [await runOf(j.handle)];
  },

  /** Admission, transfer, discharge, post-discharge contact, readmission, cancelled discharge and cancelled admission. */
  async 'hospital-round-trips'(env, taskQueue) {
    const now = await env.currentTimeMs();
    const j = await refer(env, taskQueue, {
      patientId: newPatientId(),
      programme: frailty,
      referral: referral({ receivedAt: at(now) }),
    });
    const s = await activate(j.handle, now);
    const by = asCoordinator(s.coordinatorId!);
    let t = await env.currentTimeMs();
    await hospitalMessage(j.handle, adt('H1', 'A01', t + HOUR));
    await env.sleep(2 * DAY);
    await hospitalMessage(j.handle, { ...adt('H2', 'A02', t + 2 * DAY), location: 'Ward 7' });
    await env.sleep(3 * DAY);
    t = await env.currentTimeMs();
    await hospitalMessage(j.handle, adt('H3', 'A03', t));
    await env.sleep(40 * HOUR);
    await command(j.handle, 'contact', { by, kind: 'post-discharge', channel: 'visit' });
    await env.sleep(10 * DAY);
    t = await env.currentTimeMs();
    await hospitalMessage(j.handle, adt('H4', 'A01', t));
    await env.sleep(DAY);
    await hospitalMessage(j.handle, adt('H5', 'A03', t + DAY));
    await hospitalMessage(j.handle, adt('H6', 'A13', t + DAY + HOUR));
    await env.sleep(DAY);
    await hospitalMessage(j.handle, adt('H6', 'A13', t + DAY + HOUR)); // duplicate
    await hospitalMessage(j.handle, adt('H7', 'A03', t + 2 * DAY));
    await env.sleep(5 * DAY);
    t = await env.currentTimeMs();
    await hospitalMessage(j.handle, adt('H8', 'A01', t));
    await hospitalMessage(j.handle, adt('H9', 'A11', t + HOUR));
    await env.sleep(DAY);
    await command(j.handle, 'close', { by: lead, reason: 'transferred', outcome: { goalsMet: 'some' } });
    await j.handle.result();
    return [await runOf(j.handle)];
  },

  /** A borderline referral merged with a second one, accepted by a team lead, reassigned, stepped down and closed at review. */
  'merged-reassigned-reviewed': mergedReassignedReviewed,

  /** Ineligible by age (closed at once), and a borderline referral declined at triage. */
  async 'declined-and-ineligible'(env, taskQueue) {
    const now = await env.currentTimeMs();
    const a = await refer(env, taskQueue, {
      patientId: newPatientId(),
      programme: frailty,
      referral: referral({ receivedAt: at(now), age: 50 }),
    });
    await a.handle.result();
    const b = await refer(env, taskQueue, {
      patientId: newPatientId(),
      programme: programme('dementia-home'),
      referral: referral({
        receivedAt: at(now),
        teamId: 'dementia-central',
        age: 70,
        conditions: ['dementia'],
        livesAlone: false,
        admissionsLast12Months: 0,
      }),
    });
    await env.sleep(3 * DAY);
    await command(b.handle, 'triage', {
      by: { sub: 'lead-priya', role: 'team-lead' },
      decision: 'decline',
      reason: 'already supported by the memory service',
      closeReason: 'declined',
    });
    await b.handle.result();
    return [await runOf(a.handle), await runOf(b.handle)];
  },

  /** A palliative journey that continues as new several times (small history limit), then closes on death at home. */
  'palliative-continued-as-new': palliativeToDeath,

  /**
   * The same care as `palliative-continued-as-new`, on a journey that counts its own history
   * (`continue-as-new-by-count`): it continues as new at its count or monthly, never on Temporal's
   * history length, so empty tasks folded on replay cannot move it (tests/replay/foldedTasks.test.ts).
   */
  'continued-as-new-by-count': palliativeToDeath,

  /**
   * The staff directory decides (issue 18): the next journey goes to a co-ordinator who joined;
   * she is away with cover when its ladder runs; it is reassigned to one who joined after it began.
   */
  async 'staff-directory'(env, taskQueue) {
    const directory = createStaffDirectory(currentTable().doc, currentTable().tableName);
    const teamId = 'south-devon-1';
    const member = (
      name: string,
      roles: ('coordinator' | 'team-lead' | 'service-manager')[],
      maxCaseload?: number,
    ) => ({
      name,
      roles,
      teams: [teamId],
      ...(maxCaseload !== undefined ? { maxCaseload } : {}),
    });
    for (const id of ['coord-ana', 'coord-joe'])
      await directory.putMember(id, member(id, ['coordinator'], 0), 'recorder');
    await directory.putMember('lead-raj', member('Raj', ['team-lead']), 'recorder');
    await directory.putMember('mgr-kim', member('Kim', ['service-manager']), 'recorder');
    await directory.putMember('coord-nia', member('Nia', ['coordinator'], 10), 'recorder');
    const now = await env.currentTimeMs();
    const j = await refer(env, taskQueue, {
      patientId: newPatientId(),
      programme: frailty,
      referral: referral({ receivedAt: at(now) }),
    });
    await env.sleep(HOUR);
    const wall = Date.now();
    await directory.addAbsence(
      'coord-nia',
      { from: at(wall - DAY), to: at(wall + 30 * DAY), coverId: 'coord-joe', reason: 'annual leave' },
      'lead-raj',
    );
    await env.sleep(11 * DAY); // the assessment's reminder and overdue notice reach her cover
    await directory.putMember('coord-oli', member('Oli', ['coordinator'], 10), 'recorder');
    await command(j.handle, 'reassign', { by: lead, coordinatorId: 'coord-oli' });
    await command(j.handle, 'close', { by: lead, reason: 'withdrawn', outcome: {} });
    await j.handle.result();
    return [await runOf(j.handle)];
  },

  /**
   * A working calendar (issue 18): the assessment reminder falls due at 02:00 and is sent at 09:00;
   * after a discharge the follow-up is due in business days; then the journey is moved to rules
   * that run round the clock, and closed.
   */
  'working-calendar': workingCalendar,

  /**
   * The same care, on a journey that sends each ladder step's notifications with the record write
   * that records it (`notify-with-record`) and reckons its next step from its own time
   * (`next-step-from-journey-time`).
   */
  'calendar-ladder-notified-with-record': workingCalendar,

  /**
   * Commands, a merged referral and a reassignment on a journey started under the baseline patch
   * (`baseline-2026-12`, workflows/careJourney.ts): one marker stands for every earlier change.
   */
  'baseline-merged-reassigned-reviewed': mergedReassignedReviewed,

  /** The working calendar and its ladder under the baseline patch. */
  'baseline-working-calendar': workingCalendar,

  /** A journey that continues as new under the baseline patch: each run records it once. */
  'baseline-continued-as-new': palliativeToDeath,
};
