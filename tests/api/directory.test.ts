/**
 * What the dashboard reads to name people and places: the programme directory, a team's caseload
 * against capacity (kept to the caller's teams), and — only with development sign-in — the people
 * one may sign in as.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

describe('directory', () => {
  it("lists programmes and caseloads for the dashboard, kept to the caller's teams", async () => {
    const { call, token } = api.get();
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const programmes = (await call('GET', '/programmes', { token: lead })).body as {
      items: { id: string; teams: { id: string; coordinators: { id: string; maxCaseload: number }[] }[] }[];
    };
    expect(programmes.items.map((p) => p.id)).toEqual(builtInProgrammes.map((p) => p.id));
    expect(programmes.items.find((p) => p.id === 'frailty-virtual-ward')!.teams[0]!.coordinators).toEqual([
      { id: 'coord-ana', name: 'Ana Silva', maxCaseload: 40 },
      { id: 'coord-joe', name: 'Joe Penrose', maxCaseload: 40 },
    ]);
    const caseloads = await call('GET', '/caseloads?team=exeter-1', {
      token: await token('mgr-kim', 'service-manager', ['south-devon-1']),
    });
    expect(caseloads.status).toBe(200);
    const made = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: {
          nhsNumber: '9434765919',
          givenName: 'Albert',
          familyName: 'Pennington',
          birthDate: '1938-07-21',
          postcode: 'EX4 4QJ',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'falls',
        urgency: 'urgent',
        conditions: ['falls', 'dementia'],
        consent: { given: true, recordedBy: 'Dr Shah' },
      },
    });
    expect(made.status).toBe(202);
    // Once accepted, it goes to Exeter's only co-ordinator.
    const sian = await token('lead-sian', 'team-lead', ['exeter-1']);
    const listed = async () =>
      (
        (await call('GET', '/journeys?team=exeter-1', { token: sian })).body as {
          items: { id: string; phase: string }[];
        }
      ).items;
    await expect.poll(async () => (await listed()).length).toBe(1);
    const open = await listed();
    if (open[0]!.phase === 'triage') {
      const triaged = await call('POST', `/journeys/${encodeURIComponent(open[0]!.id)}/triage`, {
        token: sian,
        json: { decision: 'accept', reason: 'urgent' },
      });
      expect(triaged.status).toBe(200);
    }
    await expect
      .poll(
        async () =>
          (
            (await call('GET', '/caseloads?team=exeter-1', { token: await token('mgr-kim', 'service-manager') }))
              .body as { items: unknown[] }
          ).items,
      )
      .toEqual([{ coordinatorId: 'coord-lily', name: 'Lily Chen', caseload: 1, capacity: 40 }]);
    expect((await call('GET', '/caseloads?team=exeter-1', { token: lead })).status).toBe(403);
    expect((await call('GET', '/caseloads?team=nowhere', { token: lead })).status).toBe(404);
    expect((await call('GET', '/caseloads', { token: lead })).status).toBe(400);
    const directory = (await call('GET', '/auth/dev-directory')).body as {
      users: { sub: string; role: string; teams: string[] }[];
    };
    expect(directory.users).toContainEqual({
      sub: 'lead-raj',
      name: 'lead-raj',
      role: 'team-lead',
      teams: ['south-devon-1'],
    });
    expect(directory.users).toContainEqual({
      sub: 'coord-lily',
      name: 'Lily Chen',
      role: 'coordinator',
      teams: ['exeter-1'],
    });
  });
});
