/**
 * A year of care co-ordination on the time-skipping server: a seeded generator's referrals,
 * triage decisions, assessments, care plans, reviews, contacts, hospital stays and closures across
 * the five example programmes, with real programme durations. At the end every journey must pass
 * the invariants (nothing lost, nothing doubled, read model true, no due step unfired), and each
 * programme's evaluation metrics must equal what the generator's own record says they should be.
 *
 * `npm run simulate-year` runs the same test with a few hundred journeys and writes
 * bench/results/simulated-year.json; here it runs a smaller year and writes its figures to a
 * temporary file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceCommit, updateDocsAfterWriting } from '../../scripts/docsFigures.js';
import { useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { startTestEnv } from '../support/journeyTestEnv.js';
import { simulateYear } from './yearDriver.js';

// A fresh time-skipping server per test, as useJourneyTestEnv gives; started with a second chance,
// because on a busy machine the SDK's five seconds for the Java server to come up can run out.
let env: TestWorkflowEnvironment;
useDynamoDbLocal();
beforeEach(async () => {
  env = await startTestEnv().catch(async (error: Error) => {
    if (!/did not start/.test(error.message)) throw error;
    return startTestEnv();
  });
});
afterEach(async () => {
  await env?.teardown();
});

const journeys = Number(process.env.CAREPATH_SIM_JOURNEYS ?? 100);
const seed = Number(process.env.CAREPATH_SIM_SEED ?? 20260101);
const out = resolve(process.env.CAREPATH_SIM_OUT ?? join(tmpdir(), `carepath-simulated-year-${process.pid}.json`));
const command = process.env.CAREPATH_SIM_COMMAND ?? 'npx vitest run tests/simulation';

describe('a simulated year', () => {
  it(`${journeys} journeys through 365 days: every invariant holds and the metrics match the generator's record`, async () => {
    const { figures, violations, divergences, comparisons } = await simulateYear(env, { journeys, seed });
    mkdirSync(dirname(out), { recursive: true });
    const run = { command, generatedAt: new Date().toISOString(), commit: sourceCommit() };
    writeFileSync(out, `${JSON.stringify({ ...run, ...figures, programmes: comparisons }, null, 2)}\n`);
    // `npm run simulate-year` writes the committed results file; the figures in docs/reliability.md follow it.
    updateDocsAfterWriting(out);
    console.log(`simulated year: ${JSON.stringify(figures)} → ${out}`);

    // The generator keeps each journey's events half an hour clear of its ladder steps; a slot must take far less.
    expect(figures.maxSlotSeconds).toBeLessThan(600);
    expect(divergences).toEqual([]);
    expect(violations).toEqual([]);
    for (const c of comparisons) expect(c.mismatches, c.programmeId).toEqual([]);

    // The year exercised what it claims to: every programme, late work, every level of the ladder, readmissions, every kind of closure.
    expect(Object.keys(figures.journeysByProgramme)).toHaveLength(5);
    const total = (f: (c: (typeof comparisons)[number]) => number) => comparisons.reduce((n, c) => n + f(c), 0);
    for (const level of ['0', '1', '2'] as const)
      expect(total((c) => c.actual.escalationsByLevel[level])).toBeGreaterThan(0);
    expect(total((c) => c.actual.readmissions.within30Days)).toBeGreaterThan(0);
    // Deaths in hospital, transfers, day cases and unanswered calls, each counted as what it is.
    expect(total((c) => c.actual.hospital.deaths)).toBeGreaterThan(0);
    expect(total((c) => c.actual.hospital.transfers)).toBeGreaterThan(0);
    expect(total((c) => c.actual.hospital.attendances)).toBeGreaterThan(0);
    expect(total((c) => c.actual.contactAttempts)).toBeGreaterThan(0);
    expect(
      total((c) => c.actual.postDischargeContact.discharges - c.actual.postDischargeContact.contactedInWindow),
    ).toBeGreaterThan(0);
    expect(total((c) => c.actual.onTime.review.met - c.actual.onTime.review.onTime)).toBeGreaterThan(0);
    const reasons = new Set(comparisons.flatMap((c) => Object.keys(c.actual.closures.byReason)));
    expect(reasons.size).toBeGreaterThanOrEqual(5);
    expect(figures.openAtYearEnd).toBeGreaterThan(0);
  }, 1_800_000);

  it('goes red when an activity drops an audit event or a step is delivered twice', async () => {
    const { violations, divergences, comparisons } = await simulateYear(env, {
      journeys: 12,
      seed: 7,
      sabotage: (recorded) => {
        const { recordJourney, notify } = recorded.activities;
        let dropped = false;
        let doubled = false;
        recorded.activities.recordJourney = async ({ audit, summary, snapshot }) => {
          const victim =
            dropped || !audit
              ? undefined
              : audit.events.find(
                  (e) =>
                    e.type === 'deadline.met' &&
                    ['assessment', 'care-plan', 'review'].includes(String(e.data?.deadline)),
                );
          if (victim) dropped = true;
          const written = await recordJourney({
            ...(audit ? { audit: { ...audit, events: audit.events.filter((e) => e !== victim) } } : {}),
            ...(summary ? { summary } : {}),
            ...(snapshot ? { snapshot } : {}),
          });
          // It says it wrote everything: the journey must not find out from the activity.
          return { ...written, audited: audit?.events.at(-1)?.seq ?? written.audited };
        };
        recorded.activities.notify = async (n) => {
          await notify(n);
          // As a step fired a second time would be: the same id, a later time, past the delivery record.
          if (!doubled && /\/\d+$/.test(n.id)) {
            doubled = true;
            await recorded.deliverAgain(n, 60_000);
          }
        };
      },
    });
    expect(new Set(violations.map((v) => v.invariant))).toEqual(new Set(['audit', 'notified-once']));
    expect(divergences.some((d) => d.includes('deadlines met'))).toBe(true);
    expect(
      comparisons.some((c) => c.mismatches.some((m) => m.startsWith('onTime') || m.startsWith('postDischargeContact'))),
    ).toBe(true);
  }, 600_000);
});
