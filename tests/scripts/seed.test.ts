/** `npm run seed` builds a demo population through the public API: every stage, overdue work and hospital stays. */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { seed } from '../../scripts/seed.js';
import { useApiStack } from '../support/apiStack.js';

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const api = useApiStack(() => programmes);

describe('demo seed', () => {
  it('creates journeys at every stage, with overdue work, its overdue notices and hospital stays', async () => {
    const { base, call, token } = api.get();
    const tally = await seed({ api: base, patients: 40, programmes });
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(40);
    for (const stage of ['active', 'in-hospital', 'assessment overdue']) expect(tally[stage], stage).toBeGreaterThan(0);

    const ops = await token('ops-1', 'ops');
    const phases = new Set<string>();
    let overdue = 0;
    for (const team of programmes.flatMap((p) => p.teams)) {
      const open = (await call('GET', `/journeys?team=${team.id}&limit=200`, { token: ops })).body as {
        items: { phase: string }[];
      };
      open.items.forEach((j) => phases.add(j.phase));
      overdue += (
        (await call('GET', `/journeys?team=${team.id}&overdue=true`, { token: ops })).body as { items: unknown[] }
      ).items.length;
    }
    for (const phase of ['triage', 'assessment', 'active', 'in-hospital']) expect(phases, phase).toContain(phase);
    expect(overdue).toBeGreaterThan(0);
    // Overdue assessments (referred weeks ago) have each sent their overdue notice, once, and no
    // escalation yet: a deadline that opens already overdue escalates a day after its notice (HAZ-06).
    const staff = [
      ...new Set(programmes.flatMap((p) => p.teams.flatMap((t) => [...t.leads, ...t.coordinators.map((c) => c.id)]))),
    ];
    const assessmentNotices = async (kind: string) =>
      (
        await Promise.all(
          staff.map(
            async (sub) =>
              (
                (await call('GET', '/inbox?limit=200', { token: await token(sub, 'coordinator') })).body as {
                  items: { kind: string; deadline: string }[];
                }
              ).items.filter((i) => i.kind === kind && i.deadline === 'assessment').length,
          ),
        )
      ).reduce((a, b) => a + b, 0);
    await expect.poll(() => assessmentNotices('overdue'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await assessmentNotices('escalation')).toBe(0);
  }, 240_000);
});
