/**
 * Journeys last years and workers come and go. A three-year journey continues as new and every
 * open deadline keeps its due time across each run; a worker stopped in the middle of a ladder
 * and replaced resumes it with no step lost or repeated.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { currentTable } from '../support/dynamoDbLocal.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { recordActivities } from '../support/recordingActivities.js';
import { runsOf } from '../../bench/billableActions.js';
import {
  DAY,
  journeyWorker,
  newPatientId,
  programme,
  refer,
  referral,
  settle,
  useJourneyTestEnv,
  command,
  terminateStartedJourneys,
  withJourneyWorker,
} from '../support/journeyTestEnv.js';
import { activate, asCoordinator } from '../support/journeySteps.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');

// Seventy-eight fortnights of timers, reminders and reviews take about 20 s on an idle machine and
// 23-80 s in `npm test` or on a loaded machine. It used to hang, about one run in thirty, for the
// whole timeout. Each cause was in the time-skipping test server, and each is patched with a test
// of its own (scripts/testServerPatch/README.md): a review landing as a ladder timer fired
// (tests/scripts/testServerTimerRace.test.ts), and a review's outcome query waiting on the task
// that continued the journey as new, which stopped time for good
// (tests/scripts/testServerClosedRun.test.ts). Each query attempt also has its own deadline
// (QUERY_ATTEMPT_MS, lambdas/journeyGateway.ts), so a query lost to a closed run is asked again.
// The test is about what happens, not how fast, so it has room beyond the default 120 s, but not
// so much that a hang costs CI long.
const THREE_YEARS_TIMEOUT_MS = 300_000;

describe('a three-year journey', () => {
  it(
    'reviews fortnightly for three years, continues as new, and keeps every open deadline across runs',
    async () => {
      const maxHistoryEvents = 400;
      await withJourneyWorker(env, async ({ taskQueue, seen }) => {
        const start = await env.currentTimeMs();
        const j = await refer(env, taskQueue, {
          patientId: newPatientId(),
          programme: frailty,
          referral: referral({ receivedAt: new Date(start).toISOString() }),
          maxHistoryEvents,
        });
        // A care-plan action due in three and a half years must keep its exact due time throughout.
        const planned = await activate(j.handle, start, [{ id: 'adaptations', inDays: 1280 }]);
        const longAction = planned.deadlines.find((d) => d.name === 'action:adaptations')!;
        const by = asCoordinator(planned.coordinatorId!);

        const runs = new Set<string>();
        let maxLength = 0;
        let reviews = 0;
        while ((await env.currentTimeMs()) - start < 3 * 365 * DAY) {
          await env.sleep(13.5 * DAY); // the reminder (a day before) has fired; the review is not yet overdue
          const s = await command(j.handle, 'review', { by, outcome: 'continue', notes: `review ${reviews + 1}` });
          reviews += 1;
          expect(s.deadlines.find((d) => d.id === longAction.id)).toMatchObject({
            dueAt: longAction.dueAt,
            status: 'open',
          });
          const d = await j.handle.describe();
          runs.add(d.runId);
          maxLength = Math.max(maxLength, d.historyLength);
        }
        expect(reviews).toBeGreaterThanOrEqual(78);
        // It continued as new about monthly: at the first thing it did once its run was 30 days
        // old, and it does something at least fortnightly, so each run lasted 30 to 44 days, and
        // three years held at least 3 × 365 / 44 of them. (Three years of fortnightly reviews count
        // to the 400 events only every six months or so.)
        expect(runs.size).toBeGreaterThanOrEqual(Math.floor((3 * 365) / 44));
        expect(maxLength).toBeLessThan(maxHistoryEvents + 60); // and no run came near Temporal's history limits
        // Each run knew the search attributes it was carried over with: no upsert (a billable
        // action each) set the values the journey already held, in any run.
        expect(await upsertsOfHeldValues(j.handle.workflowId)).toEqual([]);

        const end = await j.handle.query(journeyQuery);
        expect(end.counters.reviews).toBe(reviews + 1);
        const reviewDue = end.deadlines.filter((d) => d.name === 'review' && d.status === 'open');
        expect(reviewDue).toHaveLength(1);
        expect(Date.parse(reviewDue[0]!.dueAt)).toBe(Date.parse(end.reviews.at(-1)!.at) + 14 * DAY);
        // Every review was on time, so no review ever went overdue; each reminder went out once.
        const reviewNotices = seen.notifications.filter(
          (n) => n.journeyId === end.journeyId && n.deadline === 'review',
        );
        expect(reviewNotices.every((n) => n.kind === 'reminder')).toBe(true);
        expect(reviewNotices).toHaveLength(reviews);
        expect(new Set(seen.notifyCalls).size).toBe(seen.notifyCalls.length);
        // The audit trail is complete and gap-free across all the runs.
        const trail = (await seen.read.auditTrail(end.journeyId, 5000)).items.map((e) => e.seq);
        expect(trail).toEqual(Array.from({ length: end.counters.seq }, (_, i) => i + 1));
      });
    },
    THREE_YEARS_TIMEOUT_MS,
  );
});

/** The search-attribute upserts, across every run of a journey, that changed nothing it held. */
async function upsertsOfHeldValues(workflowId: string): Promise<string[]> {
  const held = new Map<string, string>();
  const repeats: string[] = [];
  for (const [n, run] of (await runsOf(env.client, workflowId)).reverse().entries())
    for (const e of run) {
      const fields = Object.entries(
        e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      )
        .filter(([k]) => k !== 'TemporalChangeVersion') // sdk-core's record of patches, not the journey's
        .map(([k, v]) => [k, Buffer.from(v.data ?? []).toString()] as const);
      if (fields.length === 0) continue;
      if (fields.every(([k, v]) => held.get(k) === v)) repeats.push(`run ${n + 1}, event ${String(e.eventId)}`);
      for (const [k, v] of fields) held.set(k, v);
    }
  return repeats;
}

describe('a worker restart in the middle of a ladder', () => {
  it('resumes the ladder with no step lost or repeated', async () => {
    const seen = recordActivities(currentTable());
    const taskQueue = `restart-${newPatientId()}`;
    const receivedAt = await env.currentTimeMs();
    const due = receivedAt + 10 * DAY; // routine assessment

    // No workflow cache, so no sticky task queue: the server hands the stopped worker's next task
    // straight to whichever worker polls next, as it would after a crash once the sticky timeout passed.
    const first = await journeyWorker(env, taskQueue, seen, 0);
    let journeyId = '';
    await first.worker.runUntil(async () => {
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: frailty,
        referral: referral({ receivedAt: new Date(receivedAt).toISOString() }),
      });
      journeyId = (await j.state()).journeyId;
      await env.sleep(9.5 * DAY); // the reminder has gone out
      expect(seen.notifications.filter((n) => n.journeyId === journeyId).map((n) => n.kind)).toEqual(['reminder']);
      await settle(j.handle); // stop between steps, not in the middle of an activity
    });

    // No worker now. Time moves on to the next step, where the server waits for a worker to run it.
    const stopped = env.sleep(5 * DAY);
    await new Promise((r) => setTimeout(r, 1500));

    const second = await journeyWorker(env, taskQueue, seen, 0);
    await second.worker.runUntil(async () => {
      await stopped;
      await env.sleep(1 * DAY);
      const ladder = seen.notifications.filter((n) => n.journeyId === journeyId && n.deadline === 'assessment');
      expect(ladder.map((n) => n.kind)).toEqual(['reminder', 'overdue', 'escalation', 'escalation']);
      expect(ladder.map((n) => Math.round((Date.parse(n.createdAt) - due) / 3_600_000))).toEqual([-24, 0, 24, 72]);
      const calls = seen.notifyCalls.filter((id) => id.startsWith(journeyId) && id.includes('/assessment/'));
      expect(calls).toHaveLength(4); // each step asked for once, not once per worker
      await terminateStartedJourneys();
    });
  });
});
