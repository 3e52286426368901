/**
 * sdk-core folds empty workflow tasks into the task before them on replay
 * (scripts/foldedTasks.ts), so a workflow can be woken in one place live and another on
 * replay. The recorded journeys replay with an empty task put before every signal and timer;
 * a workflow that decides from its history length, run live here, does not. `foldedByCore`, the
 * port of sdk-core's rule, is checked against sdk-core itself: a workflow reports the history
 * length it reads at each poke, live and on replay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type InjectedSinks, type ReplayWorkerOptions } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { lengthReadingJourney, poke } from '../fixtures/lengthReadingJourney.js';
import { pokesQuery, wakeProbe, type ProbeSinks } from '../fixtures/wakeProbe.js';
import { foldedByCore, withEmptyTasks, type HistoryJson } from '../../scripts/foldedTasks.js';
import { useJourneyTestEnv } from '../support/journeyTestEnv.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
/** The patches a history's markers record, by id. */
const patchesIn = (history: HistoryJson): string[] =>
  history.events
    .filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED')
    .map((e) => {
      const details = (
        e.markerRecordedEventAttributes as { details?: Record<string, { payloads: { data: string }[] }> }
      ).details;
      const data = details?.patch_data?.payloads[0]?.data;
      return data ? (JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id : '';
    });
const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as HistoryJson;

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

async function replayErrors(options: ReplayWorkerOptions, histories: { workflowId: string; history: unknown }[]) {
  const errors: string[] = [];
  for await (const r of Worker.runReplayHistories(options, histories))
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error).slice(0, 300)}`);
  return errors;
}

describe('replay with the empty tasks sdk-core folds', () => {
  it('replays every recorded journey that counts its own history with an empty task before each signal and timer', async () => {
    let inserted = 0;
    let foldedAsRecorded = 0;
    let foldedWithEmpty = 0;
    const histories = files.map((file) => {
      const folded = withEmptyTasks(read(file));
      inserted += folded.inserted;
      foldedAsRecorded += foldedByCore(read(file)).length;
      foldedWithEmpty += foldedByCore(folded.history).length;
      return { workflowId: file.replace(/\.json$/, ''), history: folded.history };
    });
    expect(inserted).toBeGreaterThanOrEqual(50);
    // Some of them sdk-core really folds (after a task with no commands, where the time-skipping
    // server had already written empty tasks); the rest are logical tasks of their own.
    expect(foldedWithEmpty - foldedAsRecorded).toBeGreaterThanOrEqual(10);
    const errors = await replayErrors({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories);
    // Journeys started before `continue-as-new-by-count` continue as new on Temporal's history
    // length, which folding changes: those that came near their limit cannot replay folded. That
    // is why journeys count their own history now (docs/journey.md); one on the counter can.
    const byLength = files.filter((f) => !patchesIn(read(f)).includes('continue-as-new-by-count'));
    expect(files.filter((f) => f.startsWith('continued-as-new-by-count'))).toHaveLength(2);
    expect(errors.map((e) => e.slice(0, e.indexOf(':')))).toEqual(
      ['palliative-continued-as-new-1', 'palliative-continued-as-new-2'].filter((w) => byLength.includes(`${w}.json`)),
    );
    expect(errors.join('\n')).not.toMatch(/^continued-as-new-by-count/m);
  });

  it('folds as sdk-core does: an empty task only right after a task with no commands since the logical task began', () => {
    const events = (...types: string[]): HistoryJson => ({
      events: types.map((t, i) => ({
        eventId: String(i + 1),
        eventTime: '2026-01-01T00:00:00Z',
        eventType: `EVENT_TYPE_${t.replace(/^WFT_/, 'WORKFLOW_TASK_')}`,
      })),
    });
    const start = ['WORKFLOW_EXECUTION_STARTED', 'WFT_SCHEDULED', 'WFT_STARTED', 'WFT_COMPLETED'];
    // A task that wrote no commands, then a forced one at once: the first is folded into it.
    expect(foldedByCore(events(...start, 'WFT_SCHEDULED', 'WFT_STARTED', 'WFT_COMPLETED', 'TIMER_STARTED'))).toEqual([
      '3',
    ]);
    // A task that wrote a command, then an empty one before a signal: nothing is folded; the
    // empty task is a logical task of its own (what withEmptyTasks writes after such a task).
    const afterCommands = events(
      ...start,
      'TIMER_STARTED',
      'WFT_SCHEDULED',
      'WFT_STARTED',
      'WFT_COMPLETED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WFT_SCHEDULED',
      'WFT_STARTED',
      'WFT_COMPLETED',
    );
    expect(foldedByCore(afterCommands)).toEqual([]);
    // The same empty task after the signal's task, which wrote no commands, nor did the one
    // before it: the signal's task is folded into the empty one.
    const afterNone = events(
      ...start,
      'WORKFLOW_EXECUTION_SIGNALED',
      'WFT_SCHEDULED',
      'WFT_STARTED',
      'WFT_COMPLETED',
      'WFT_SCHEDULED',
      'WFT_STARTED',
      'WFT_COMPLETED',
      'WORKFLOW_EXECUTION_SIGNALED',
    );
    expect(foldedByCore(afterNone)).toEqual(['7']);
    // A failed attempt ends no logical task and folds nothing.
    expect(foldedByCore(events(...start.slice(0, 3), 'WFT_FAILED', 'WFT_SCHEDULED', 'WFT_STARTED'))).toEqual([]);
  });

  it('ends each logical task on replay where foldedByCore says sdk-core does', async () => {
    const workflowsPath = fileURLToPath(new URL('../fixtures/wakeProbe.ts', import.meta.url));
    const taskQueue = `probe-${process.pid}`;
    let seen: number[] = [];
    const sinks: InjectedSinks<ProbeSinks> = {
      probe: { woke: { fn: (_info, length) => void seen.push(length), callDuringReplay: true } },
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, sinks });
    const live = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(wakeProbe, { taskQueue, workflowId: `probe-${Date.now()}` });
      for (let i = 1; i <= 4; i += 1) {
        // Each poke in a task of its own: the workflow has taken the one before.
        await expect.poll(() => handle.query(pokesQuery)).toBe(i - 1);
        await handle.signal(poke);
      }
      await handle.result();
      return JSON.parse(historyToJSON(await handle.fetchHistory())) as HistoryJson;
    });
    const wokeLive = seen;
    console.log(
      'SHAPE',
      live.events.map((e) => `${e.eventId}:${e.eventType.replace('EVENT_TYPE_', '')}`).join(' '),
      wokeLive,
    );
    const signals = (history: HistoryJson) =>
      history.events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    const taskStarts = (history: HistoryJson) =>
      history.events.filter(
        (e, i) =>
          e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED' &&
          history.events[i + 1]?.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      );
    /** Live, a poke is read in the first task after it. */
    const firstTaskAfter = (history: HistoryJson) =>
      signals(history).map((s) => Number(taskStarts(history).find((e) => +e.eventId > +s.eventId)!.eventId));
    /** On replay, at the end of the logical task it falls in: the first task after it not folded. */
    const logicalTaskEnd = (history: HistoryJson) => {
      const folded = new Set(foldedByCore(history));
      const ends = taskStarts(history).filter((e) => !folded.has(e.eventId));
      return signals(history).map((s) => Number(ends.find((e) => +e.eventId > +s.eventId)!.eventId));
    };
    const replayed = async (history: HistoryJson) => {
      seen = [];
      expect(await replayErrors({ workflowsPath, sinks }, [{ workflowId: 'probe', history }])).toEqual([]);
      return seen;
    };
    expect(wokeLive).toEqual(firstTaskAfter(live));
    expect(await replayed(live)).toEqual(logicalTaskEnd(live));
    const withEmpty = withEmptyTasks(live);
    expect(withEmpty.inserted).toBeGreaterThanOrEqual(1);
    expect(await replayed(withEmpty.history)).toEqual(logicalTaskEnd(withEmpty.history));
    // The check could fail: sdk-core folds the second poke's task (no commands, after one with
    // none) into the empty task put after it, so on replay that poke is read at a later length than
    // live. (The time-skipping server also writes an empty task for each query, which sdk-core
    // folds the same way; a real server answers a query without writing to the history.)
    expect(logicalTaskEnd(withEmpty.history)).not.toEqual(firstTaskAfter(withEmpty.history));
  });

  it('does not replay a workflow that decides from its history length (the check can fail)', async () => {
    const workflowsPath = fileURLToPath(new URL('../fixtures/lengthReadingJourney.ts', import.meta.url));
    const taskQueue = `length-${process.pid}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(lengthReadingJourney, {
        taskQueue,
        workflowId: `length-${Date.now()}`,
      });
      for (let i = 1; i <= 4; i += 1) {
        // Each poke between tasks: the journey has handled the one before.
        await expect.poll(async () => (await handle.describe()).raw.pendingWorkflowTask).toBeFalsy();
        await handle.signal(poke);
      }
      await handle.result();
      return JSON.parse(historyToJSON(await handle.fetchHistory())) as HistoryJson;
    });
    const asRun = [{ workflowId: 'length', history }];
    expect(await replayErrors({ workflowsPath }, asRun)).toEqual([]);
    const folded = withEmptyTasks(history);
    expect(folded.inserted).toBeGreaterThanOrEqual(1); // before the first poke at least: the workflow was idle
    const errors = await replayErrors({ workflowsPath }, [{ workflowId: 'length', history: folded.history }]);
    expect(errors.join('\n')).toMatch(/TMPRL1100|[Nn]ondeterminism/);
  });
});
