/**
 * Replays the recorded histories of representative journeys against today's workflow code.
 * A change that alters the order of commands (without `patched()`) fails here, before it can
 * break a journey that has been running for months. Re-record with `npm run record-histories`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

const dir = join(import.meta.dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded journey histories', () => {
  it('has at least five representative journeys recorded', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('replays every one without non-determinism', async () => {
    const results = await replay(
      files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: read(file) })),
    );
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it('replays them with the clock of every timer-fired task turned back, as a restarted worker can see it', async () => {
    // After a worker restart, sdk-core has handed a journey's first task the previous task's time
    // (seen in the chaos runs): the timer had fired but the clock said it had not. A journey that
    // read the clock to decide what was due then did something other than on replay, and stuck.
    let turnedBack = 0;
    const histories = files.map((file) => {
      const history = read(file);
      let lastStarted: string | undefined;
      let timerFired = false;
      for (const event of history.events) {
        if (event.eventType === 'EVENT_TYPE_TIMER_FIRED') timerFired = true;
        if (event.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED') continue;
        if (timerFired && lastStarted) {
          event.eventTime = lastStarted;
          turnedBack += 1;
        }
        lastStarted = event.eventTime;
        timerFired = false;
      }
      return { workflowId: file.replace(/\.json$/, ''), history };
    });
    expect(turnedBack).toBeGreaterThanOrEqual(10);
    expect((await replay(histories)).filter((r) => r.error)).toEqual([]);
  });
});

type HistoryJson = { events: { eventType: string; eventTime: string }[] };
const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as HistoryJson;

async function replay(histories: { workflowId: string; history: unknown }[]) {
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    histories,
  )) {
    results.push({
      workflowId: result.workflowId,
      error: result.error ? String(result.error).slice(0, 300) : undefined,
    });
  }
  return results;
}
