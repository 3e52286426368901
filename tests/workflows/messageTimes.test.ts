/**
 * Every message carries the time it was sent, and the journey decides with it, never with the clock
 * of the workflow task that applies it (issue 19): sdk-core can hand one task over in two
 * activations live and in one on replay, each with its own clock. A message without a time
 * changes nothing. On the time-skipping server, with the bundle the worker runs.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { sendCommand } from '../../temporal/journeyCalls.js';
import {
  commandOutcomeQuery,
  commandSignal,
  hospitalEventSignal,
  journeyQuery,
} from '../../temporal/journeyMessages.js';
import {
  DAY,
  HOUR,
  command,
  newPatientId,
  programme,
  refer,
  referral,
  useJourneyTestEnv,
  withJourneyWorker,
} from '../support/journeyTestEnv.js';
import { activate, asCoordinator, assigned, lead } from '../support/journeySteps.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');

describe('the time a message carries', () => {
  it('is the time a command is applied and checked at, and the time the journey opens at', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const now = await env.currentTimeMs();
      // Sent a minute ago (received by the referrer this morning): the journey opens as of the send.
      const sentAt = now - 60_000;
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(now - 3 * HOUR).toISOString() }),
        sentAt,
      });
      const opened = await j.state();
      expect(opened.timeline[0]).toMatchObject({ type: 'referral.received', at: new Date(sentAt).toISOString() });
      const s = await activate(j.handle, now);
      const by = asCoordinator(s.coordinatorId!);
      // A contact sent an hour ago (say, a phone whose request was slow to arrive) is recorded then.
      await env.sleep(3 * HOUR);
      const contactSent = new Date((await env.currentTimeMs()) - HOUR);
      const outcome = await sendCommand(
        j.handle,
        'contact',
        { by, kind: 'routine', channel: 'phone', notes: 'Daughter says he is managing' },
        { sentAt: contactSent },
      );
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      const after = await j.state();
      expect(after.timeline.find((e) => e.type === 'contact.recorded')?.at).toBe(contactSent.toISOString());
    });
  });

  it('is the time a reassignment is recorded at, and the triage time is the assignment time', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(now).toISOString() }),
      });
      if ((await j.state()).phase === 'triage')
        await command(j.handle, 'triage', { by: lead, decision: 'accept', reason: 'meets criteria' });
      const s = await assigned(j.handle);
      const triaged = s.timeline.find((e) => e.type === 'triage.decided')!;
      // The assignment comes back from the caseload store in a later task; it is recorded at the
      // decision that asked for it.
      expect(s.timeline.find((e) => e.type === 'coordinator.assigned')?.at).toBe(triaged.at);

      await env.sleep(DAY);
      const to = frailty.teams[0]!.coordinators.find((c) => c.id !== s.coordinatorId)!.id;
      const sentAt = new Date((await env.currentTimeMs()) - 2 * HOUR);
      const outcome = await sendCommand(j.handle, 'reassign', { by: lead, coordinatorId: to }, { sentAt });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      const after = await j.state();
      expect(after.coordinatorId).toBe(to);
      expect(after.timeline.find((e) => e.type === 'coordinator.reassigned')?.at).toBe(sentAt.toISOString());
    });
  });
});

describe('a message without its time', () => {
  it('is a command refused as invalid, and a hospital event ignored: neither changes the journey', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(now).toISOString() }),
      });
      const s = await activate(j.handle, now);
      const before = await j.state();

      // Sent as an older sender would, with no sentAt.
      await j.handle.signal(commandSignal, {
        commandId: 'no-time',
        type: 'contact',
        command: { by: asCoordinator(s.coordinatorId!), kind: 'routine', channel: 'phone', notes: 'no time given' },
      } as never);
      await expect
        .poll(() => j.handle.query(commandOutcomeQuery, 'no-time'), { timeout: 30_000 })
        .toMatchObject({ ok: false, type: 'invalid', message: expect.stringMatching(/sentAt/) });
      // A hospital admission with no time of receipt.
      await j.handle.signal(hospitalEventSignal, { controlId: 'NO-TIME-1', event: 'A01' } as never);
      // A later message with its time is applied: the one before it has been taken in by then.
      await command(j.handle, 'contact', {
        by: asCoordinator(s.coordinatorId!),
        kind: 'routine',
        channel: 'visit',
      });
      const after = await j.handle.query(journeyQuery);
      expect(after.hospitalStays).toEqual(before.hospitalStays);
      expect(after.phase).toBe('active');
      expect(after.seenControlIds).not.toContain('NO-TIME-1');
      // Only the contact that said when it was sent is in the record.
      expect(after.timeline.filter((e) => !before.timeline.some((b) => b.seq === e.seq)).map((e) => e.detail)).toEqual([
        'routine contact by visit: reached',
      ]);
    });
  });
});
