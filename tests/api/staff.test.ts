/**
 * The staff directory's admin API (issue 18), on DynamoDB Local: an administrator adds and changes
 * people and records leavers; a team lead records absences with cover for their own team; the
 * team's staff and caseloads are the directory's. Bad requests are refused with problem+json and
 * change nothing.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

// A directory kept only through the admin API: no one is seeded from the programme file.
const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), { seedStaff: false });
const TEAM = 'exeter-1';

type Staff = {
  staffId: string;
  name: string;
  roles: string[];
  maxCaseload?: number;
  leftAt?: string;
  away?: { coverId?: string; to: string };
  absences: { absenceId: string; from: string; to: string; coverId?: string }[];
};

describe('the staff directory', () => {
  it('is kept by an administrator, and read by the team: joiners, changes and leavers', async () => {
    const { call, token } = api.get();
    const admin = await token('admin-1', 'admin');
    const lead = await token('lead-ex', 'team-lead', [TEAM]);
    const put = (id: string, body: unknown, as = admin) => call('PUT', `/staff/${id}`, { token: as, json: body });

    const joined = await put('coord-newton', {
      name: 'Nia Newton',
      email: 'nia.newton@nhs.net',
      roles: ['coordinator'],
      teams: [TEAM],
      maxCaseload: 25,
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ staffId: 'coord-newton', name: 'Nia Newton', maxCaseload: 25 });
    expect((await put('lead-ex', { name: 'Lee Exe', roles: ['team-lead'], teams: [TEAM] })).status).toBe(200);

    const staff = async () =>
      ((await call('GET', `/staff?team=${TEAM}`, { token: lead })).body as { items: Staff[] }).items;
    expect((await staff()).map((s) => [s.staffId, s.roles])).toEqual([
      ['lead-ex', ['team-lead']],
      ['coord-newton', ['coordinator']],
    ]);
    // The team's caseloads are the directory's co-ordinators now, with their capacity.
    const caseloads = await call('GET', `/caseloads?team=${TEAM}`, { token: lead });
    expect((caseloads.body as { items: unknown[] }).items).toEqual([
      { coordinatorId: 'coord-newton', name: 'Nia Newton', caseload: 0, capacity: 25 },
    ]);

    // Only an administrator keeps it; bad input is refused field by field, and changes nothing.
    expect((await put('coord-newton', { name: 'x', roles: ['coordinator'], teams: [TEAM] }, lead)).status).toBe(403);
    const bad = await put('coord-newton', { name: '', roles: ['surgeon'], teams: [] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(JSON.stringify(bad.body)).toMatch(/roles/);
    expect((await put('no spaces allowed', { name: 'x', roles: ['coordinator'], teams: [TEAM] })).status).toBe(400);
    expect((await staff()).find((s) => s.staffId === 'coord-newton')).toMatchObject({ name: 'Nia Newton' });

    // A team no programme has is refused; moved to another team, she is gone from this one.
    const typo = await put('coord-newton', { name: 'Nia Newton', roles: ['coordinator'], teams: ['exter-1'] });
    expect(typo.status).toBe(422);
    expect(JSON.stringify(typo.body)).toMatch(/no programme has exter-1/);
    await put('coord-newton', {
      name: 'Nia Newton',
      roles: ['coordinator'],
      teams: ['south-devon-1'],
      maxCaseload: 25,
    });
    expect((await staff()).map((s) => s.staffId)).toEqual(['lead-ex']);
    await put('coord-newton', { name: 'Nia Newton', roles: ['coordinator'], teams: [TEAM], maxCaseload: 25 });

    // A leaver leaves every team, and the directory keeps when.
    const left = await call('POST', '/staff/coord-newton/left', { token: admin });
    expect(left.status).toBe(200);
    expect((left.body as Staff).leftAt).toMatch(/^\d{4}-/);
    expect((await staff()).map((s) => s.staffId)).toEqual(['lead-ex']);
    expect((await call('POST', '/staff/nobody-here/left', { token: admin })).status).toBe(404);
  });

  it('records an absence and its cover for a lead’s own team, and takes it back', async () => {
    const { call, token } = api.get();
    const admin = await token('admin-1', 'admin');
    const put = (id: string, name: string, roles: string[], teams = [TEAM]) =>
      call('PUT', `/staff/${id}`, { token: admin, json: { name, roles, teams, maxCaseload: 20 } });
    await put('coord-ash', 'Ash Penrose', ['coordinator']);
    await put('coord-bea', 'Bea Hole', ['coordinator']);
    await put('coord-far', 'Far Away', ['coordinator'], ['south-devon-1']);
    const lead = await token('lead-ex', 'team-lead', [TEAM]);
    const otherLead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const absence = (body: unknown, as = lead, who = 'coord-ash') =>
      call('POST', `/staff/${who}/absences`, { token: as, json: body });
    const now = Date.now();
    const day = 86_400_000;
    const period = { from: new Date(now - day).toISOString(), to: new Date(now + 14 * day).toISOString() };

    const made = await absence({ ...period, coverId: 'coord-bea', reason: 'annual leave' });
    expect(made.status).toBe(201);
    const { absenceId } = made.body as { absenceId: string };
    const ash = async () =>
      ((await call('GET', `/staff?team=${TEAM}`, { token: lead })).body as { items: Staff[] }).items.find(
        (s) => s.staffId === 'coord-ash',
      );
    expect(await ash()).toMatchObject({
      away: { coverId: 'coord-bea' },
      absences: [{ absenceId, coverId: 'coord-bea' }],
    });
    const caseloads = await call('GET', `/caseloads?team=${TEAM}`, { token: lead });
    expect((caseloads.body as { items: { coordinatorId: string; away?: unknown }[] }).items).toContainEqual(
      expect.objectContaining({ coordinatorId: 'coord-ash', away: { until: period.to, coverId: 'coord-bea' } }),
    );

    // Refused, changing nothing: a cover from another team, a period that ends before it starts,
    // someone not in the directory, and a lead of another team.
    const elsewhere = await absence({ ...period, coverId: 'coord-far' });
    expect(elsewhere.status).toBe(422);
    expect(JSON.stringify(elsewhere.body)).toMatch(/coord-far does not work in any of coord-ash's teams/);
    expect((await absence({ from: period.to, to: period.from })).status).toBe(400);
    expect((await absence(period, lead, 'nobody-here')).status).toBe(404);
    expect((await absence(period, otherLead)).status).toBe(403);
    expect((await ash())?.absences).toHaveLength(1);

    expect((await call('DELETE', `/staff/coord-ash/absences/${absenceId}`, { token: otherLead })).status).toBe(403);
    expect((await call('DELETE', `/staff/coord-ash/absences/${absenceId}`, { token: lead })).status).toBe(204);
    expect(await ash()).toMatchObject({ absences: [] });
    expect((await ash())?.away).toBeUndefined();
    expect((await call('DELETE', `/staff/coord-ash/absences/${absenceId}`, { token: lead })).status).toBe(404);
  });

  it("shows a team's alerts that reached no one, when the directory has no one in the team (HAZ-27)", async () => {
    const { call, token } = api.get();
    const lead = await token('lead-south', 'team-lead', ['cmht-south']);
    const table = currentTable();
    const now = new Date().toISOString();
    const journeyId = 'complex-mental-health.p00000000000000000000beef.0d6f1c9e3b7a';
    // As a journey's notify activity sends it: for the team's lead, whom the directory does not have.
    await createJourneyActivities({ doc: table.doc, tableName: table.tableName }).notify({
      id: `${journeyId}/assessment/2`,
      journeyId,
      programmeId: 'complex-mental-health',
      teamId: 'cmht-south',
      kind: 'escalation',
      level: 1,
      deadline: 'assessment',
      recipients: [],
      audience: { role: 'team-lead', teamId: 'cmht-south' },
      message: 'Assessment overdue 1 day',
      createdAt: now,
    });
    const board = await call('GET', '/caseloads?team=cmht-south', { token: lead });
    expect(board.status).toBe(200);
    expect((board.body as { unrouted: unknown[] }).unrouted).toEqual([
      {
        notificationId: `${journeyId}/assessment/2`,
        journeyId,
        kind: 'escalation',
        level: 1,
        deadline: 'assessment',
        message: 'Assessment overdue 1 day',
        createdAt: now,
      },
    ]);
    // Another team's page shows none of it.
    const exeter = await call('GET', `/caseloads?team=${TEAM}`, { token: await token('lead-ex', 'team-lead', [TEAM]) });
    expect((exeter.body as { unrouted: unknown[] }).unrouted).toEqual([]);
  });
});
