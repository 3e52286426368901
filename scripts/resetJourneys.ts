/**
 * `npm run journeys:reset`: resets chosen journeys past a replay divergence, or to a chosen point
 * (docs/operations.md, "A journey stuck on a replay divergence"). Without `--apply` it only says
 * what it would do.
 *
 *   npm run journeys:reset -- --stuck                                # the journeys that are stuck, and the plan
 *   npm run journeys:reset -- --stuck --apply --by "A Patel (ops)"   # reset them past their divergence
 *   npm run journeys:reset -- --workflow-id frailty-virtual-ward.p3f… --to first-task
 *   npm run journeys:reset -- --workflow-id … --to 42 --apply --by "…" # to workflow task event 42
 *
 * `--query` narrows `--stuck` with a visibility query (`CareTeam = 'south-devon-1'`). It reads
 * Temporal's settings as the API does (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, TLS or API key).
 * Output is one JSON line per journey: workflow ids are pseudonymous and name no one (ADR 0002).
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { connectOptions, temporalConnectionFromEnv } from '../temporal/connection.js';
import { carryOutReset, findStuckJourneys, planReset, type ResetTarget } from '../temporal/journeyReset.js';
import { isEntryPoint } from '../worker/entryPoint.js';

export async function resetJourneysCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stuck: { type: 'boolean', default: false },
      'workflow-id': { type: 'string', multiple: true, default: [] },
      query: { type: 'string' },
      to: { type: 'string', default: 'divergence' },
      apply: { type: 'boolean', default: false },
      by: { type: 'string' },
    },
  });
  const to = targetOf(values.to);
  if (!values.stuck && values['workflow-id'].length === 0)
    throw new Error('name the journeys: --stuck, or --workflow-id <id> (repeatable)');
  if (values.apply && !values.by) throw new Error('say who is resetting: --by "<name and role>"');
  const settings = temporalConnectionFromEnv(env);
  const connection = await Connection.connect(connectOptions(settings));
  try {
    const client = new Client({ connection, namespace: settings.namespace });
    const ids = [...values['workflow-id'], ...(values.stuck ? await findStuckJourneys(client, values.query) : [])];
    let failed = 0;
    const plans = [];
    for (const id of new Set(ids)) plans.push(await planReset(client, id, to));
    for (const plan of plans) {
      if ('cannot' in plan) {
        failed += 1;
        print(JSON.stringify({ ...plan, reset: false }));
      } else if (!values.apply) print(JSON.stringify({ ...plan, reset: false, dryRun: true }));
      else print(JSON.stringify({ ...plan, reset: true, newRunId: await carryOutReset(client, plan, values.by!) }));
    }
    if (!values.apply && plans.some((p) => !('cannot' in p)))
      print('dry run: nothing was reset; run again with --apply --by "<name and role>" to reset the journeys above');
    if (plans.length === 0) print('no journeys to reset');
    return failed > 0 ? 1 : 0;
  } finally {
    await connection.close();
  }
}

function targetOf(to: string): ResetTarget {
  if (to === 'divergence' || to === 'first-task') return to;
  if (/^\d+$/.test(to)) return Number(to);
  throw new Error(`--to ${to}: say divergence, first-task, or a workflow task's event id`);
}

if (isEntryPoint(import.meta.url)) {
  try {
    process.exitCode = await resetJourneysCommand(process.argv.slice(2), process.env, (l) => console.log(l));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
