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
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sourceCommit, updateDocsAfterWriting } from '../../scripts/docsFigures.js';
import { useDynamoDbLocal } from '../support/dynamoDbLocal.js';
import { startTestEnv } from '../support/journeyTestEnv.js';
import { simulateYear, type YearResult } from './yearDriver.js';

// A fresh time-skipping server per year, as useJourneyTestEnv gives; started with a second chance,
// because on a busy machine the SDK's five seconds for the Java server to come up can run out.
useDynamoDbLocal();
const startEnv = () =>
  startTestEnv().catch(async (error: Error) => {
    if (!/did not start/.test(error.message)) throw error;
    return startTestEnv();
  });

const journeys = Number(process.env.CAREPATH_SIM_JOURNEYS ?? 100);
const seed = Number(process.env.CAREPATH_SIM_SEED ?? 20260101);
const out = resolve(process.env.CAREPATH_SIM_OUT ?? join(tmpdir(), `carepath-simulated-year-${process.pid}.json`));
const command = process.env.CAREPATH_SIM_COMMAND ?? 'npx vitest run tests/simulation';

/**
 * One year, lived once and then checked three ways. `npm run bench -- --only cost` runs this file
 * with `-t "every invariant holds"`: the year, its figures and its invariants, at the size it asks
 * for, without the checks that the year was rich enough (a small year need not be).
 */
describe(`a simulated year of ${journeys} journeys`, () => {
  let env: TestWorkflowEnvironment;
  let year: YearResult;
  beforeAll(async () => {
    env = await startEnv();
    year = await simulateYear(env, { journeys, seed });
    mkdirSync(dirname(out), { recursive: true });
    const run = { command, generatedAt: new Date().toISOString(), commit: sourceCommit() };
    writeFileSync(out, `${JSON.stringify({ ...run, ...year.figures, programmes: year.comparisons }, null, 2)}\n`);
    // `npm run simulate-year` writes the committed results file; the figures in docs/reliability.md follow it.
    updateDocsAfterWriting(out);
    console.log(`simulated year: ${JSON.stringify(year.figures)} → ${out}`);
  }, 1_800_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it("through 365 days: every invariant holds and the metrics match the generator's record", () => {
    const { figures, violations, divergences, comparisons } = year;
    // The generator keeps each journey's events half an hour clear of its ladder steps; a slot must take far less.
    expect(figures.maxSlotSeconds).toBeLessThan(600);
    expect(divergences).toEqual([]);
    expect(violations).toEqual([]);
    for (const c of comparisons) expect(c.mismatches, c.programmeId).toEqual([]);
  });

  it('exercised what it claims to: every programme, late work, every level of the ladder, readmissions, every kind of closure, admissions before and after, outcome measures', () => {
    const { figures, comparisons } = year;
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
    // Admissions before and after referral: people 6 months on, some without the referrer's count,
    // and admissions heard of after referral.
    const beforeAfter = (f: (a: (typeof comparisons)[number]['actual']['admissionsBeforeAfter']) => number) =>
      total((c) => f(c.actual.admissionsBeforeAfter));
    expect(beforeAfter((a) => a.measured)).toBeGreaterThan(0);
    expect(beforeAfter((a) => a.of - a.measured)).toBeGreaterThan(0);
    expect(beforeAfter((a) => a.after)).toBeGreaterThan(0);
    expect(total((c) => c.actual.closures.placeOfDeathAchieved.deaths)).toBeGreaterThan(0);
    // Outcome measures: people measured at follow-up points and at closure, some expected and missed.
    const points = comparisons.flatMap((c) => c.actual.outcomes.flatMap((o) => o.points));
    const sum = (f: (p: (typeof points)[number]) => number) => points.reduce((n, p) => n + f(p), 0);
    expect(sum((p) => (p.point === 'at closure' ? 0 : p.measured))).toBeGreaterThan(0);
    expect(sum((p) => (p.point === 'at closure' ? p.measured : 0))).toBeGreaterThan(0);
    expect(sum((p) => p.of - p.measured)).toBeGreaterThan(0);
    expect(points.some((p) => p.meanChange !== null && p.meanChange !== 0)).toBe(true);
  });

  it("had its Temporal cost read from every run of every journey and the API's queries", () => {
    // Whether the cost meets its target is the bench's to say (`npm run bench -- --only cost`).
    const { figures } = year;
    const cost = figures.temporalCost;
    expect(Object.keys(cost.byProgramme).sort()).toEqual(Object.keys(figures.journeysByProgramme).sort());
    for (const [id, p] of Object.entries(cost.byProgramme)) {
      expect(p.journeyYears, id).toBeGreaterThan(0);
      for (const kind of [
        'workflowStarted',
        'signal',
        'timer',
        'searchAttributeUpsert',
        'activityAttempt',
        'query',
      ] as const)
        expect(p.actions[kind], `${id} ${kind}`).toBeGreaterThan(0);
      expect(p.actions.workflowStarted, id).toBeGreaterThanOrEqual(p.journeys);
    }
    expect(cost.activeHistoryBytesPerOpenJourney.openJourneys).toBe(figures.openAtYearEnd);
    expect(cost.activeHistoryBytesPerOpenJourney.mean).toBeGreaterThan(0);
  });
});

describe('a simulated year, sabotaged', () => {
  let env: TestWorkflowEnvironment;
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await env?.teardown();
  });

  it('goes red when an activity drops an audit event or a step is delivered twice', async () => {
    const { violations, divergences, comparisons } = await simulateYear(env, {
      journeys: 12,
      seed: 7,
      sabotage: (recorded) => {
        const { recordJourney, notify } = recorded.activities;
        let dropped = false;
        let doubled = false;
        recorded.activities.recordJourney = async ({ audit, summary, snapshot, notifications }) => {
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
            ...(notifications ? { notifications } : {}),
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
