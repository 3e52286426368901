/** The programme directory, loaded once per session: names for ids, teams for pickers. */
import { api } from './api';
import type { ProgrammeDirectory, TeamDirectory } from './types';

let loaded: Promise<ProgrammeDirectory[]> | undefined;

export const loadDirectory = () =>
  (loaded ??= api<{ items: ProgrammeDirectory[] }>('GET', '/programmes')
    .then((r) => r.items)
    .catch((e: unknown) => {
      loaded = undefined;
      throw e;
    }));

export const allTeams = (programmes: ProgrammeDirectory[]): (TeamDirectory & { programme: ProgrammeDirectory })[] =>
  programmes.flatMap((p) => p.teams.map((t) => ({ ...t, programme: p })));

export function coordinatorName(programmes: ProgrammeDirectory[], id: string | null): string {
  if (!id) return 'Unassigned';
  for (const t of allTeams(programmes)) {
    const c = t.coordinators.find((x) => x.id === id);
    if (c) return c.name;
  }
  return id;
}
