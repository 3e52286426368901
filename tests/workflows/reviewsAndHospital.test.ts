/**
 * Reviews recur by risk tier; hospital admissions pause community deadlines; discharges start
 * the post-discharge contact and bring the review forward; A11/A13 undo; readmissions within
 * the window are flagged and escalated. Real programme durations on the time-skipping server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { HospitalEvent } from '../../domain/commands.js';
import * as SA from '../../temporal/searchAttributes.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import {
  DAY,
  HOUR,
  newPatientId,
  programme,
  refer,
  referral,
  useJourneyTestEnv,
  command,
  hospitalMessage,
  withJourneyWorker,
} from '../support/journeyTestEnv.js';
import { activate, asCoordinator } from '../support/journeySteps.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward'); // review: high P14D, medium P28D, low P84D; after discharge P7D
/** Due times of a deadline's open, running (not paused) instances. */
const due = (s: { deadlines: { name: string; status: string; dueAt: string; pausedSince?: string }[] }, name: string) =>
  s.deadlines.filter((d) => d.name === name && d.status === 'open' && !d.pausedSince).map((d) => Date.parse(d.dueAt));

async function activeJourney(taskQueue: string) {
  const now = await env.currentTimeMs();
  const j = await refer(env, taskQueue, {
    patientId: newPatientId(),
    programme: frailty,
    referral: referral({ receivedAt: new Date(now).toISOString() }),
  });
  const s = await activate(j.handle, now);
  return { ...j, s, activatedAt: await env.currentTimeMs() };
}

let msg = 0;
const adt = (event: HospitalEvent['event'], occurredAt: number, extra: Partial<HospitalEvent> = {}): HospitalEvent => ({
  controlId: `MSG${(msg += 1)}`,
  event,
  occurredAt: new Date(occurredAt).toISOString(),
  ...extra,
});

describe('reviews', () => {
  it('recur by risk tier, and a review that changes the tier changes the next interval', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const { handle, s } = await activeJourney(taskQueue);
      expect(s.risk.tier).toBe('high');
      const by = asCoordinator(s.coordinatorId!);
      const [firstDue] = due(s, 'review');
      expect(firstDue! - Date.parse(s.carePlan!.agreedAt)).toBe(14 * DAY);

      const reviewedAt = (x: typeof s) => Date.parse(x.reviews.at(-1)!.at);
      await env.sleep(12.5 * DAY);
      let after = await command(handle, 'review', { by, outcome: 'continue', notes: 'stable' });
      expect(due(after, 'review')).toEqual([reviewedAt(after) + 14 * DAY]); // high: fortnightly

      await env.sleep(10 * DAY);
      after = await command(handle, 'review', { by, outcome: 'step-down', notes: 'improving' });
      expect(after.risk.tier).toBe('medium');
      expect(due(after, 'review')).toEqual([reviewedAt(after) + 28 * DAY]);

      await env.sleep(20 * DAY);
      after = await command(handle, 'review', { by, outcome: 'continue', riskTier: 'low', notes: 'settled' });
      expect(due(after, 'review')).toEqual([reviewedAt(after) + 84 * DAY]);
      expect(after.deadlines.filter((d) => d.name === 'review' && d.status === 'met')).toHaveLength(3);
    });
  });
});

describe('hospital transitions', () => {
  it('admission pauses deadlines; discharge restarts them, starts the post-discharge contact and brings the review forward', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const { handle, s } = await activeJourney(taskQueue);
      const [reviewDue] = due(s, 'review'); // 14 days after the plan
      await env.sleep(2 * DAY);
      const admittedAt = await env.currentTimeMs();
      await hospitalMessage(handle, adt('A01', admittedAt, { location: 'Ward 3' }));
      await env.sleep(HOUR);
      let now = await handle.query(journeyQuery);
      expect(now.phase).toBe('in-hospital');
      expect(now.hospitalStays).toMatchObject([
        { admittedAt: new Date(admittedAt).toISOString(), readmission: false, location: 'Ward 3' },
      ]);
      expect(
        seen.notifications.filter((n) => n.journeyId === s.journeyId && n.deadline === 'hospital-admission'),
      ).toHaveLength(1);
      // Search attributes say where the journey stands — and nothing about who the patient is.
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(SA.CarePhase)).toBe('in-hospital');
      expect(attributes.get(SA.CareTeam)).toBe('south-devon-1');
      expect(attributes.get(SA.CareProgramme)).toBe('frailty-virtual-ward');
      expect(attributes.get(SA.CareCoordinator)).toBe(s.coordinatorId);
      expect(attributes.get(SA.RiskTier)).toBe('high');
      expect(attributes.get(SA.NextDueAt)).toBeUndefined(); // every community deadline is paused
      expect(JSON.stringify(attributes)).not.toContain(s.patientId);

      // Three weeks on the ward: the review falls "due" but nothing fires while the clock is stopped.
      await env.sleep(21 * DAY);
      expect(seen.notifications.filter((n) => n.journeyId === s.journeyId && n.deadline === 'review')).toHaveLength(0);

      const dischargedAt = await env.currentTimeMs();
      await hospitalMessage(handle, adt('A03', dischargedAt));
      await env.sleep(HOUR);
      now = await handle.query(journeyQuery);
      expect(now.phase).toBe('active');
      expect(due(now, 'post-discharge-contact')).toEqual([dischargedAt + 72 * HOUR]);
      // Paused for the stay, the review would be due 21 days + 1 h later than planned; brought forward to 7 days after discharge.
      expect(reviewDue! + (dischargedAt - admittedAt)).toBeGreaterThan(dischargedAt + 7 * DAY);
      expect(due(now, 'review')).toEqual([dischargedAt + 7 * DAY]);

      // The contact meets the post-discharge deadline, so its ladder stops before the overdue notice.
      await env.sleep(60 * HOUR);
      await command(handle, 'contact', {
        by: asCoordinator(s.coordinatorId!),
        kind: 'post-discharge',
        channel: 'phone',
      });
      await env.sleep(5 * DAY);
      const pdc = seen.notifications.filter(
        (n) => n.journeyId === s.journeyId && n.deadline === 'post-discharge-contact',
      );
      expect(pdc.map((n) => n.kind)).toEqual(['notice', 'reminder']);
      now = await handle.query(journeyQuery);
      expect(now.deadlines.find((d) => d.name === 'post-discharge-contact')).toMatchObject({ status: 'met' });
    });
  });

  it('A11 cancels an admission and A13 a discharge, as if they never happened; duplicates change nothing', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const { handle, s } = await activeJourney(taskQueue);
      const [reviewDue] = due(s, 'review');
      const t0 = await env.currentTimeMs();
      const admit = adt('A01', t0);
      await hospitalMessage(handle, admit);
      await env.sleep(2 * DAY);
      await hospitalMessage(handle, adt('A11', t0 + 2 * DAY));
      await env.sleep(HOUR);
      let now = await handle.query(journeyQuery);
      expect(now.phase).toBe('active');
      expect(now.hospitalStays).toEqual([]);
      expect(due(now, 'review')).toEqual([reviewDue]); // no shift: the clock never stopped

      // The same A01 again (same control id) is ignored.
      await hospitalMessage(handle, admit);
      await env.sleep(HOUR);
      now = await handle.query(journeyQuery);
      expect(now.phase).toBe('active');

      const t1 = await env.currentTimeMs();
      await hospitalMessage(handle, adt('A01', t1));
      await env.sleep(DAY);
      const before = await handle.query(journeyQuery);
      await hospitalMessage(handle, adt('A03', t1 + DAY));
      await env.sleep(HOUR);
      expect((await handle.query(journeyQuery)).phase).toBe('active');
      await hospitalMessage(handle, adt('A13', t1 + DAY + HOUR));
      await env.sleep(HOUR);
      now = await handle.query(journeyQuery);
      expect(now.phase).toBe('in-hospital');
      expect(now.hospitalStays.at(-1)!.dischargedAt).toBeUndefined();
      expect(due(now, 'post-discharge-contact')).toEqual([]);
      const paused = (x: typeof now) =>
        x.deadlines.filter((d) => d.status === 'open').map((d) => [d.id, d.dueAt, d.pausedSince]);
      expect(paused(now)).toEqual(paused(before));
    });
  });

  it('flags and escalates a readmission inside the window, and not one outside it', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const { handle, s } = await activeJourney(taskQueue);
      const stay = async (admitAfter: number, length: number) => {
        await env.sleep(admitAfter);
        await hospitalMessage(handle, adt('A01', await env.currentTimeMs()));
        await env.sleep(length);
        await hospitalMessage(handle, adt('A03', await env.currentTimeMs()));
        await env.sleep(HOUR);
      };
      await stay(DAY, 3 * DAY); // first stay
      await stay(20 * DAY, 2 * DAY); // back in 20 days: a readmission
      await stay(40 * DAY, 2 * DAY); // 40 days later: outside the 30-day window
      const now = await handle.query(journeyQuery);
      expect(now.hospitalStays.map((h) => h.readmission)).toEqual([false, true, false]);
      const escalations = seen.notifications.filter((n) => n.journeyId === s.journeyId && n.deadline === 'readmission');
      expect(escalations).toHaveLength(1);
      expect(escalations[0]).toMatchObject({ kind: 'escalation', level: 1, recipients: ['lead-raj'] });
    });
  });
});
