/**
 * Bereavement follow-up for the carer (HAZ-22): where the programme says so, a death in hospital
 * of a person with a known carer opens one deadline, a call to the carer, and the journey cannot
 * be closed until it is made or the carer declines it. Everything else stays stopped (HAZ-02).
 */
import { describe, expect, it } from 'vitest';
import { agreeCarePlan, recordAssessment } from '../../domain/assessmentAndCarePlan.js';
import type { HospitalEvent } from '../../domain/commands.js';
import { close } from '../../domain/closing.js';
import { iso } from '../../domain/durations.js';
import { hospitalEvent } from '../../domain/hospitalStays.js';
import { checkCommand } from '../../domain/journeyCommands.js';
import type { JourneyState } from '../../domain/journeyState.js';
import type { Programme } from '../../domain/programme.js';
import { recordContact } from '../../domain/reviewsAndContacts.js';
import {
  atAssessment,
  atTriage,
  coordinator,
  DAY,
  HOUR,
  notifications,
  programme,
  ruleError,
  T0,
} from './stageFixtures.js';

const ADMITTED = T0 + 9 * DAY; // 10 March 09:00
const DIED = T0 + 13 * DAY; // 14 March 09:00
const withBereavement = () => programme((p) => void (p.bereavement = { contactWithin: 'P14D' }));

let control = 0;
const adt = (s: JourneyState, event: HospitalEvent['event'], now: number, more: Partial<HospitalEvent> = {}) =>
  hospitalEvent(s, { controlId: `b-${(control += 1)}`, event, ...more }, now);

/** Active, with the carer the assessment found (or, with `carer: false`, found that there is none). */
function activeWith(p: Programme, carer: { present: boolean; relationship?: string }): JourneyState {
  const s = atAssessment(p);
  recordAssessment(s, { summary: 'managing with support', needs: [], carer, by: coordinator }, T0 + 2 * DAY);
  agreeCarePlan(
    s,
    { goals: [{ id: 'g1', description: 'stay at home' }], actions: [], agreedWithPatient: true, by: coordinator },
    T0 + 3 * DAY,
  );
  return s;
}

function diedInHospital(s: JourneyState): JourneyState {
  adt(s, 'A01', ADMITTED);
  adt(s, 'A03', DIED, { died: true });
  return s;
}

const bereavementDeadline = (s: JourneyState) => s.deadlines.find((d) => d.name === 'bereavement-contact');
const contact = (s: JourneyState, at: number, more: object) =>
  recordContact(s, { kind: 'carer', channel: 'phone', by: coordinator, ...more }, at);

describe('bereavement follow-up for the carer (HAZ-22)', () => {
  it('a death opens one call to the carer, due as the programme says, running while the rest stays stopped', () => {
    const s = diedInHospital(activeWith(withBereavement(), { present: true, relationship: 'daughter' }));
    expect(bereavementDeadline(s)).toMatchObject({
      id: 'bereavement-contact#1',
      status: 'open',
      dueAt: iso(DIED + 14 * DAY),
    });
    expect(bereavementDeadline(s)!.pausedSince).toBeUndefined();
    // Every other deadline is as the admission left it: stopped.
    const others = s.deadlines.filter((d) => d.status === 'open' && d.name !== 'bereavement-contact');
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((d) => d.pausedSince === iso(ADMITTED))).toBe(true);
    expect(s.deadlines.some((d) => d.name === 'post-discharge-contact')).toBe(false);
    expect(notifications(s).filter((n) => n.deadline === 'hospital-death')).toEqual([
      expect.objectContaining({
        recipients: ['coord-ana'],
        dueAt: iso(DIED + 14 * DAY),
        message: `Died in hospital on 2027-03-14. Nothing more is chased but a bereavement contact with the carer (daughter), due by ${iso(DIED + 14 * DAY)}; then please close this journey as deceased.`,
      }),
    ]);
  });

  it('opens nothing when no carer is known, or the programme does not ask for it', () => {
    const noCarer = diedInHospital(activeWith(withBereavement(), { present: false }));
    expect(bereavementDeadline(noCarer)).toBeUndefined();
    expect(notifications(noCarer).find((n) => n.deadline === 'hospital-death')?.message).toBe(
      'Died in hospital on 2027-03-14. Nothing more is chased; please close this journey as deceased.',
    );
    const notAsked = diedInHospital(activeWith(programme(), { present: true, relationship: 'son' }));
    expect(bereavementDeadline(notAsked)).toBeUndefined();
    // A carer named on the referral counts when there is no assessment yet.
    const atTriageWithCarer = atTriage(withBereavement());
    atTriageWithCarer.referrals[0]!.carer = { relationship: 'husband' };
    expect(bereavementDeadline(diedInHospital(atTriageWithCarer))).toMatchObject({ status: 'open' });
  });

  it('is met by speaking with the carer, or the carer declining; not by an unanswered call, a message, or a contact before the death', () => {
    const s = diedInHospital(activeWith(withBereavement(), { present: true, relationship: 'daughter' }));
    contact(s, DIED + DAY, { outcome: 'no-answer' });
    contact(s, DIED + DAY + HOUR, { outcome: 'message-left' });
    contact(s, DIED + 2 * DAY, { channel: 'message', outcome: 'reached' });
    contact(s, DIED + 2 * DAY + HOUR, { kind: 'routine', outcome: 'reached' });
    contact(s, DIED + 3 * DAY, { outcome: 'reached', at: iso(DIED - HOUR) });
    expect(bereavementDeadline(s)?.status).toBe('open');
    contact(s, DIED + 3 * DAY, { outcome: 'reached' });
    expect(bereavementDeadline(s)).toMatchObject({ status: 'met', metAt: iso(DIED + 3 * DAY) });

    const declined = diedInHospital(activeWith(withBereavement(), { present: true }));
    contact(declined, DIED + DAY, { outcome: 'declined', notes: 'Asked for no further calls' });
    expect(bereavementDeadline(declined)?.status).toBe('met');
  });

  it('until it is met the journey cannot be closed', () => {
    const s = diedInHospital(activeWith(withBereavement(), { present: true, relationship: 'daughter' }));
    const closing = checkCommand(s, 'close', { reason: 'deceased', outcome: {}, by: coordinator }, DIED + DAY);
    expect(closing).toMatchObject({ rejected: { type: 'invalid' } });
    expect('rejected' in closing && closing.rejected.message).toContain(
      `a bereavement contact with the carer is due by ${iso(DIED + 14 * DAY)}`,
    );
    expect(ruleError(() => close(s, { reason: 'deceased', outcome: {}, by: coordinator }, DIED + DAY))?.code).toBe(
      'invalid',
    );
    contact(s, DIED + 2 * DAY, { outcome: 'reached' });
    expect(
      checkCommand(s, 'close', { reason: 'deceased', outcome: {}, by: coordinator }, DIED + 2 * DAY),
    ).not.toHaveProperty('rejected');

    const triage = atTriage(withBereavement());
    triage.referrals[0]!.carer = { relationship: 'wife' };
    diedInHospital(triage);
    // Died before triage: a decline is refused as after any death, and so is closing, for now.
    const decline = { decision: 'decline', reason: 'died before triage', by: coordinator } as const;
    expect(checkCommand(triage, 'triage', decline, DIED + DAY)).toHaveProperty('rejected');
    expect(
      checkCommand(triage, 'close', { reason: 'deceased', outcome: {}, by: coordinator }, DIED + DAY),
    ).toMatchObject({ rejected: { type: 'invalid' } });
  });

  it('an A13 that cancels the death cancels the call too', () => {
    const s = diedInHospital(activeWith(withBereavement(), { present: true }));
    adt(s, 'A13', DIED + HOUR);
    expect(s.phase).toBe('in-hospital');
    expect(bereavementDeadline(s)?.status ?? 'cancelled').toBe('cancelled');
    expect(s.deadlines.filter((d) => d.status === 'open').every((d) => d.pausedSince === iso(ADMITTED))).toBe(true);
  });
});
