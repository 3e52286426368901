/**
 * A programme's working calendar (issue 18), on the time-skipping server with the real DynamoDB
 * activities: a reminder due at 02:00 reaches the co-ordinator at the start of work, or at 02:00
 * on a programme that runs round the clock; "2 business days" after a Friday discharge, before an
 * England-and-Wales bank-holiday Monday, falls due on Wednesday. The test server's clock starts at
 * today's, so each test finds the next day that fits and skips to it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { withBankHolidays } from '../../config/programmeFiles.js';
import type { HospitalEvent } from '../../domain/commands.js';
import type { Programme } from '../../domain/programme.js';
import { calendarSchema, isWorkingDay, wallTime, type WorkingCalendar } from '../../domain/workingCalendar.js';
import { activate } from '../support/journeySteps.js';
import {
  command,
  DAY,
  HOUR,
  hospitalMessage,
  newPatientId,
  programme,
  refer,
  referral,
  useJourneyTestEnv,
  withJourneyWorker,
} from '../support/journeyTestEnv.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');
/** The frailty virtual ward on a working calendar (England and Wales, 09:00–17:00, Monday to Friday). */
const onCalendar = (calendar: object, deadlines: Partial<Programme['deadlines']> = {}): Programme =>
  withBankHolidays({
    ...frailty,
    calendar: calendarSchema.parse(calendar),
    deadlines: { ...frailty.deadlines, ...deadlines },
  });

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plusDays = (date: string, n: number) => day(Date.parse(`${date}T12:00:00Z`) + n * DAY);
const londonClock = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

async function skipTo(at: number) {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

describe('quiet hours', () => {
  /**
   * A referral whose assessment reminder (a day before it is due, 10 days after the referral)
   * falls at 02:00 London time on the next working day at least two days off: it was received nine
   * days before that 02:00 (backdated, as a referral keyed in late is).
   */
  async function referralWithReminderAt2am(cal: WorkingCalendar) {
    let date = plusDays(day(await env.currentTimeMs()), 2);
    while (!isWorkingDay(cal, date)) date = plusDays(date, 1);
    const reminderAt = wallTime('Europe/London', date, '02:00');
    return { reminderAt, date, receivedAt: new Date(reminderAt - 9 * DAY).toISOString() };
  }

  it('delivers a reminder due at 02:00 at the team’s start of work', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const p = onCalendar({});
      const { reminderAt, date, receivedAt } = await referralWithReminderAt2am(p.calendar!);
      await refer(env, taskQueue, { patientId: newPatientId(), programme: p, referral: referral({ receivedAt }) });
      const reminders = () => seen.notifications.filter((n) => n.deadline === 'assessment' && n.kind === 'reminder');

      await skipTo(reminderAt + 3 * HOUR); // 05:00: nothing yet
      expect(reminders()).toEqual([]);
      await skipTo(wallTime('Europe/London', date, '09:30'));
      await expect.poll(() => reminders().length).toBe(1);
      const [reminder] = reminders();
      expect(reminder!.createdAt).toBe(new Date(wallTime('Europe/London', date, '09:00')).toISOString());
      // It still says when the work is due: the deadline itself does not move.
      expect(reminder!.dueAt).toBe(new Date(reminderAt + DAY).toISOString());
    });
  });

  it('delivers the same reminder at 02:00 on a programme that runs round the clock', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const p = onCalendar({ roundTheClock: true });
      const { reminderAt, receivedAt } = await referralWithReminderAt2am(p.calendar!);
      await refer(env, taskQueue, { patientId: newPatientId(), programme: p, referral: referral({ receivedAt }) });
      await skipTo(reminderAt + HOUR);
      await expect
        .poll(() => seen.notifications.filter((n) => n.deadline === 'assessment' && n.kind === 'reminder').length)
        .toBe(1);
      const reminder = seen.notifications.find((n) => n.deadline === 'assessment' && n.kind === 'reminder')!;
      expect(reminder.createdAt).toBe(new Date(reminderAt).toISOString());
      expect(londonClock(reminderAt)).toMatch(/ 02:00$/);
    });
  });
});

describe('moving a running journey to new rules', () => {
  it('a journey started round the clock, moved to a calendar with quiet hours, gets its 02:00 reminder at the start of work', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const rules = onCalendar({});
      let date = plusDays(day(await env.currentTimeMs()), 2);
      while (!isWorkingDay(rules.calendar!, date)) date = plusDays(date, 1);
      const reminderAt = wallTime('Europe/London', date, '02:00');
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(reminderAt - 9 * DAY).toISOString() }),
      });
      const before = (await j.state()).deadlines.find((d) => d.name === 'assessment')!;
      const moved = await command(j.handle, 'adopt-rules', {
        by: { sub: 'lead-raj', role: 'team-lead' },
        reason: 'the ward now works office hours',
        programme: rules,
      });
      expect(moved.programme.calendar?.workingHours).toEqual({ start: '09:00', end: '17:00' });
      // The open deadline keeps its due time.
      expect(moved.deadlines.find((d) => d.name === 'assessment')?.dueAt).toBe(before.dueAt);
      expect(moved.timeline.at(-1)).toMatchObject({ type: 'programme.rules-adopted', data: { changed: 'calendar' } });

      const reminders = () => seen.notifications.filter((n) => n.deadline === 'assessment' && n.kind === 'reminder');
      await skipTo(reminderAt + 3 * HOUR);
      expect(reminders()).toEqual([]);
      await skipTo(wallTime('Europe/London', date, '09:30'));
      await expect.poll(() => reminders().length).toBe(1);
      expect(reminders()[0]!.createdAt).toBe(new Date(wallTime('Europe/London', date, '09:00')).toISOString());
    });
  });
});

describe('business days', () => {
  it('counts "2 business days" after a Friday discharge, before a bank-holiday Monday, to Wednesday', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const p = onCalendar({}, { postDischargeContact: '2 business days' });
      const cal = p.calendar!;
      // The next working Friday, at least a day off, whose Monday is an England-and-Wales bank holiday.
      let friday = plusDays(day(await env.currentTimeMs()), 1);
      while (
        !(new Date(`${friday}T12:00:00Z`).getUTCDay() === 5 && isWorkingDay(cal, friday)) ||
        !cal.holidays.includes(plusDays(friday, 3))
      )
        friday = plusDays(friday, 1);

      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: p,
        referral: referral({ receivedAt: new Date(now).toISOString() }),
      });
      await activate(j.handle, now);
      const admittedAt = wallTime('Europe/London', plusDays(friday, -2), '11:00');
      const dischargedAt = wallTime('Europe/London', friday, '15:00');
      const adt = (controlId: string, event: HospitalEvent['event'], t: number): HospitalEvent => ({
        controlId,
        event,
        occurredAt: new Date(t).toISOString(),
      });
      await skipTo(admittedAt);
      await hospitalMessage(j.handle, adt('CAL-A01', 'A01', admittedAt));
      await skipTo(dischargedAt);
      await hospitalMessage(j.handle, adt('CAL-A03', 'A03', dischargedAt));
      await expect
        .poll(async () => (await j.state()).deadlines.find((d) => d.name === 'post-discharge-contact')?.dueAt)
        .toBe(new Date(wallTime('Europe/London', plusDays(friday, 5), '17:00')).toISOString());
      const due = Date.parse((await j.state()).deadlines.find((d) => d.name === 'post-discharge-contact')!.dueAt);
      expect(londonClock(due)).toBe('Wednesday 17:00');
    });
  });
});
