/**
 * A ladder step costs one activity, not two: its notification goes out with the record write that
 * records the step (`notify-with-record`), after the write. Each activity attempt is a billable
 * action on Temporal Cloud, and ladder steps are most of a short journey's activities.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../domain/journey.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { recordActivities } from '../support/recordingActivities.js';
import { DAY, journeyWorker, newPatientId, programme, referral, useJourneyTestEnv } from '../support/journeyTestEnv.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');

describe('a ladder step', () => {
  it('sends its notifications in the activity that records it, and no notify activity of its own', async () => {
    const recorded = recordActivities(currentTable());
    const { worker } = await journeyWorker(env, JOURNEY_TASK_QUEUE, recorded);
    const at = await env.currentTimeMs();
    const gateway = createJourneyGateway(env.client, { now: () => new Date(at) });
    await worker.runUntil(async () => {
      const patientId = newPatientId();
      // A borderline referral waits for a person to triage it; no one does, so its ladder climbs.
      const borderline = { receivedAt: new Date(at).toISOString(), age: 78, conditions: ['copd', 'diabetes'] };
      await gateway.refer(
        frailty,
        patientId,
        referral({ ...borderline, livesAlone: false, admissionsLast12Months: 1 }),
      );
      const handle = env.client.workflow.getHandle(journeyWorkflowId(frailty.id, patientId));
      await env.sleep(5 * DAY);
      await expect
        .poll(async () => {
          const s = await handle.query(journeyQuery);
          return (
            s.timeline.filter((e) => e.type === 'deadline.step').length > 1 && s.counters.audited === s.counters.seq
          );
        })
        .toBe(true);
      const s = await handle.query(journeyQuery);
      const steps = s.timeline.filter((e) => e.type === 'deadline.step');

      const { events = [] } = await handle.fetchHistory();
      const scheduled = (events ?? []).flatMap((e) => {
        const a = e.activityTaskScheduledEventAttributes;
        if (!a) return [];
        const [request] = (a.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p)) as [
          { notifications?: Notification[]; audit?: { events: { type: string }[] } } | undefined,
        ];
        return [{ type: a.activityType!.name!, request }];
      });
      // No activity of its own for any notification …
      expect(scheduled.map((a) => a.type)).not.toContain('notify');
      // … each step's notification rides with the record write that records the step.
      const writes = scheduled.filter((a) => a.request?.notifications?.length);
      expect(writes.length).toBe(steps.length);
      for (const w of writes)
        expect(w.request!.audit!.events.filter((e) => e.type === 'deadline.step').length).toBe(
          w.request!.notifications!.length,
        );
      // And each reached the inbox, once.
      const sent = writes.flatMap((w) => w.request!.notifications!.map((n) => n.id));
      expect(recorded.notifications.map((n) => n.id).sort()).toEqual([...sent].sort());
      expect(new Set(recorded.notifyCalls).size).toBe(recorded.notifyCalls.length);
      await handle.terminate('test finished');
    });
  });
});
