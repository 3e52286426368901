/**
 * Cost: billable Temporal Cloud actions per journey-year, per programme, and the active history an
 * open journey keeps (issue 19). Both are read from the real histories of a simulated year: the
 * simulated-year test (tests/simulation) run in a process of its own, on its own time-skipping
 * server and DynamoDB Local, with the journeys this run's size asks for. Its figures count every
 * run of every journey by event type (bench/billableActions.ts) and add the queries the API sent.
 *
 * The floor is what a journey-year cannot do without: its start, and one signal for each message
 * the year sent it (referrals, commands, hospital events). The ratio says how many actions the
 * journey spends for each of those.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../context.js';
import type { MeasureResult } from '../report.js';
import { round } from '../stats.js';
import type { YearFigures } from '../../tests/simulation/yearDriver.js';
import { totalActions } from '../billableActions.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Temporal Cloud actions a journey-year may cost, at most, in every programme. */
export const ACTIONS_PER_JOURNEY_YEAR_TARGET = 300;

export async function measureCost(ctx: BenchContext): Promise<MeasureResult> {
  const { journeys, seed } = ctx.sizes.cost;
  const out = join(ctx.workDir, 'cost-year.json');
  ctx.log(`cost: a simulated year of ${journeys} journeys (seed ${seed}) in its own process`);
  await run(
    ['vitest', 'run', '--config', 'vitest.simulation.config.ts', '-t', 'every invariant holds'],
    {
      CAREPATH_SIM_JOURNEYS: String(journeys),
      CAREPATH_SIM_SEED: String(seed),
      CAREPATH_SIM_OUT: out,
      CAREPATH_SIM_COMMAND: 'npm run bench -- --only cost',
    },
    ctx.log,
  );
  const year = JSON.parse(readFileSync(out, 'utf8')) as YearFigures;
  rmSync(out, { force: true });
  const cost = year.temporalCost;
  const byProgramme = Object.fromEntries(
    Object.entries(cost.byProgramme).map(([id, p]) => [
      id,
      { ...p, total: totalActions(p.actions), met: p.perJourneyYear <= ACTIONS_PER_JOURNEY_YEAR_TARGET },
    ]),
  );
  const worst = Math.max(...Object.values(cost.byProgramme).map((p) => p.perJourneyYear));
  const journeyYears = Object.values(cost.byProgramme).reduce((n, p) => n + p.journeyYears, 0);
  const floorPerJourneyYear = (year.journeys + year.eventsSent.total) / journeyYears;
  ctx.log(
    `cost: ${Object.entries(byProgramme)
      .map(([id, p]) => `${id} ${p.perJourneyYear}`)
      .join(
        ', ',
      )} actions per journey-year; open journeys' active history ${cost.activeHistoryBytesPerOpenJourney.mean} B mean`,
  );
  return {
    description: `A simulated year (tests/simulation, seed ${seed}) of ${year.journeys} journeys across the ${Object.keys(byProgramme).length} example programmes on the time-skipping server: billable Temporal Cloud actions counted from every run of every journey by event type, plus the API's queries, per journey-year of care.`,
    headline: { metric: 'billable actions per journey-year, worst programme', value: worst, unit: 'actions' },
    floor: {
      what: "a workflow start and one signal per message the year sent (the journeys' unavoidable actions)",
      value: round(floorPerJourneyYear, 1),
      unit: 'actions per journey-year',
    },
    ratio: round(worst / floorPerJourneyYear, 2),
    ratioMeaning: "worst programme's actions per journey-year ÷ the floor's (lower is better)",
    target: {
      text: `at most ${ACTIONS_PER_JOURNEY_YEAR_TARGET} actions per journey-year in every programme`,
      met: worst <= ACTIONS_PER_JOURNEY_YEAR_TARGET,
    },
    byProgramme,
    activeHistoryBytesPerOpenJourney: cost.activeHistoryBytesPerOpenJourney,
    journeysContinuedAsNew: year.journeysContinuedAsNew,
    messagesSent: year.eventsSent.total,
    simulationWallSeconds: year.wallSeconds,
  };
}

function run(args: string[], env: Record<string, string>, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules', '.bin', args[0]!), args.slice(1), {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (d: Buffer) => void (tail = (tail + d.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) return resolve();
      log(`cost: the simulated year failed:\n${tail}`);
      reject(new Error(`the simulated year exited ${code}`));
    });
  });
}
