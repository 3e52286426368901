/**
 * Closing a journey (domain/closing.ts): from any phase, cancelling every open deadline and
 * releasing the co-ordinator's place; palliative programmes must say whether the person died in
 * their preferred place.
 */
import { describe, expect, it } from 'vitest';
import { checkClose, close } from '../../domain/closing.js';
import { JourneyRuleError } from '../../domain/journeyState.js';
import { active, atTriage, coordinator, DAY, deadline, lastEntry, lead, programme, T0 } from './stageFixtures.js';

const palliative = programme((p) => {
  p.recordsPlaceOfDeath = true;
});

describe('closing a journey', () => {
  it('cancels every open deadline, keeps the met ones and releases the co-ordinator’s place', () => {
    const s = active();
    close(s, { reason: 'goals-met', outcome: { goalsMet: 'all' }, by: coordinator }, T0 + 10 * DAY);
    expect(s.deadlines.map((d) => [d.id, d.status, d.cancelledBecause])).toEqual([
      ['triage', 'met', undefined],
      ['assessment', 'met', undefined],
      ['care-plan', 'met', undefined],
      ['action:a1#v1', 'cancelled', 'journey closed'],
      ['review#1', 'cancelled', 'journey closed'],
    ]);
    expect(s.outbox.at(-1)).toEqual({ type: 'release', coordinatorId: 'coord-ana' });
    expect([s.phase, s.communityPhase]).toEqual(['closed', 'closed']);
    expect(s.closure).toEqual({
      reason: 'goals-met',
      outcome: { goalsMet: 'all' },
      at: '2027-03-11T09:00:00.000Z',
      by: 'coord-ana',
    });
    expect(lastEntry(s)).toMatchObject({
      type: 'journey.closed',
      detail: 'closed: goals-met',
      data: { reason: 'goals-met', goalsMet: 'all', placeOfDeathAchieved: null },
    });
  });

  it('a journey with no co-ordinator yet has no place to release', () => {
    const s = atTriage();
    close(s, { reason: 'withdrawn', outcome: {}, by: lead }, T0 + DAY);
    expect(s.outbox).toEqual([]);
    expect(deadline(s, 'triage')).toMatchObject({ status: 'cancelled', cancelledBecause: 'journey closed' });
    expect(lastEntry(s).data).toEqual({ reason: 'withdrawn', goalsMet: null, placeOfDeathAchieved: null });
  });

  it('a death in hospital closes the journey outright, not just its community phase', () => {
    const s = active();
    s.phase = 'in-hospital';
    close(s, { reason: 'deceased', outcome: {}, by: coordinator }, T0 + 10 * DAY);
    expect([s.phase, s.communityPhase]).toEqual(['closed', 'closed']);
  });

  it('a closed journey cannot be closed again', () => {
    const s = active();
    close(s, { reason: 'moved-away', outcome: {}, by: coordinator }, T0 + 10 * DAY);
    const before = structuredClone(s);
    expect(() => close(s, { reason: 'goals-met', outcome: {}, by: coordinator }, T0 + 11 * DAY)).toThrow(
      new JourneyRuleError('phase', 'cannot close the journey while the journey is closed'),
    );
    expect(s).toEqual(before);
  });
});

describe('a death on a palliative programme', () => {
  const refusal = (outcome: { placeOfDeathAchieved?: boolean }, p = palliative) => {
    try {
      checkClose(active(p), { reason: 'deceased', outcome });
      return undefined;
    } catch (e) {
      return e as JourneyRuleError;
    }
  };

  it('must say whether the person died in their preferred place', () => {
    expect(refusal({})).toMatchObject({
      code: 'invalid',
      message:
        'this programme records whether the person died in their preferred place: set outcome.placeOfDeathAchieved',
    });
  });

  it('“not in their preferred place” is an answer too', () => {
    expect(refusal({ placeOfDeathAchieved: false })).toBeUndefined();
    const s = active(palliative);
    close(s, { reason: 'deceased', outcome: { placeOfDeathAchieved: false }, by: coordinator }, T0 + 10 * DAY);
    expect(lastEntry(s).data).toMatchObject({ reason: 'deceased', placeOfDeathAchieved: false });
  });

  it('other programmes, and other reasons on this one, need no place of death', () => {
    expect(refusal({}, programme())).toBeUndefined();
    expect(() => checkClose(active(palliative), { reason: 'moved-away', outcome: {} })).not.toThrow();
  });
});
