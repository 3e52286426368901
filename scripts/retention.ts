/**
 * `npm run retention`: the records past retention, and erasure on request (docs/operations.md,
 * "Retention"). Without `--confirm` it only says what it would delete.
 *
 *   npm run retention -- list                                   # closed records past retention now
 *   npm run retention -- delete --by "J Smith (IG)" --confirm   # delete them, each deletion logged
 *   npm run retention -- erase --nhs-number 9434765919 --by "J Smith (IG)" --note "SAR-2027-014" --confirm
 *   npm run retention -- deletions --year 2034                  # what was deleted, when and why
 *
 * It reads the same settings as the API (docs/configuration.md): the table (`CAREPATH_TABLE`,
 * `CAREPATH_DYNAMODB_ENDPOINT`), Temporal (`TEMPORAL_ADDRESS` …) and, for `erase`, the pseudonym
 * key. `--at <ISO time>` stands in for now (to rehearse a deletion).
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createDocumentClient, dataConfigFromEnv } from '../activities/dynamo.js';
import { patientIdFor, pseudonymKeyFromEnv } from '../activities/pseudonym.js';
import { createRetention, ErasureRefused } from '../activities/retention.js';
import { normaliseNhsNumber } from '../domain/nhsNumber.js';
import { connectOptions, temporalConnectionFromEnv } from '../temporal/connection.js';
import { isEntryPoint } from '../worker/entryPoint.js';

export async function retentionCommand(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      at: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
      'nhs-number': { type: 'string' },
      year: { type: 'string' },
      confirm: { type: 'boolean', default: false },
    },
  });
  const [what] = positionals;
  const now = values.at ? new Date(values.at) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--at ${values.at}: not a time`);
  const data = dataConfigFromEnv(env);
  const temporalSettings = temporalConnectionFromEnv(env);
  const connection = await Connection.connect(connectOptions(temporalSettings));
  try {
    const temporal = new Client({ connection, namespace: temporalSettings.namespace });
    const retention = createRetention(createDocumentClient(data), data.tableName, temporal);
    const needBy = () => {
      if (!values.by) throw new Error('say who is deleting: --by "<name and role>"');
      return values.by;
    };
    switch (what) {
      case 'list':
        for (const r of await retention.pastRetention(now)) print(JSON.stringify(r));
        return 0;
      case 'delete': {
        const due = await retention.pastRetention(now);
        if (!values.confirm) {
          print(`${due.length} record(s) past retention; run again with --confirm to delete them`);
          for (const r of due) print(JSON.stringify(r));
          return 0;
        }
        for (const d of await retention.deletePastRetention(now, needBy())) print(JSON.stringify(d));
        return 0;
      }
      case 'erase': {
        const nhs = normaliseNhsNumber(values['nhs-number'] ?? '');
        if (!nhs) throw new Error('--nhs-number: give the person’s NHS number (10 digits, valid check digit)');
        if (!values.note) throw new Error('--note: give the request’s reference (e.g. the erasure request number)');
        const patientId = patientIdFor(nhs, pseudonymKeyFromEnv(env));
        if (!values.confirm) {
          print('this erases every record of the person; run again with --confirm to do it');
          return 0;
        }
        try {
          for (const d of await retention.erasePerson(patientId, needBy(), values.note, now)) print(JSON.stringify(d));
        } catch (error) {
          if (!(error instanceof ErasureRefused)) throw error;
          print(`refused: ${error.message}`);
          return 2;
        }
        return 0;
      }
      case 'deletions':
        for (const d of await retention.deletions(Number(values.year ?? now.getUTCFullYear())))
          print(JSON.stringify(d));
        return 0;
      default:
        print(
          'usage: npm run retention -- list | delete --by NAME [--confirm] | erase --nhs-number N --by NAME --note REF [--confirm] | deletions [--year YYYY]',
        );
        return 2;
    }
  } finally {
    await connection.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  retentionCommand(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`retention: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
