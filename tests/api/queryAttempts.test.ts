/**
 * A query that will never be answered (it went to a run that continued as new under it, or to a
 * worker that died) must not spend the whole wait: each attempt has its own deadline, and the
 * next attempt reaches the journey as it now is. On the time-skipping test server a lost query
 * waited for good, and the three-year journey test hung for 300 s.
 */
import { describe, expect, it } from 'vitest';
import { JourneyNotAnswering, pollUntilAnswered, type DeadlineScope } from '../../lambdas/journeyGateway.js';

/** A Temporal client's deadline, as the gRPC layer enforces it: the call fails once it passes. */
const deadlines: DeadlineScope & { given: number[] } = {
  given: [],
  withDeadline(deadline, fn) {
    this.given.push(deadline - Date.now());
    return Promise.race([
      fn(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('4 DEADLINE_EXCEEDED')), Math.max(0, deadline - Date.now())),
      ),
    ]);
  },
};

describe('asking a journey until it answers', () => {
  it('asks again when one query is lost, and has the answer well within the wait', async () => {
    deadlines.given = [];
    let asked = 0;
    const started = Date.now();
    const answer = await pollUntilAnswered(
      deadlines,
      () => (++asked === 1 ? new Promise<string>(() => undefined) : Promise.resolve('accepted')),
      5_000,
      300,
    );
    expect(answer).toBe('accepted');
    expect(asked).toBe(2);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(deadlines.given[0]).toBeLessThanOrEqual(300);
  });

  it('never gives an attempt longer than what is left of the wait, and then says the journey did not answer', async () => {
    deadlines.given = [];
    const started = Date.now();
    await expect(pollUntilAnswered(deadlines, () => new Promise<string>(() => undefined), 700, 300)).rejects.toThrow(
      JourneyNotAnswering,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(deadlines.given.length).toBeGreaterThanOrEqual(3);
    expect(deadlines.given.at(-1)!).toBeLessThan(300); // the last attempt had only what was left
  });
});
