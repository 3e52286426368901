/**
 * Reviews and contacts (domain/reviewsAndContacts.ts): scheduled reviews, which may step the risk
 * tier down, set it or close the journey, and contacts, one kind of which meets the
 * post-discharge follow-up.
 */
import { describe, expect, it } from 'vitest';
import type { ReviewCommand } from '../../domain/commands.js';
import { ms } from '../../domain/durations.js';
import { cancel, openDeadlineNamed, type JourneyState } from '../../domain/journeyState.js';
import { hospitalEvent } from '../../domain/hospitalStays.js';
import { checkContact, checkReview, recordContact, recordReview } from '../../domain/reviewsAndContacts.js';
import {
  active,
  atAssessment,
  atCarePlanning,
  atTriage,
  coordinator,
  DAY,
  deadline,
  entry,
  HOUR,
  openJourney,
  programme,
  T0,
} from './stageFixtures.js';
import { ruleError as error } from './stageFixtures.js';

/** Active (first review, review#1, due 2 June 2027), at the tier given. */
function activeAt(tier: 'high' | 'medium' | 'low', p = programme()): JourneyState {
  const s = active(p);
  s.risk.tier = tier;
  return s;
}

const REVIEW_DAY = T0 + 30 * DAY; // 31 March 2027, 09:00
const review = (s: JourneyState, cmd: Partial<ReviewCommand> = {}, now = REVIEW_DAY) =>
  recordReview(s, { outcome: 'continue', notes: 'doing well', by: coordinator, ...cmd }, now);

describe('a review', () => {
  it('meets the review due, records it against that due date and schedules the next from today', () => {
    const s = activeAt('medium');
    review(s);
    expect(deadline(s, 'review#1')).toMatchObject({ status: 'met', metAt: '2027-03-31T09:00:00.000Z' });
    expect(s.reviews).toEqual([
      {
        at: '2027-03-31T09:00:00.000Z',
        by: 'coord-ana',
        outcome: 'continue',
        riskTier: 'medium',
        notes: 'doing well',
        dueAt: '2027-06-02T09:00:00.000Z',
        seq: entry(s, 'review.recorded')!.seq,
      },
    ]);
    // medium risk: every 28 days, counted from the review, not from when it was due
    expect(deadline(s, 'review#2')).toMatchObject({ status: 'open', dueAt: '2027-04-28T09:00:00.000Z' });
    expect(entry(s, 'review.recorded')).toMatchObject({
      detail: 'review: continue, risk medium',
      data: { outcome: 'continue', riskTier: 'medium' },
    });
  });

  it('continuing leaves a scored tier as the score’s', () => {
    const s = activeAt('low');
    review(s);
    expect(s.risk).toMatchObject({ tier: 'low', tierSetBy: 'score' });
    expect(deadline(s, 'review#2').dueAt).toBe('2027-06-29T09:00:00.000Z'); // 90 days
  });

  it('stepping down moves high risk to medium, and the next review follows the new tier', () => {
    const s = activeAt('high');
    review(s, { outcome: 'step-down' });
    expect(s.risk).toMatchObject({ tier: 'medium', tierSetBy: 'person' });
    expect(s.reviews[0]!.riskTier).toBe('medium');
    expect(deadline(s, 'review#2').dueAt).toBe('2027-04-28T09:00:00.000Z');
  });

  it('stepping down from medium gives low; low can go no lower and stays the score’s', () => {
    const medium = activeAt('medium');
    review(medium, { outcome: 'step-down' });
    expect(medium.risk.tier).toBe('low');
    const low = activeAt('low');
    review(low, { outcome: 'step-down' });
    expect(low.risk).toMatchObject({ tier: 'low', tierSetBy: 'score' });
  });

  it('a tier the reviewer sets wins over stepping down, and is the person’s even when unchanged', () => {
    const s = activeAt('high');
    review(s, { outcome: 'step-down', riskTier: 'high' });
    expect(s.risk).toMatchObject({ tier: 'high', tierSetBy: 'person' });
    expect(deadline(s, 'review#2').dueAt).toBe('2027-04-14T09:00:00.000Z'); // 14 days
  });

  it('a review with no review due is recorded without a due date', () => {
    const s = activeAt('low');
    cancel(s, deadline(s, 'review#1'), 'test');
    review(s);
    expect(s.reviews[0]).not.toHaveProperty('dueAt');
    expect(deadline(s, 'review#2').status).toBe('open');
  });

  it('keeps the latest 50 reviews', () => {
    const s = activeAt('low');
    for (let i = 0; i < 52; i += 1) review(s, { notes: `review ${i}` }, REVIEW_DAY + i * DAY);
    expect(s.reviews).toHaveLength(50);
    expect(s.reviews[0]!.notes).toBe('review 2');
  });

  it('can be held while the person is in hospital', () => {
    const s = activeAt('low');
    s.phase = 'in-hospital';
    expect(error(() => checkReview(s, { outcome: 'continue', notes: 'n' }))).toBeUndefined();
  });

  it('is refused before the care plan is agreed', () => {
    expect(error(() => checkReview(atCarePlanning(), { outcome: 'continue', notes: 'n' }))).toMatchObject({
      code: 'phase',
      message: 'cannot record a review while the journey is care-planning',
    });
  });
});

describe('a review that closes the journey', () => {
  it('closes it as goals met unless another reason is given, and schedules no further review', () => {
    const s = activeAt('low');
    review(s, { outcome: 'close', closeOutcome: { goalsMet: 'some' } });
    expect(s).toMatchObject({ phase: 'closed', closure: { reason: 'goals-met', outcome: { goalsMet: 'some' } } });
    expect(deadline(s, 'review#1').status).toBe('met');
    expect(s.deadlines.some((d) => d.id === 'review#2')).toBe(false);
    expect(deadline(s, 'action:a1#v1').status).toBe('cancelled');
  });

  it('closes with the reason the reviewer gives', () => {
    const s = activeAt('low');
    review(s, { outcome: 'close', closeReason: 'moved-away' });
    expect(s.closure?.reason).toBe('moved-away');
  });

  it('on a palliative programme, a death recorded at review without the place of death is refused first', () => {
    const s = activeAt(
      'low',
      programme((p) => {
        p.recordsPlaceOfDeath = true;
      }),
    );
    const before = structuredClone(s);
    expect(error(() => review(s, { outcome: 'close', closeReason: 'deceased' }))).toMatchObject({ code: 'invalid' });
    expect(s).toEqual(before);
  });
});

describe('contacts', () => {
  const contact = (s: JourneyState, changes: Partial<Parameters<typeof recordContact>[1]> = {}, now = T0 + 5 * DAY) =>
    recordContact(s, { kind: 'routine', channel: 'phone', by: coordinator, ...changes }, now);

  it('are recorded as happening now unless a time is given', () => {
    const s = active();
    contact(s);
    contact(s, { kind: 'carer', channel: 'visit', at: '2027-03-05T14:00:00.000Z', notes: 'son is struggling' });
    // Each keeps its notes, and the timeline entry (the record's) that holds it.
    const [first, second] = s.timeline.filter((e) => e.type === 'contact.recorded').map((e) => e.seq);
    expect(s.contacts).toEqual([
      { at: '2027-03-06T09:00:00.000Z', by: 'coord-ana', kind: 'routine', channel: 'phone', seq: first },
      {
        at: '2027-03-05T14:00:00.000Z',
        by: 'coord-ana',
        kind: 'carer',
        channel: 'visit',
        notes: 'son is struggling',
        seq: second,
      },
    ]);
    expect(entry(s, 'contact.recorded')).toMatchObject({
      at: '2027-03-06T09:00:00.000Z',
      detail: 'carer contact by visit',
      data: { kind: 'carer', channel: 'visit', at: '2027-03-05T14:00:00.000Z' },
    });
  });

  it('can be made from triage on, but not before the referral is in nor after closing', () => {
    const cmd = { kind: 'routine', channel: 'phone' } as const;
    expect(error(() => checkContact(atTriage(), cmd, T0 + HOUR))).toBeUndefined();
    expect(error(() => checkContact(atAssessment(), cmd, T0 + HOUR))).toBeUndefined();
    expect(error(() => checkContact(openJourney(), cmd, T0 + HOUR))?.message).toBe(
      'cannot record a contact while the journey is referred',
    );
    const closed = active();
    review(closed, { outcome: 'close' });
    expect(error(() => checkContact(closed, cmd, REVIEW_DAY + HOUR))).toMatchObject({ code: 'phase' });
  });

  it('cannot be in the future; one at exactly now is fine', () => {
    const s = active();
    const now = ms('2027-03-06T09:00:00.000Z');
    const at = (t: string) => error(() => checkContact(s, { kind: 'routine', channel: 'phone', at: t }, now));
    expect(at('2027-03-06T09:00:00.001Z')).toMatchObject({
      code: 'invalid',
      message: 'a contact cannot be in the future (2027-03-06T09:00:00.001Z)',
    });
    expect(at('2027-03-06T09:00:00.000Z')).toBeUndefined();
  });

  it('cannot be before the journey opened; one at the very moment it opened is fine', () => {
    const s = active();
    const at = (t: string) => error(() => checkContact(s, { kind: 'routine', channel: 'phone', at: t }, T0 + DAY));
    expect(at('2027-03-01T08:59:59.999Z')).toMatchObject({
      code: 'invalid',
      message: 'a contact cannot be before the journey opened (2027-03-01T09:00:00.000Z)',
    });
    expect(at('2027-03-01T09:00:00.000Z')).toBeUndefined();
  });

  it('keeps the latest 100 contacts', () => {
    const s = active();
    for (let i = 0; i < 102; i += 1) contact(s, {}, T0 + 5 * DAY + i * HOUR);
    expect(s.contacts).toHaveLength(100);
    expect(s.contacts[0]!.at).toBe('2027-03-06T11:00:00.000Z');
  });
});

describe('the post-discharge contact', () => {
  /** Active, with a 72-hour follow-up due 8 March 09:00. */
  function awaitingFollowUp(): JourneyState {
    const s = active();
    openDeadlineNamed(s, 'post-discharge-contact', T0 + 4 * DAY, T0 + 7 * DAY, 'post-discharge-contact#1');
    return s;
  }

  it('meets the follow-up, judged by when the contact happened, not when it was written up', () => {
    const s = awaitingFollowUp();
    recordContact(
      s,
      { kind: 'post-discharge', channel: 'phone', at: '2027-03-08T08:00:00.000Z', by: coordinator },
      T0 + 8 * DAY,
    );
    expect(deadline(s, 'post-discharge-contact#1')).toMatchObject({
      status: 'met',
      metAt: '2027-03-08T08:00:00.000Z',
    });
    expect(entry(s, 'deadline.met').data).toMatchObject({ deadline: 'post-discharge-contact', onTime: true });
  });

  it('any other kind of contact leaves the follow-up open', () => {
    const s = awaitingFollowUp();
    recordContact(s, { kind: 'routine', channel: 'visit', by: coordinator }, T0 + 5 * DAY);
    expect(deadline(s, 'post-discharge-contact#1').status).toBe('open');
  });

  it('with no follow-up open, a post-discharge contact is simply recorded', () => {
    const s = active();
    recordContact(s, { kind: 'post-discharge', channel: 'phone', by: coordinator }, T0 + 5 * DAY);
    expect(s.contacts).toHaveLength(1);
    expect(s.timeline.some((e) => e.type === 'deadline.met' && e.data?.deadline === 'post-discharge-contact')).toBe(
      false,
    );
  });
});

describe('the post-discharge contact, with outcomes (two-way-contacts)', () => {
  /** Admitted 5 March, discharged 6 March 09:00: the 72-hour follow-up is due 9 March 09:00. */
  function homeFromHospital(): JourneyState {
    const s = active();
    s.rulesInForce = ['two-way-contacts'];
    hospitalEvent(s, { controlId: 'adm', event: 'A01' }, T0 + 4 * DAY);
    hospitalEvent(s, { controlId: 'dis', event: 'A03' }, T0 + 5 * DAY);
    return s;
  }
  const followUp = (s: JourneyState) => s.deadlines.find((d) => d.name === 'post-discharge-contact')!;
  const call = (s: JourneyState, changes: Partial<Parameters<typeof recordContact>[1]>, now = T0 + 6 * DAY) =>
    recordContact(s, { kind: 'post-discharge', channel: 'phone', by: coordinator, ...changes }, now);

  it('an unanswered call, a message left or a refusal is an attempt: recorded, shown, and the follow-up stays open', () => {
    const s = homeFromHospital();
    call(s, { outcome: 'no-answer' });
    call(s, { outcome: 'message-left' });
    call(s, { outcome: 'declined', channel: 'visit' });
    expect(followUp(s).status).toBe('open');
    expect(s.contacts.map((c) => c.outcome)).toEqual(['no-answer', 'message-left', 'declined']);
    const entries = s.timeline.filter((e) => e.type === 'contact.recorded');
    expect(entries.map((e) => [e.detail, e.data?.attempt])).toEqual([
      ['post-discharge contact by phone: no answer', true],
      ['post-discharge contact by phone: message left', true],
      ['post-discharge contact by visit: declined', true],
    ]);
  });

  it('a one-way message does not meet it, even when it reached the person', () => {
    const s = homeFromHospital();
    call(s, { channel: 'message', outcome: 'reached' });
    expect(followUp(s).status).toBe('open');
  });

  it('a conversation dated before the discharge does not meet it', () => {
    const s = homeFromHospital();
    call(s, { outcome: 'reached', channel: 'visit', at: '2027-03-06T08:00:00.000Z' });
    expect(followUp(s).status).toBe('open');
  });

  it('a call that reached the person after the discharge meets it; no outcome given means reached', () => {
    const s = homeFromHospital();
    call(s, { outcome: 'no-answer' });
    call(s, {});
    expect(followUp(s)).toMatchObject({ status: 'met', metAt: '2027-03-07T09:00:00.000Z' });
    expect(s.contacts.map((c) => c.outcome)).toEqual(['no-answer', 'reached']);
  });

  it('journeys started before then count any post-discharge contact, as they did', () => {
    const s = homeFromHospital();
    s.rulesInForce = [];
    call(s, { channel: 'message' });
    expect(followUp(s).status).toBe('met');
    expect(s.contacts[0]!.outcome).toBeUndefined();
  });
});
