/**
 * Cover (HAZ-07): a team lead (or another co-ordinator) can do a co-ordinator's own work while
 * they are away, and every entry it makes is audited as cover for the named co-ordinator.
 */
import { describe, expect, it } from 'vitest';
import { checkCommand, commandRules } from '../../domain/journeyCommands.js';
import type { JourneyState } from '../../domain/journeyState.js';
import { active, atAssessment, coordinator, DAY, lead, T0 } from './stageFixtures.js';

function run(s: JourneyState, type: keyof typeof commandRules, command: Record<string, unknown>, now: number) {
  const checked = checkCommand(s, type, command, now);
  if ('rejected' in checked) throw new Error(checked.rejected.message);
  commandRules[type].apply!(s, checked.command, now);
  return s.timeline.filter((e) => e.seq > 0);
}

describe('cover for a co-ordinator', () => {
  it('a team lead records a contact for coord-ana’s journey, audited as cover for her', () => {
    const s = active();
    const before = s.counters.seq;
    run(
      s,
      'contact',
      { kind: 'routine', channel: 'phone', notes: 'rang while Ana is on leave', by: lead },
      T0 + 5 * DAY,
    );
    const made = s.timeline.filter((e) => e.seq > before);
    expect(made.length).toBeGreaterThan(0);
    for (const e of made) {
      expect(e.by).toBe('lead-lou');
      expect(e.data).toMatchObject({ coverFor: 'coord-ana' });
      expect(e.detail).toMatch(/ \(as cover for coord-ana\)$/);
    }
  });

  it('the assessment, recorded by the lead before anyone is named, is audited as cover with no co-ordinator', () => {
    const s = atAssessment();
    s.coordinatorId = null;
    const before = s.counters.seq;
    run(s, 'assessment', { summary: 'lives alone, managing', needs: [], by: lead }, T0 + DAY);
    expect(s.assessment).toMatchObject({ by: 'lead-lou' });
    const made = s.timeline.filter((e) => e.seq > before);
    expect(
      made.every((e) => e.data?.coverFor === null && e.detail.endsWith('(as cover: no co-ordinator named yet)')),
    ).toBe(true);
  });

  it('the named co-ordinator’s own work is not cover', () => {
    const s = active();
    const before = s.counters.seq;
    run(s, 'contact', { kind: 'routine', channel: 'phone', by: coordinator }, T0 + 5 * DAY);
    for (const e of s.timeline.filter((x) => x.seq > before)) {
      expect(e.data?.coverFor).toBeUndefined();
      expect(e.detail).not.toMatch(/cover/);
    }
  });
});
