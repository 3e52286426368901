/**
 * A workflow that continues as new from a workflow task held open while a query waits on it: what
 * the journey does when a co-ordinator's command takes it past its history budget and the API is
 * still polling for the command's outcome. It exists only to prove that the time-skipping test
 * server takes this as Temporal does (tests/scripts/testServerClosedRun.test.ts).
 */
import { continueAsNew, defineQuery, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

export const generationQuery = defineQuery<number>('generation');

/** Real-time pause. A workflow task stays open while its local activity runs. */
export interface ClosedRunActivities {
  pause(ms: number): Promise<void>;
}
const { pause } = proxyLocalActivities<ClosedRunActivities>({ startToCloseTimeout: '20s' });

export async function continuesAsNewWithAQueryWaiting(pauseMs: number, generation = 0): Promise<string> {
  setHandler(generationQuery, () => generation);
  if (generation === 0) {
    await pause(pauseMs);
    return continueAsNew<typeof continuesAsNewWithAQueryWaiting>(pauseMs, 1);
  }
  // The new run waits on a timer a day long, which only time skipping can bring in time.
  await sleep('1 day');
  return 'done';
}
