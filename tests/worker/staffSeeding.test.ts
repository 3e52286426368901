/**
 * The worker seeds the staff directory before it polls for journeys, and keeps trying while
 * DynamoDB cannot be reached (HAZ-30). A worker that tried once and ran on without its directory
 * sent every alert of a new deployment to its teams' lists of alerts that reached no one. On real
 * DynamoDB Local: the table is unreachable at first, then comes up.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { loadProgrammes } from '../../config/programmeFiles.js';
import { staffFromProgrammes } from '../../domain/staff.js';
import { freePort } from '../../scripts/localServices.js';
import { seedStaffDirectoryUntilDone } from '../../worker/main.js';
import { startLocalTable, type LocalTable } from '../support/dynamoDbLocal.js';

let table: LocalTable | undefined;
afterAll(() => table?.service.stop());

describe('the staff directory at worker start', () => {
  it('is seeded once DynamoDB answers, however long it was away, before the worker goes on (HAZ-30)', async () => {
    // Nothing listens here: every try fails until the table "comes back" below.
    const env: NodeJS.ProcessEnv = {
      CAREPATH_DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      CAREPATH_TABLE: 'carepath-unreachable',
    };
    const warnings: string[] = [];
    let settled = false;
    const seeding = seedStaffDirectoryUntilDone(env, { warn: (m) => warnings.push(m), retryMs: () => 200 }).finally(
      () => (settled = true),
    );

    while (warnings.length < 3) await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(warnings[0]).toMatch(/^staff directory not seeded \(.+\); trying again in 200 ms$/);

    // DynamoDB comes back: the next try reaches it and seeds everyone the programme file names.
    table = await startLocalTable();
    env.CAREPATH_DYNAMODB_ENDPOINT = table.endpoint;
    env.CAREPATH_TABLE = table.tableName;
    const people = staffFromProgrammes(loadProgrammes(env));
    expect(people.length).toBeGreaterThan(0);
    await expect(seeding).resolves.toBe(people.length);

    const directory = createStaffDirectory(table.doc, table.tableName);
    for (const person of people) expect(await directory.member(person.staffId)).toMatchObject({ name: person.name });
    const teamId = people[0]!.teams[0]!;
    const team = await directory.teamView(teamId, Date.now());
    expect(team.members.map((m) => m.staffId).sort()).toEqual(
      people
        .filter((p) => p.teams.includes(teamId))
        .map((p) => p.staffId)
        .sort(),
    );
  });
});
