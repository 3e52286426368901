/**
 * Asking a journey and telling it, from outside the workflow: a command signalled and its decision
 * awaited, a query asked until it is answered. The API's gateway (lambdas/journeyGateway.ts) and
 * the worker's own activities that act on other journeys (a caseload move) use the same calls.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { CommandOutcome, CommandType } from '../domain/journeyCommands.js';
import { commandOutcomeQuery, commandSignal } from './journeyMessages.js';

/** The journey took the command in but did not say what became of it in time (its worker is down). */
export class JourneyNotAnswering extends Error {
  override name = 'JourneyNotAnswering';
}

/** What can put a deadline on the Temporal calls made inside `fn` (any Temporal client). */
export interface DeadlineScope {
  withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R>;
}

/**
 * How long one query waits for its answer before it is asked afresh. A query is answered in
 * milliseconds, seconds when the worker is busy; one that has waited this long has gone to a run
 * that closed under it (a journey continuing as new) or to a worker that died, and will never be
 * answered. Asked again, it reaches the journey's current run. Two attempts fit the API's budget.
 */
export const QUERY_ATTEMPT_MS = 8_000;

/**
 * Asks `read` until it has an answer: a journey takes a signal in within a workflow task, usually a
 * few milliseconds, but seconds when its worker is busy or restarting. Each attempt has its own
 * deadline within `waitMs` (`QUERY_ATTEMPT_MS`), so one lost query cannot spend the whole wait.
 */
export async function pollUntilAnswered<T>(
  client: DeadlineScope,
  read: () => Promise<T | undefined>,
  waitMs: number,
  attemptMs = QUERY_ATTEMPT_MS,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let pause = 10;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await client.withDeadline(Math.min(Date.now() + attemptMs, deadline), read);
      if (value !== undefined) return value;
    } catch (error) {
      // Before its first workflow task the journey cannot be queried yet; a not-found is the caller's to handle.
      if (error instanceof WorkflowNotFoundError) throw error;
      lastError = error;
    }
    if (Date.now() + pause > deadline)
      throw new JourneyNotAnswering(
        `the journey did not answer within ${waitMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 250);
  }
}

/**
 * Sends a co-ordinator's command and waits for the journey's decision: the revision it produced, or
 * why it refused. `commandId` lets a caller that retries be recognised; `sentAt` is the time the
 * journey applies it at and checks "not in the past" against; `journeyId` names the episode meant,
 * which the journey refuses the command for if it is not its current one.
 */
export async function sendCommand(
  handle: WorkflowHandle,
  type: CommandType,
  command: unknown,
  options: { sentAt: Date; commandId?: string; waitMs?: number; journeyId?: string },
): Promise<CommandOutcome> {
  const commandId = options.commandId ?? randomUUID();
  await handle.signal(commandSignal, {
    commandId,
    type,
    command,
    sentAt: options.sentAt.toISOString(),
    ...(options.journeyId ? { journeyId: options.journeyId } : {}),
  });
  const waitMs = options.waitMs ?? 30_000;
  return pollUntilAnswered(handle.client, () => handle.query(commandOutcomeQuery, commandId), waitMs);
}
