/**
 * Service managers see the programmes they manage, not every team: mgr-kim manages frailty (both
 * its teams name her), so another programme's journeys, caseloads, metrics and record are refused
 * to her, and refused before anything is read (every data dependency throws if touched).
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { withManagedTeams } from '../../lambdas/routes/shared.js';
import { closedDeps, touched } from './stubDeps.js';

const auth = devAuthenticator('m'.repeat(40));
const app = createApp(closedDeps(auth));
const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');

describe('a service manager’s scope', () => {
  it('is the teams of the programmes they manage: by the programme file, or by their sign-in’s teams', () => {
    const kim = withManagedTeams({ sub: 'mgr-kim', role: 'service-manager', teams: [] }, programmes);
    expect(kim.teams.sort()).toEqual(['exeter-1', 'south-devon-1']);
    const bySignIn = withManagedTeams({ sub: 'mgr-new', role: 'service-manager', teams: ['cmht-north'] }, programmes);
    expect(bySignIn.teams.sort()).toEqual(['cmht-north', 'cmht-south']);
    expect(withManagedTeams({ sub: 'mgr-none', role: 'service-manager', teams: [] }, programmes).teams).toEqual([]);
    // Everyone else is as they signed in.
    const lead = { sub: 'lead-raj', role: 'team-lead' as const, teams: ['south-devon-1'] };
    expect(withManagedTeams(lead, programmes)).toBe(lead);
  });

  it('refuses another programme’s lists, caseloads, metrics and journeys, reading nothing', async () => {
    const kim = await auth.devToken!({ sub: 'mgr-kim', role: 'service-manager', teams: [] });
    touched.length = 0;
    for (const path of [
      '/journeys?team=palliative-west',
      '/caseloads?team=cmht-north',
      '/metrics?team=crt-valleys',
      '/metrics?programme=dementia-home',
    ]) {
      const res = await app.request(path, { headers: { authorization: `Bearer ${kim}` } });
      expect(res.status, path).toBe(403);
    }
    expect(touched).toEqual([]);
  });
});
