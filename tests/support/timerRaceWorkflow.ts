/**
 * A workflow that cancels a timer which fires while the workflow task that cancels it is still
 * open: the race the journey's main loop meets whenever a command arrives just as a ladder step
 * falls due (`untilChangedOrDue` in workflows/careJourney.ts). It exists only to prove that the
 * time-skipping test server takes this as Temporal does (tests/scripts/testServerTimerRace.test.ts).
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';

export const wake = defineSignal('wake');
export const finish = defineSignal('finish');

/** Real-time pause. A workflow task stays open while its local activity runs. */
export interface TimerRaceActivities {
  pause(ms: number): Promise<void>;
}
const { pause } = proxyLocalActivities<TimerRaceActivities>({ startToCloseTimeout: '20s' });

export async function cancelsATimerThatFiresMidTask(
  timerMs: number,
  pauseMs: number,
  /** Complete the workflow in the task that cancels the timer, rather than wait on. */
  finishThere: boolean,
): Promise<'fired' | 'cancelled'> {
  let woken = false;
  let finished = false;
  setHandler(wake, () => void (woken = true));
  setHandler(finish, () => void (finished = true));
  let fired = false;
  const scope = new CancellationScope();
  const timer = scope
    .run(() => sleep(timerMs))
    .then(
      () => {
        fired = true;
        return 'fired' as const;
      },
      (error: unknown) => {
        if (isCancellation(error)) return 'cancelled' as const;
        throw error;
      },
    );
  await condition(() => woken || fired);
  if (fired) return timer;
  // The task that took the signal is held open past the timer's due time, so the timer fires
  // while it is open; its firing reaches this workflow only in the next task, so here it still
  // looks pending, and the task completes by cancelling it.
  await pause(pauseMs);
  if (!fired) scope.cancel();
  const how = await timer;
  if (!finishThere) await condition(() => finished);
  return how;
}
