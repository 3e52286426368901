/**
 * One time budget per API request (issue 19). Every Temporal call a request makes draws on the
 * same deadline, so a request that asks Temporal more than once (whether a command was already
 * decided, then the command itself) cannot run past the Lambda's 28 s timeout or API Gateway's
 * 30 s integration limit: the caller hears "busy, retry" (503) rather than a 504 or nothing.
 *
 * The deadline travels with the request in AsyncLocalStorage, so the gateway needs no extra
 * argument on each call; outside a request (a script, a test calling the gateway) there is none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A request's whole budget for Temporal: under the Lambda's 28 s, with room to answer. */
export const REQUEST_BUDGET_MS = 24_000;

const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` (a request) with `ms` from now as the deadline every Temporal call in it shares. */
export function withRequestBudget<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return deadlines.run(Date.now() + ms, fn);
}

/** When the current request must be answered by (epoch ms); undefined outside a request. */
export function requestDeadline(): number | undefined {
  return deadlines.getStore();
}
