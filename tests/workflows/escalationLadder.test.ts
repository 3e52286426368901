/**
 * The escalation ladder on the real time-skipping server, with the frailty virtual ward's real
 * durations: routine assessment due 10 days after referral; reminder a day before, overdue at
 * due, team lead a day after, service manager three days after.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  command,
  DAY,
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
const coordinator = { sub: 'coord-ana', role: 'coordinator' as const };

describe('assessment deadline ladder', () => {
  it('reminds, marks overdue, escalates to the team lead then the service manager — each once, on time, to the right person', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const receivedAt = await env.currentTimeMs();
      const { status, state } = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(receivedAt).toISOString() }),
      });
      expect(status).toMatchObject({ merged: false });
      await env.sleep(12 * DAY); // past reminder, due and the team-lead step; not yet the service manager's
      const s1 = await state();
      expect(s1.phase).toBe('assessment');
      const coordinatorId = s1.coordinatorId;
      expect(coordinatorId).toMatch(/^coord-/);
      const due = receivedAt + 10 * DAY;
      const ladder = () =>
        seen.notifications.filter((n) => n.journeyId === s1.journeyId && n.deadline === 'assessment');
      expect(ladder().map((n) => [n.kind, n.level, n.recipients])).toEqual([
        ['reminder', 0, [coordinatorId]],
        ['overdue', 0, [coordinatorId]],
        ['escalation', 1, ['lead-raj']],
      ]);
      await env.sleep(5 * DAY);
      const steps = ladder();
      expect(steps.map((n) => [n.kind, n.level, n.recipients])).toEqual([
        ['reminder', 0, [coordinatorId]],
        ['overdue', 0, [coordinatorId]],
        ['escalation', 1, ['lead-raj']],
        ['escalation', 2, ['mgr-kim']],
      ]);
      // Fired at due −1 d, due, due +1 d, due +3 d by the workflow clock.
      const offsets = steps.map((n) => Math.round((Date.parse(n.createdAt) - due) / 60_000));
      expect(offsets).toEqual([-24 * 60, 0, 24 * 60, 72 * 60]);
      // Each step notified exactly once, however often the worker was asked.
      expect(new Set(seen.notifyCalls).size).toBe(seen.notifyCalls.length);
      const detail = await state();
      expect(detail.deadlines.find((d) => d.name === 'assessment')).toMatchObject({ status: 'open', ladderStep: 4 });
    });
  });

  it('stops the ladder the moment the deadline is met', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const receivedAt = await env.currentTimeMs();
      const { handle, state } = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(receivedAt).toISOString() }),
      });
      await env.sleep(9.5 * DAY); // the reminder has gone
      const s = await state();
      await command(handle, 'assessment', {
        by: { ...coordinator, sub: s.coordinatorId! },
        summary: 'Holistic assessment at home',
        needs: [{ domain: 'physical', description: 'falls' }],
      });
      await env.sleep(20 * DAY);
      const assessmentSteps = seen.notifications.filter(
        (n) => n.journeyId === s.journeyId && n.deadline === 'assessment',
      );
      expect(assessmentSteps.map((n) => n.kind)).toEqual(['reminder']);
      const after = await state();
      expect(after.deadlines.find((d) => d.name === 'assessment')).toMatchObject({ status: 'met', ladderStep: 1 });
      expect(after.phase).toBe('care-planning');
      // The care-plan deadline (7 days after assessment) runs its own ladder meanwhile.
      expect(
        seen.notifications.filter((n) => n.journeyId === s.journeyId && n.deadline === 'care-plan').map((n) => n.kind),
      ).toEqual(['reminder', 'overdue', 'escalation', 'escalation']);
    });
  });
});
