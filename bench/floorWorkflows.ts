/**
 * Temporal's own floor, for the bench: workflows that do nothing of carepath's, run by a worker in
 * the same process as the journey worker, against the same server, through the same client. Each
 * measure compares carepath with the nearest of these (bench/README.md).
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export const pokeSignal = defineSignal<[number]>('poke');
export const pokesQuery = defineQuery<number>('pokes');

export interface FloorActivities {
  /** One DynamoDB put (as a notification is one), answering the time it finished. */
  fired(id: string): Promise<number>;
  /** Does nothing: used to give a replay floor history the same shape as a journey's. */
  noop(): Promise<void>;
}

const acts = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

/** The intake floor: started by signal-with-start, it takes the signal and finishes. */
export async function emptyWorkflow(): Promise<void> {
  let pokes = 0;
  setHandler(pokeSignal, () => void (pokes += 1));
}

/**
 * The intake floor with the same confirmation carepath asks for: the sender queries until the
 * signal is in. It stays open a while, as a journey does, so queries are answered from the cache.
 */
export async function confirmedWorkflow(): Promise<void> {
  let pokes = 0;
  setHandler(pokeSignal, () => void (pokes += 1));
  setHandler(pokesQuery, () => pokes);
  await condition(() => pokes < 0, '30 seconds');
}

/** The transition floor: a signal changes state and a query reads it back. Stays open until told `-1`. */
export async function signalFloor(): Promise<void> {
  let pokes = 0;
  let done = false;
  setHandler(pokeSignal, (n) => {
    if (n < 0) done = true;
    else pokes += 1;
  });
  setHandler(pokesQuery, () => pokes);
  await condition(() => done);
}

/** The timer floor: one durable timer to an absolute instant, then one DynamoDB put. Answers when the put finished. */
export async function timerFloor(id: string, dueAt: number): Promise<number> {
  const wait = dueAt - Date.now();
  if (wait > 0) await sleep(wait);
  return acts.fired(id);
}

/**
 * The replay floor: `rounds` of `perRound` activities at once — a history as long as a journey's
 * with no logic at all (no timers, so it is made in moments even on the time-skipping server).
 */
export async function replayFloor(rounds: number, perRound: number): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.all(Array.from({ length: perRound }, () => acts.noop()));
}
