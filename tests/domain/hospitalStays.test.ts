/**
 * Hospital stays from ADT messages (domain/hospitalStays.ts): admissions pause community
 * deadlines, transfers and updates move the stay, discharges restart the clocks, bring the review
 * forward and open the post-discharge follow-up, and A11 / A13 put things back.
 */
import { describe, expect, it } from 'vitest';
import type { HospitalEvent } from '../../domain/commands.js';
import { close } from '../../domain/closing.js';
import { CONTROL_IDS_KEPT, type JourneyState } from '../../domain/journeyState.js';
import { hospitalEvent, recordReportedDischarge } from '../../domain/hospitalStays.js';
import { checkCommand } from '../../domain/journeyCommands.js';
import {
  active,
  atTriage,
  coordinator,
  DAY,
  deadline,
  entry,
  HOUR,
  notifications,
  programme,
  T0,
} from './stageFixtures.js';

// The active journey (care plan agreed 4 March) has action:a1#v1 due 21 March and review#1 due 2 June.
const ADMITTED = T0 + 9 * DAY; // 10 March 09:00
const DISCHARGED = T0 + 13 * DAY; // 14 March 09:00: four days on the ward

let control = 0;
const adt = (s: JourneyState, event: HospitalEvent['event'], now: number, more: Partial<HospitalEvent> = {}) =>
  hospitalEvent(s, { controlId: `msg-${(control += 1)}`, event, ...more }, now);

const admitted = (p = programme()): JourneyState => {
  const s = active(p);
  adt(s, 'A01', ADMITTED, { location: 'Ward 7' });
  return s;
};

const dischargedAgain = (): JourneyState => {
  const s = admitted();
  adt(s, 'A03', DISCHARGED);
  return s;
};

describe('repeated and late messages', () => {
  it('the same message twice changes nothing the second time', () => {
    const s = active();
    expect(hospitalEvent(s, { controlId: 'm1', event: 'A01' }, ADMITTED)).toBe(true);
    const before = structuredClone(s);
    expect(hospitalEvent(s, { controlId: 'm1', event: 'A03' }, ADMITTED + DAY)).toBe(false);
    expect(s).toEqual(before);
  });

  it(`remembers the last ${CONTROL_IDS_KEPT} message ids`, () => {
    const s = active();
    for (let i = 0; i <= CONTROL_IDS_KEPT; i += 1) hospitalEvent(s, { controlId: `m${i}`, event: 'A08' }, ADMITTED);
    expect(s.seenControlIds).toHaveLength(CONTROL_IDS_KEPT);
    expect(s.seenControlIds[0]).toBe('m1');
  });

  it('a closed journey ignores the hospital', () => {
    const s = active();
    close(s, { reason: 'moved-away', outcome: {}, by: coordinator }, ADMITTED);
    const before = structuredClone(s);
    expect(adt(s, 'A01', ADMITTED + DAY)).toBe(false);
    expect(s).toEqual(before);
  });
});

describe('an admission', () => {
  it('stops the community clocks and puts the journey in hospital', () => {
    const s = admitted();
    expect([s.phase, s.communityPhase]).toEqual(['in-hospital', 'active']);
    expect(s.hospitalStays).toEqual([
      { stayNo: 1, admittedAt: '2027-03-10T09:00:00.000Z', readmission: false, location: 'Ward 7' },
    ]);
    expect(s.deadlines.filter((d) => d.status === 'open').map((d) => [d.id, d.pausedSince])).toEqual([
      ['action:a1#v1', '2027-03-10T09:00:00.000Z'],
      ['review#1', '2027-03-10T09:00:00.000Z'],
    ]);
    expect(entry(s, 'hospital.admitted')).toMatchObject({ by: 'hospital-adt', detail: 'admitted to Ward 7' });
    expect(notifications(s)).toMatchObject([
      {
        id: 'test-programme.pabc.0001/admission#1',
        kind: 'notice',
        level: 0,
        deadline: 'hospital-admission',
        recipients: ['coord-ana'],
        message: 'Admitted to hospital. Community deadlines are paused.',
      },
    ]);
  });

  it('the clocks stop from when the hospital says it happened, but never from a time still to come', () => {
    const earlier = active();
    adt(earlier, 'A01', ADMITTED, { occurredAt: '2027-03-09T22:00:00.000Z' });
    expect(deadline(earlier, 'review#1').pausedSince).toBe('2027-03-09T22:00:00.000Z');
    const ahead = active();
    adt(ahead, 'A01', ADMITTED, { occurredAt: '2027-03-10T11:00:00.000Z' });
    expect(ahead.hospitalStays[0]!.admittedAt).toBe('2027-03-10T09:00:00.000Z');
  });

  it('during triage the journey stays in triage, its clock runs on, and the team lead hears of it', () => {
    const s = atTriage();
    adt(s, 'A01', T0 + 3_600_000);
    expect(s.phase).toBe('triage');
    expect(deadline(s, 'triage').pausedSince).toBeUndefined();
    expect(notifications(s)[0]!.recipients).toEqual(['lead-lou']);
  });

  it('a second admission while still in hospital changes nothing', () => {
    const s = admitted();
    expect(adt(s, 'A01', ADMITTED + DAY)).toBe(false);
    expect(s.hospitalStays).toHaveLength(1);
  });
});

describe('a readmission', () => {
  it('within 30 days of discharge, to the day, is a readmission and goes to the team lead for MDT review', () => {
    const s = dischargedAgain();
    adt(s, 'A01', DISCHARGED + 30 * DAY);
    expect(s.hospitalStays[1]).toMatchObject({ stayNo: 2, readmission: true });
    expect(entry(s, 'hospital.admitted').detail).toBe('admitted (readmission)');
    expect(notifications(s).at(-1)).toMatchObject({
      id: 'test-programme.pabc.0001/readmission#2',
      kind: 'escalation',
      level: 1,
      deadline: 'readmission',
      recipients: ['lead-lou'],
      message: 'Readmitted within P30D of the last discharge: for MDT review.',
    });
    expect(notifications(s).at(-2)!.message).toBe(
      'Admitted to hospital within the readmission window. Community deadlines are paused.',
    );
  });

  it('a millisecond after the window is a new admission, not a readmission', () => {
    const s = dischargedAgain();
    adt(s, 'A01', DISCHARGED + 30 * DAY + 1);
    expect(s.hospitalStays[1]!.readmission).toBe(false);
    expect(notifications(s).some((n) => n.deadline === 'readmission')).toBe(false);
  });
});

describe('transfers and updates', () => {
  it('a transfer moves the stay to the new ward', () => {
    const s = admitted();
    expect(adt(s, 'A02', ADMITTED + DAY, { location: 'Ward 9' })).toBe(true);
    expect(s.hospitalStays[0]!.location).toBe('Ward 9');
    expect(entry(s, 'hospital.transferred').detail).toBe('transferred to Ward 9');
  });

  it('a transfer naming no ward keeps the one known', () => {
    const s = admitted();
    adt(s, 'A02', ADMITTED + DAY);
    expect(s.hospitalStays[0]!.location).toBe('Ward 7');
    expect(entry(s, 'hospital.transferred').detail).toBe('transferred');
  });

  it('a transfer whose admission never reached us admits the person', () => {
    const s = active();
    expect(adt(s, 'A02', ADMITTED, { location: 'Ward 9' })).toBe(true);
    expect(s.phase).toBe('in-hospital');
    expect(s.hospitalStays[0]).toMatchObject({ stayNo: 1, location: 'Ward 9' });
  });

  it('an update changes the ward only when it names a different one', () => {
    const s = admitted();
    expect(adt(s, 'A08', ADMITTED + DAY, { location: 'Ward 7' })).toBe(false);
    expect(adt(s, 'A08', ADMITTED + DAY)).toBe(false);
    expect(adt(s, 'A08', ADMITTED + DAY, { location: 'Ward 3' })).toBe(true);
    expect(entry(s, 'hospital.updated').detail).toBe('location now Ward 3');
    expect(adt(active(), 'A08', ADMITTED, { location: 'Ward 3' })).toBe(false);
  });
});

describe('a discharge', () => {
  it('restarts the clocks with the time spent on the ward added on', () => {
    const s = dischargedAgain();
    expect([s.phase, s.communityPhase]).toEqual(['active', 'active']);
    expect(deadline(s, 'action:a1#v1')).toMatchObject({ dueAt: '2027-03-25T09:00:00.000Z' });
    expect(deadline(s, 'action:a1#v1').pausedSince).toBeUndefined();
    expect(s.hospitalStays[0]).toMatchObject({ dischargedAt: '2027-03-14T09:00:00.000Z', discharges: 1 });
  });

  it('brings the next review forward to a week after discharge', () => {
    const s = dischargedAgain();
    expect(deadline(s, 'review#1').dueAt).toBe('2027-03-21T09:00:00.000Z');
  });

  it('leaves a review that is already sooner than that where it is (after the stay is added on)', () => {
    const s = admitted(
      programme((p) => {
        p.deadlines.reviewAfterDischarge = 'P120D';
      }),
    );
    adt(s, 'A03', DISCHARGED);
    expect(deadline(s, 'review#1').dueAt).toBe('2027-06-06T09:00:00.000Z');
  });

  it('opens the 72-hour follow-up contact and tells the co-ordinator when it is due', () => {
    const s = dischargedAgain();
    expect(deadline(s, 'post-discharge-contact#1')).toMatchObject({
      status: 'open',
      openedAt: '2027-03-14T09:00:00.000Z',
      dueAt: '2027-03-17T09:00:00.000Z',
    });
    expect(notifications(s).at(-1)).toMatchObject({
      id: 'test-programme.pabc.0001/discharge#1',
      kind: 'notice',
      deadline: 'post-discharge-contact',
      dueAt: '2027-03-17T09:00:00.000Z',
      recipients: ['coord-ana'],
      message: 'Discharged from hospital: contact due by 2027-03-17T09:00:00.000Z.',
    });
  });

  it('reported late, the follow-up counts from the discharge and the review is due no earlier than now', () => {
    const s = admitted();
    const now = DISCHARGED + 10 * DAY; // 24 March, ten days after the discharge
    adt(s, 'A03', now, { occurredAt: '2027-03-14T09:00:00.000Z' });
    expect(deadline(s, 'post-discharge-contact#1').dueAt).toBe('2027-03-17T09:00:00.000Z');
    expect(deadline(s, 'review#1').dueAt).toBe('2027-03-24T09:00:00.000Z');
  });

  it('a discharge time before the admission is taken as the admission time', () => {
    const s = admitted();
    adt(s, 'A03', DISCHARGED, { occurredAt: '2027-03-09T09:00:00.000Z' });
    expect(s.hospitalStays[0]!.dischargedAt).toBe('2027-03-10T09:00:00.000Z');
    expect(deadline(s, 'action:a1#v1').dueAt).toBe('2027-03-21T09:00:00.000Z'); // no time on the ward
  });

  it('a discharge whose admission we never heard of still opens its follow-up', () => {
    const s = active();
    expect(adt(s, 'A03', DISCHARGED)).toBe(true);
    expect(s.hospitalStays).toEqual([
      expect.objectContaining({ stayNo: 1, admittedAt: '2027-03-14T09:00:00.000Z', readmission: false }),
    ]);
    expect(deadline(s, 'post-discharge-contact#1').status).toBe('open');
  });

  it('a later discharge supersedes an earlier follow-up still open', () => {
    const s = dischargedAgain();
    adt(s, 'A01', DISCHARGED + DAY);
    adt(s, 'A03', DISCHARGED + 2 * DAY);
    expect(deadline(s, 'post-discharge-contact#1')).toMatchObject({
      status: 'cancelled',
      cancelledBecause: 'superseded by a later discharge',
    });
    expect(deadline(s, 'post-discharge-contact#2').status).toBe('open');
  });
});

describe('cancelled admissions (A11)', () => {
  it('the clocks run on as if they had never stopped, and the stay is forgotten', () => {
    const s = admitted();
    expect(adt(s, 'A11', ADMITTED + DAY)).toBe(true);
    expect(s.hospitalStays).toEqual([]);
    expect(s.phase).toBe('active');
    expect(deadline(s, 'action:a1#v1')).toMatchObject({ dueAt: '2027-03-21T09:00:00.000Z' });
    expect(deadline(s, 'action:a1#v1').pausedSince).toBeUndefined();
    expect(entry(s, 'hospital.admission-cancelled').data).toEqual({ stayNo: 1 });
  });

  it('with nobody in hospital there is nothing to cancel', () => {
    expect(adt(dischargedAgain(), 'A11', DISCHARGED + DAY)).toBe(false);
  });
});

describe('cancelled discharges (A13)', () => {
  it('puts the person back on the ward with the clocks stopped where they were', () => {
    const s = dischargedAgain();
    expect(adt(s, 'A13', DISCHARGED + 3_600_000)).toBe(true);
    expect([s.phase, s.communityPhase]).toEqual(['in-hospital', 'active']);
    expect(deadline(s, 'action:a1#v1')).toMatchObject({
      dueAt: '2027-03-21T09:00:00.000Z',
      pausedSince: '2027-03-10T09:00:00.000Z',
    });
    expect(deadline(s, 'review#1')).toMatchObject({
      dueAt: '2027-06-02T09:00:00.000Z',
      pausedSince: '2027-03-10T09:00:00.000Z',
    });
    expect(deadline(s, 'post-discharge-contact#1')).toMatchObject({
      status: 'cancelled',
      cancelledBecause: 'discharge cancelled',
    });
    expect(s.hospitalStays[0]).not.toHaveProperty('dischargedAt');
  });

  it('a second A13 has nothing left to undo', () => {
    const s = dischargedAgain();
    adt(s, 'A13', DISCHARGED + 3_600_000);
    expect(adt(s, 'A13', DISCHARGED + 7_200_000)).toBe(false);
  });

  it('a review brought forward by the discharge goes back, even when it was not paused', () => {
    const s = active();
    adt(s, 'A03', DISCHARGED); // no admission heard of: nothing was paused
    expect(deadline(s, 'review#1').dueAt).toBe('2027-03-21T09:00:00.000Z');
    adt(s, 'A13', DISCHARGED + 3_600_000);
    expect(deadline(s, 'review#1').dueAt).toBe('2027-06-02T09:00:00.000Z');
    expect(deadline(s, 'review#1').pausedSince).toBeUndefined();
    expect(deadline(s, 'action:a1#v1').dueAt).toBe('2027-03-21T09:00:00.000Z');
  });

  it('during triage it does not put the journey in hospital', () => {
    const s = atTriage();
    adt(s, 'A01', T0 + 3_600_000);
    adt(s, 'A03', T0 + DAY);
    adt(s, 'A13', T0 + DAY + 3_600_000);
    expect(s.phase).toBe('triage');
  });
});

describe('a death in hospital', () => {
  const died = (s: JourneyState, now = DISCHARGED) => adt(s, 'A03', now, { died: true });

  it('opens no post-discharge contact, brings no review forward and leaves every ladder stopped', () => {
    const s = admitted();
    const before = structuredClone(s.deadlines);
    expect(died(s)).toBe(true);
    expect(s.deadlines.some((d) => d.name === 'post-discharge-contact')).toBe(false);
    // Each deadline as the admission left it: paused from the admission, its due time unmoved.
    expect(s.deadlines).toEqual(before);
    expect(
      s.deadlines.filter((d) => d.status === 'open').every((d) => d.pausedSince === '2027-03-10T09:00:00.000Z'),
    ).toBe(true);
    expect(s.hospitalStays[0]).toMatchObject({ dischargedAt: '2027-03-14T09:00:00.000Z', died: true });
    expect(s.phase).toBe('active');
  });

  it('records the death and asks the co-ordinator, once, to close the journey as deceased', () => {
    const s = admitted();
    died(s);
    expect(entry(s, 'hospital.died')).toMatchObject({ by: 'hospital-adt', detail: 'died in hospital' });
    expect(s.timeline.some((e) => e.type === 'hospital.discharged')).toBe(false);
    const sent = notifications(s).filter((n) => n.deadline === 'hospital-death');
    expect(sent).toEqual([
      expect.objectContaining({
        kind: 'notice',
        recipients: ['coord-ana'],
        message: 'Died in hospital on 2027-03-14. Nothing more is chased; please close this journey as deceased.',
      }),
    ]);
    expect(notifications(s).some((n) => n.deadline === 'post-discharge-contact')).toBe(false);
  });

  it('whose admission never reached us stops the running clocks from the death', () => {
    const s = active();
    died(s);
    const open = s.deadlines.filter((d) => d.status === 'open');
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((d) => d.pausedSince === '2027-03-14T09:00:00.000Z')).toBe(true);
  });

  it('is not a stay a later admission is a readmission of', () => {
    const s = admitted();
    died(s);
    adt(s, 'A01', DISCHARGED + DAY);
    expect(s.hospitalStays.at(-1)?.readmission).toBe(false);
  });

  it('after it, the journey takes only its closure, a contact and a reassignment', () => {
    const s = admitted();
    died(s);
    const by = coordinator;
    const outcome = (type: Parameters<typeof checkCommand>[1], command: object) => {
      const checked = checkCommand(s, type, { by, ...command }, DISCHARGED + DAY);
      return 'rejected' in checked ? checked.rejected.type : 'accepted';
    };
    expect(outcome('review', { outcome: 'continue', notes: 'Steady at home' })).toBe('phase');
    expect(outcome('complete-action', { actionId: 'a1' })).toBe('phase');
    expect(outcome('contact', { kind: 'carer', channel: 'phone' })).toBe('accepted');
    expect(outcome('close', { reason: 'deceased', outcome: {} })).toBe('accepted');
  });

  it('cancelled by an A13, puts the person back on the ward with the clocks still stopped', () => {
    const s = admitted();
    const before = structuredClone(s.deadlines);
    died(s);
    adt(s, 'A13', DISCHARGED + HOUR);
    expect(s.phase).toBe('in-hospital');
    expect(s.hospitalStays[0]!.died).toBeUndefined();
    expect(s.hospitalStays[0]!.dischargedAt).toBeUndefined();
    expect(s.deadlines).toEqual(before);
  });
});

describe('hospital semantics (HAZ-04)', () => {
  it('a day case is recorded but pauses nothing, is no readmission, and its end opens no follow-up', () => {
    const s = dischargedAgain();
    const before = structuredClone(s.deadlines);
    adt(s, 'A01', DISCHARGED + 2 * DAY, { patientClass: 'day-case', location: 'Day surgery' });
    expect(s.phase).toBe('active');
    expect(s.deadlines).toEqual(before);
    expect(s.hospitalStays).toHaveLength(1);
    expect(s.attendances).toEqual([
      { at: new Date(DISCHARGED + 2 * DAY).toISOString(), kind: 'day-case', location: 'Day surgery' },
    ]);
    expect(entry(s, 'hospital.attended').detail).toBe('day case at Day surgery');
    expect(notifications(s).some((n) => n.deadline === 'readmission')).toBe(false);
    // Its A03 — even one that does not repeat the patient class — ends the attendance, not a stay.
    adt(s, 'A03', DISCHARGED + 2 * DAY + 6 * HOUR);
    expect(s.attendances?.[0]?.endedAt).toBe(new Date(DISCHARGED + 2 * DAY + 6 * HOUR).toISOString());
    expect(s.hospitalStays).toHaveLength(1);
    expect(s.deadlines).toEqual(before);
    expect(s.timeline.filter((e) => e.type === 'hospital.discharged')).toHaveLength(1);
  });

  it('an outpatient attendance is recorded and changes no clock', () => {
    const s = active();
    const before = structuredClone(s.deadlines);
    adt(s, 'A01', ADMITTED, { patientClass: 'outpatient' });
    expect(s).toMatchObject({ phase: 'active', attendances: [{ kind: 'outpatient' }] });
    expect(s.deadlines).toEqual(before);
  });

  it('a planned admission pauses the clocks but is not a readmission', () => {
    const s = dischargedAgain();
    adt(s, 'A01', DISCHARGED + 5 * DAY, { admission: 'planned' });
    expect(s.phase).toBe('in-hospital');
    expect(s.hospitalStays[1]).toMatchObject({ readmission: false, planned: true });
    expect(notifications(s).some((n) => n.deadline === 'readmission')).toBe(false);
    // An emergency one in the same window is.
    const t = dischargedAgain();
    adt(t, 'A01', DISCHARGED + 5 * DAY, { admission: 'emergency' });
    expect(t.hospitalStays[1]!.readmission).toBe(true);
  });

  it('a transfer to another hospital keeps the stay going: no follow-up, clocks still paused, the co-ordinator told', () => {
    const s = admitted();
    const paused = structuredClone(s.deadlines);
    adt(s, 'A03', DISCHARGED, { transfer: true });
    expect(s.phase).toBe('in-hospital');
    expect(s.hospitalStays).toHaveLength(1);
    expect(s.hospitalStays[0]).toMatchObject({ transferredOut: { at: new Date(DISCHARGED).toISOString() } });
    expect(s.hospitalStays[0]!.dischargedAt).toBeUndefined();
    expect(s.deadlines).toEqual(paused);
    expect(notifications(s).at(-1)).toMatchObject({
      deadline: 'hospital-transfer',
      kind: 'notice',
      recipients: ['coord-ana'],
    });
    // The receiving hospital's admission continues the same stay, and is no readmission.
    adt(s, 'A01', DISCHARGED + HOUR, { location: 'Leeds General Ward 3' });
    expect(s.hospitalStays).toHaveLength(1);
    expect(s.hospitalStays[0]).toMatchObject({ location: 'Leeds General Ward 3', readmission: false });
    expect(s.hospitalStays[0]!.transferredOut).toBeUndefined();
    expect(entry(s, 'hospital.transferred').detail).toBe('arrived from another hospital at Leeds General Ward 3');
    // Its discharge home is the one that restarts the clocks and opens the follow-up.
    adt(s, 'A03', DISCHARGED + 5 * DAY);
    expect(s.phase).toBe('active');
    expect(deadline(s, 'post-discharge-contact#1').status).toBe('open');
  });

  it('a discharge home from the second hospital, its admission never sent, ends the transferred stay', () => {
    const s = admitted();
    adt(s, 'A03', DISCHARGED, { transfer: true });
    adt(s, 'A03', DISCHARGED + 3 * DAY);
    expect(s.hospitalStays).toHaveLength(1);
    expect(s.hospitalStays[0]).toMatchObject({ dischargedAt: new Date(DISCHARGED + 3 * DAY).toISOString() });
    expect(s.hospitalStays[0]!.transferredOut).toBeUndefined();
    expect(s.phase).toBe('active');
  });

  it('a transfer cancelled by an A13 leaves the person on the first ward', () => {
    const s = admitted();
    adt(s, 'A03', DISCHARGED, { transfer: true });
    adt(s, 'A13', DISCHARGED + HOUR);
    expect(s.hospitalStays[0]!.transferredOut).toBeUndefined();
    expect(s.phase).toBe('in-hospital');
    expect(entry(s, 'hospital.transfer-cancelled').type).toBe('hospital.transfer-cancelled');
  });

  it('readmission is judged against the last discharge home, including the stay a referral says came before it', () => {
    // A death is no discharge home; a transfer does not end the stay.
    const s = atTriage();
    s.referrals[0]!.lastDischargeAt = new Date(T0 - 10 * DAY).toISOString();
    adt(s, 'A01', T0 + 5 * DAY);
    expect(s.hospitalStays[0]!.readmission).toBe(true);
    expect(notifications(s).some((n) => n.deadline === 'readmission')).toBe(true);
    const late = atTriage();
    late.referrals[0]!.lastDischargeAt = new Date(T0 - 40 * DAY).toISOString();
    adt(late, 'A01', T0 + 5 * DAY);
    expect(late.hospitalStays[0]!.readmission).toBe(false);
  });
});

describe('an attendance left open', () => {
  it('is not what an A03 a day later ends: that discharge still opens its follow-up', () => {
    const s = active();
    adt(s, 'A01', ADMITTED, { patientClass: 'day-case' });
    adt(s, 'A03', ADMITTED + DAY + 1);
    expect(s.attendances?.[0]?.endedAt).toBeUndefined();
    expect(deadline(s, 'post-discharge-contact#1').status).toBe('open');
  });
});

describe('a risk of suicide (HAZ-08)', () => {
  const mentalHealth = programme((p) => {
    p.deadlines.postDischargeContactIfSuicideRisk = 'PT48H';
  });
  const dischargedWith = (flag: { referral?: boolean; assessment?: boolean }, p = mentalHealth) => {
    const s = active(p);
    if (flag.referral !== undefined) s.referrals[0]!.suicideRisk = flag.referral;
    if (flag.assessment !== undefined) s.assessment!.suicideRisk = flag.assessment;
    adt(s, 'A01', ADMITTED);
    adt(s, 'A03', DISCHARGED);
    return s;
  };
  const due = (s: JourneyState) => deadline(s, 'post-discharge-contact#1').dueAt;

  it('flagged on the referral, the post-discharge follow-up is due in the programme’s 48 hours, not 72', () => {
    const s = dischargedWith({ referral: true });
    expect(due(s)).toBe(new Date(DISCHARGED + 48 * HOUR).toISOString());
    expect(notifications(s).at(-1)!.message).toBe(
      `Discharged from hospital with a risk of suicide flagged: contact due by ${new Date(DISCHARGED + 48 * HOUR).toISOString()} (PT48H).`,
    );
    expect(entry(s, 'hospital.discharged').data).toMatchObject({ suicideRisk: true });
    expect(due(dischargedWith({}))).toBe(new Date(DISCHARGED + 72 * HOUR).toISOString());
  });

  it('the assessment decides over the referral: found there, it applies; ruled out there, it does not', () => {
    expect(due(dischargedWith({ assessment: true }))).toBe(new Date(DISCHARGED + 48 * HOUR).toISOString());
    expect(due(dischargedWith({ referral: true, assessment: false }))).toBe(
      new Date(DISCHARGED + 72 * HOUR).toISOString(),
    );
  });

  it('a programme without the shorter deadline keeps its own', () => {
    expect(due(dischargedWith({ referral: true }, programme()))).toBe(new Date(DISCHARGED + 72 * HOUR).toISOString());
  });
});

describe('a discharge the hospital will not send (HAZ-20)', () => {
  const report = (s: JourneyState, now: number, more: object) =>
    checkCommand(s, 'reported-discharge', { by: coordinator, reportedBy: 'Ward 9 nurse in charge', ...more }, now);

  it('reported by a person after a transfer out of the feeds: the stay ends, the clocks restart and the follow-up opens, audited as their word', () => {
    const s = admitted();
    adt(s, 'A03', DISCHARGED, { transfer: true });
    const home = DISCHARGED + 4 * DAY;
    const checked = report(s, home + 2 * HOUR, { at: new Date(home).toISOString() });
    expect(checked).not.toHaveProperty('rejected');
    recordReportedDischarge(s, (checked as { command: never }).command, home + 2 * HOUR);
    expect(s.phase).toBe('active');
    expect(s.hospitalStays[0]).toMatchObject({ dischargedAt: new Date(home).toISOString() });
    expect(s.hospitalStays[0]!.transferredOut).toBeUndefined();
    expect(deadline(s, 'post-discharge-contact#1')).toMatchObject({ status: 'open' });
    expect(s.deadlines.filter((d) => d.status === 'open').every((d) => d.pausedSince === undefined)).toBe(true);
    expect(entry(s, 'hospital.discharged')).toMatchObject({
      by: 'coord-ana',
      detail:
        'discharged from hospital from the hospital the person was transferred to, as reported by Ward 9 nurse in charge',
      data: expect.objectContaining({ reportedBy: 'Ward 9 nurse in charge' }),
    });
  });

  it('a death reported by the family is a death: no follow-up, every clock stopped', () => {
    const s = admitted();
    const died = DISCHARGED + DAY;
    const checked = report(s, died + HOUR, { at: new Date(died).toISOString(), died: true, reportedBy: 'daughter' });
    recordReportedDischarge(s, (checked as { command: never }).command, died + HOUR);
    expect(s.hospitalStays[0]!.died).toBe(true);
    expect(s.deadlines.some((d) => d.name === 'post-discharge-contact')).toBe(false);
    expect(entry(s, 'hospital.died').detail).toBe('died in hospital, as reported by daughter');
  });

  it('is refused when the person is not in hospital, in the future, or before the stay began', () => {
    const home = active();
    expect(report(home, DISCHARGED, { at: new Date(DISCHARGED).toISOString() })).toMatchObject({
      rejected: { type: 'phase' },
    });
    const s = admitted();
    expect(report(s, DISCHARGED, { at: new Date(DISCHARGED + HOUR).toISOString() })).toMatchObject({
      rejected: { type: 'invalid', message: expect.stringContaining('future') },
    });
    expect(report(s, DISCHARGED, { at: new Date(ADMITTED - HOUR).toISOString() })).toMatchObject({
      rejected: { type: 'invalid', message: expect.stringContaining('before it') },
    });
    expect(report(s, DISCHARGED, { at: new Date(DISCHARGED).toISOString(), reportedBy: ' ' })).toMatchObject({
      rejected: { type: 'invalid' },
    });
  });
});
