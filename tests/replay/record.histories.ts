/**
 * Re-records the replay fixtures: `npm run record-histories`. Runs each representative journey on
 * the time-skipping server and writes its history as JSON. Commit the result deliberately: these
 * histories stand for journeys already running in production.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { startTestEnv, withJourneyWorker } from '../support/journeyTestEnv.js';
import { scenarios } from './scenarios.js';

useDynamoDbLocal();

const dir = join(import.meta.dirname, '..', 'fixtures', 'histories');

// `CAREPATH_RECORD_ONLY=a,b` records those scenarios alone: the others stand for journeys already
// running, recorded by the code of their day, and are left as they are.
const only = process.env.CAREPATH_RECORD_ONLY?.split(',').map((s) => s.trim());

it('records the representative journey histories', async () => {
  const env = await startTestEnv();
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (only && !only.includes(name)) continue;
      await withJourneyWorker(env, async ({ taskQueue }) => {
        const runs = await scenario(env, taskQueue);
        for (const [i, run] of runs.entries()) {
          const history = await env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
          const file = join(dir, `${name}${runs.length > 1 ? `-${i + 1}` : ''}.json`);
          writeFileSync(file, `${historyToJSON(history)}\n`);
          console.log(`recorded ${file} (${history.events?.length} events)`);
        }
      });
    }
  } finally {
    await env.teardown();
  }
}, 300_000);
