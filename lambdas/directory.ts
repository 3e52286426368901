/**
 * Who works where, from the programme configuration: what the dashboard needs to name people,
 * offer co-ordinators to reassign to, and (locally) let someone sign in as any of them.
 */
import { instrumentOf, type Programme } from '../domain/programme.js';
import type { Role } from './auth.js';

export function programmeDirectory(programmes: Programme[]) {
  return programmes.map((p) => ({
    id: p.id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    recordsPlaceOfDeath: p.recordsPlaceOfDeath,
    // The outcome measures it takes, each with its instrument in full: the dashboard's form asks its items.
    ...(p.outcomes
      ? {
          outcomes: p.outcomes.measures.map((m) => ({
            instrument: instrumentOf(p, m.instrument)!,
            every: m.every,
            atClosure: m.atClosure,
          })),
        }
      : {}),
    teams: p.teams.map((t) => ({
      id: t.id,
      name: t.name ?? t.id,
      coordinators: t.coordinators.map((c) => ({ id: c.id, name: c.name, maxCaseload: c.maxCaseload })),
      leads: t.leads,
      serviceManagers: t.serviceManagers,
    })),
  }));
}

export interface DevUser {
  sub: string;
  name: string;
  role: Role;
  teams: string[];
  /** The organisation (ODS code) the person works for, where their sign-in names one. */
  organisation?: string;
}

/** Everyone the configuration names, each with the teams they belong to, plus one of each other role. */
export function devDirectory(programmes: Programme[]): DevUser[] {
  const people = new Map<string, DevUser>();
  const add = (sub: string, name: string, role: Role, team?: string) => {
    const key = `${role}:${sub}`;
    const user = people.get(key) ?? { sub, name, role, teams: [] };
    if (team && !user.teams.includes(team)) user.teams.push(team);
    people.set(key, user);
  };
  for (const p of programmes) {
    for (const t of p.teams) {
      for (const c of t.coordinators) add(c.id, c.name, 'coordinator', t.id);
      for (const l of t.leads) add(l, l, 'team-lead', t.id);
      // Service managers see every team; their teams say where their escalations come from.
      for (const m of t.serviceManagers) add(m, m, 'service-manager', t.id);
    }
  }
  add('ops-1', 'Operations (on call)', 'ops');
  add('admin-1', 'Administrator', 'admin');
  add('ig-1', 'Information governance lead', 'ig-lead');
  // Two GPs of one practice (the examples share its referrals among its referrers), one elsewhere.
  add('gp-1', 'A referring GP', 'referrer');
  add('gp-2', 'A second GP at the same practice', 'referrer');
  add('gp-3', 'A GP at another practice', 'referrer');
  people.get('referrer:gp-1')!.organisation = 'L83040';
  people.get('referrer:gp-2')!.organisation = 'L83040';
  people.get('referrer:gp-3')!.organisation = 'L83999';
  add('discharge-1', 'Hospital discharge team', 'discharge-team');
  return [...people.values()];
}
