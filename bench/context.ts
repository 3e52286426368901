/** What every measure gets: the running stack, the programmes, a logger and a source of patients. */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nhsCheckDigit } from '../domain/nhsNumber.js';
import type { Programme } from '../domain/programme.js';
import type { Toolchain } from '../scripts/toolchain.js';
import { seededRandom } from '../scripts/seededRandom.js';
import type { Sizes } from './config.js';
import type { Stack } from './stack.js';
import { sleep } from './stats.js';

export interface BenchContext {
  toolchain: Toolchain;
  stack: Stack;
  programmes: Programme[];
  sizes: Sizes;
  journeyBundle: string;
  floorBundle: string;
  workDir: string;
  log(line: string): void;
  /** A fresh valid NHS number from the 999 test range, never the same twice in a run. */
  nhsNumber(): string;
  random(): number;
  /** Journeys opened so far, by team (each referral in the bench opens one; none closes). */
  opened: Record<string, number>;
}

export const openJourneys = (ctx: BenchContext): number => Object.values(ctx.opened).reduce((a, b) => a + b, 0);
export const countOpened = (ctx: BenchContext, teamId: string): void =>
  void (ctx.opened[teamId] = (ctx.opened[teamId] ?? 0) + 1);

export function patientSource(seed: number): { nhsNumber: () => string; random: () => number } {
  const random = seededRandom(seed);
  let n = Math.floor(random() * 100_000);
  return {
    random,
    nhsNumber() {
      for (;;) {
        n += 1;
        const stem = `999${String(n).padStart(6, '0')}`;
        const check = nhsCheckDigit(stem);
        if (check !== undefined) return `${stem}${check}`;
      }
    },
  };
}

export function referralBody(
  nhsNumber: string,
  programme: string,
  teamId: string,
  urgency: 'urgent' | 'routine' = 'routine',
) {
  return {
    patient: { nhsNumber, givenName: 'Bench', familyName: 'Patient', birthDate: '1940-03-14', postcode: 'TQ2 5AB' },
    programme,
    teamId,
    source: 'gp',
    referrer: { name: 'Dr Bench', organisation: 'Bench Surgery' },
    reason: 'Falls and two admissions this year (bench)',
    urgency,
    conditions: ['falls', 'copd'],
    livesAlone: true,
    admissionsLast12Months: 2,
    consent: { given: true, recordedBy: 'Dr Bench' },
  };
}

/** How many open journeys of a team the read model holds (a paged COUNT query on the team's open index). */
export async function countOpen(doc: DynamoDBDocumentClient, tableName: string, teamId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'GSI3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `TEAM#${teamId}#OPEN` },
        Select: 'COUNT',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Waits until the read model shows `expected` open journeys in a team: the worker has caught up with intake. */
export async function waitForProjection(
  ctx: BenchContext,
  teamId: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countOpen(ctx.stack.table.doc, ctx.stack.table.tableName, teamId);
    if (n >= expected) return n;
    if (Date.now() > deadline)
      throw new Error(`only ${n} of ${expected} journeys of ${teamId} reached the read model in ${timeoutMs / 1000} s`);
    await sleep(n > 5000 ? 2000 : 300);
  }
}
