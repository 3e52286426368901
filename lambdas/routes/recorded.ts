/**
 * Waiting, bounded, for the record to catch up with a journey. A journey decides a command (or
 * takes a referral) in one workflow task and records the change in the activity that follows,
 * milliseconds later; whoever just acted is answered from the record, so they are answered once
 * their change is in it.
 */
import { requestDeadline } from '../requestBudget.js';

/**
 * How long an answer waits for the record: a recording activity that fails is retried after 1 s,
 * 2 s and 4 s, so this covers three retries. It never runs past the request's own budget
 * (lambdas/requestBudget.ts), which the command's wait has drawn on too: a request stays inside
 * the Lambda's timeout and API Gateway's 30 s.
 */
export const RECORD_WAIT_MS = 8_000;

/** Reads until `done` says the record has it, or the wait is over (then undefined). */
export async function untilRecorded<T>(
  read: () => Promise<T | undefined>,
  done: (value: T) => boolean,
  waitMs = RECORD_WAIT_MS,
): Promise<T | undefined> {
  const deadline = Math.min(Date.now() + waitMs, requestDeadline() ?? Infinity);
  let pause = 10;
  for (;;) {
    const value = await read();
    if (value !== undefined && done(value)) return value;
    if (Date.now() + pause > deadline) return undefined;
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 250);
  }
}
