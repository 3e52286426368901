/**
 * A bounded chaos run (the full one is `npm run chaos`): journeys through the public API while the
 * worker is killed with SIGKILL, the Temporal dev server restarts and DynamoDB Local goes away —
 * then every journey must pass every invariant. That the invariants catch what they should is
 * shown in tests/domain/invariants.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { LADDER_GRACE_MS, runChaos } from '../../scripts/chaos.js';

describe('chaos', () => {
  it('loses nothing and doubles nothing through worker kills, a Temporal restart, a DynamoDB outage and SES refusing sends', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      journeys: 16,
      arrivalMs: 15_000,
      lifeMs: 50_000,
      workerKills: 3,
      dynamoDbOutageMs: 6_000,
      temporalDownMs: 2_000,
      // SES refuses (throttles or fails) about one email send in three.
      emailRefusalRate: 0.3,
      graceMs: LADDER_GRACE_MS,
      seed: 7,
      log: (line) => lines.push(line),
    });
    // The faults really happened, and no journey was left stuck on a replay divergence …
    expect(report.faults).toMatchObject({
      workerKills: 3,
      temporalRestarts: 1,
      dynamoDbOutages: 1,
      nondeterminismAlarms: 0,
    });
    // … the journeys really ran, ladders included …
    expect(report.load.referrals).toBe(16);
    expect(report.checked.journeys).toBe(16);
    expect(report.checked.ladderSteps).toBeGreaterThan(0);
    // Every history was replayed from the start with the bundle the workers ran …
    expect(report.checked.historiesReplayed).toBe(16);
    // … and again with an empty workflow task put in before each signal and timer firing that
    // follows a task with nothing since: the journeys decide the same (scripts/foldedTasks.ts).
    expect(report.checked.historiesReplayedWithEmptyTasks).toBe(16);
    expect(report.checked.emptyTasksInserted).toBeGreaterThan(0);
    // SES refused sends, and every person's notification was emailed to them all the same. A
    // repeat is allowed only where SES accepted an email just before the worker died or DynamoDB
    // went, before the send could be recorded (SES takes no idempotency key); at most one a fault.
    const emails = report.checked.emails!;
    expect(emails.expected).toBeGreaterThan(0);
    expect(emails.refused).toBeGreaterThan(0);
    expect(emails.accepted).toBe(emails.expected + emails.repeatedAfterInterruption);
    expect(emails.repeatedAfterInterruption).toBeLessThanOrEqual(
      report.faults.workerKills + report.faults.workerUnplannedExits + report.faults.dynamoDbOutages,
    );
    // … and nothing was lost or doubled (emails included: the 'emailed-once' invariant).
    expect(report.violationSamples, lines.join('\n')).toEqual([]);
    expect(report.unexpectedSamples).toEqual([]);
    expect(report.load.gaveUp).toBe(0);
  }, 300_000);
});
