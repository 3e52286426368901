/**
 * The helpers every stage shares (domain/journeyState.ts): the audit trail, phases, deadlines and
 * their escalation ladder, the outbox, and the risk score.
 */
import { describe, expect, it } from 'vitest';
import { iso, ms } from '../../domain/durations.js';
import {
  cancel,
  FINISHED_DEADLINES_KEPT,
  fireDueSteps,
  JourneyRuleError,
  meet,
  nextDueAt,
  notify,
  openDeadlineNamed,
  openNextReview,
  openReview,
  phaseError,
  recipientsFor,
  record,
  referredAt,
  rescore,
  setPhase,
  team,
  TIMELINE_KEPT,
  type JourneyState,
} from '../../domain/journeyState.js';
import {
  coordinator,
  DAY,
  deadline,
  highRiskReferral,
  HOUR,
  lastEntry,
  notifications,
  openJourney,
  referral,
  T0,
} from './stageFixtures.js';

/** A journey with no referral yet, in the phase given. */
function journeyIn(phase: JourneyState['phase'], communityPhase = phase): JourneyState {
  const s = openJourney();
  s.phase = phase;
  s.communityPhase = communityPhase as JourneyState['communityPhase'];
  return s;
}

describe('rule errors', () => {
  it('carry a code and a name callers can tell apart from programming errors', () => {
    const e = new JourneyRuleError('not-found', 'no such action');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('JourneyRuleError');
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('no such action');
  });

  it('a phase error names the phase, and while in hospital the phase the journey will return to', () => {
    expect(phaseError(journeyIn('triage'), 'agree a care plan').message).toBe(
      'cannot agree a care plan while the journey is triage',
    );
    const e = phaseError(journeyIn('in-hospital', 'active'), 'record a review');
    expect(e.code).toBe('phase');
    expect(e.message).toBe('cannot record a review while the journey is in hospital (active)');
  });
});

describe('the team', () => {
  it('is looked up in the journey’s own programme snapshot', () => {
    expect(team(openJourney()).leads).toEqual(['lead-lou']);
  });

  it('a team the programme does not have is a programming error, not a rule error', () => {
    const s = openJourney();
    s.teamId = 'team-z';
    expect(() => team(s)).toThrow('team team-z is not in programme test-programme');
    expect(() => team(s)).not.toThrow(JourneyRuleError);
  });
});

describe('the audit trail', () => {
  it('numbers each entry, names who did it and bumps the revision', () => {
    const s = openJourney();
    record(s, T0, 'note', coordinator, 'first');
    record(s, T0 + HOUR, 'note', 'hospital-adt', 'second', { ward: 'A' });
    expect(s.timeline).toEqual([
      { seq: 1, at: '2027-03-01T09:00:00.000Z', type: 'note', by: 'coord-ana', detail: 'first' },
      {
        seq: 2,
        at: '2027-03-01T10:00:00.000Z',
        type: 'note',
        by: 'hospital-adt',
        detail: 'second',
        data: { ward: 'A' },
      },
    ]);
    expect(s.counters).toMatchObject({ seq: 2, revision: 2 });
  });

  it(`keeps only the latest ${TIMELINE_KEPT} entries, while the sequence keeps counting`, () => {
    const s = openJourney();
    for (let i = 1; i <= TIMELINE_KEPT + 5; i += 1) record(s, T0, 'note', coordinator, `entry ${i}`);
    expect(s.timeline).toHaveLength(TIMELINE_KEPT);
    expect(s.timeline[0]!.seq).toBe(6);
    expect(lastEntry(s).seq).toBe(TIMELINE_KEPT + 5);
  });
});

describe('phases', () => {
  it('outside hospital the phase and the community phase move together', () => {
    const s = journeyIn('assessment');
    setPhase(s, 'care-planning');
    expect([s.phase, s.communityPhase]).toEqual(['care-planning', 'care-planning']);
  });

  it('in hospital only the community phase moves: the person is still on the ward', () => {
    const s = journeyIn('in-hospital', 'care-planning');
    setPhase(s, 'active');
    expect([s.phase, s.communityPhase]).toEqual(['in-hospital', 'active']);
  });

  it('closing from hospital closes the journey itself', () => {
    const s = journeyIn('in-hospital', 'active');
    setPhase(s, 'closed');
    expect([s.phase, s.communityPhase]).toEqual(['closed', 'closed']);
  });
});

describe('opening deadlines', () => {
  it('opens with its due time, no ladder steps sent and the revision bumped', () => {
    const s = openJourney();
    const d = openDeadlineNamed(s, 'care-plan', T0, T0 + 7 * DAY);
    expect(d).toEqual({
      id: 'care-plan',
      name: 'care-plan',
      openedAt: '2027-03-01T09:00:00.000Z',
      dueAt: '2027-03-08T09:00:00.000Z',
      status: 'open',
      ladderStep: 0,
    });
    expect(s.deadlines).toEqual([d]);
    expect(s.counters.revision).toBe(1);
  });

  it('a deadline opened while the person is in hospital starts paused, except triage, which goes on', () => {
    const s = journeyIn('in-hospital', 'active');
    expect(openDeadlineNamed(s, 'action:a1', T0, T0 + DAY).pausedSince).toBe(iso(T0));
    expect(openDeadlineNamed(s, 'triage', T0, T0 + DAY).pausedSince).toBeUndefined();
  });
});

describe('meeting and cancelling deadlines', () => {
  it('met exactly at its due time is on time', () => {
    const s = openJourney();
    const d = openDeadlineNamed(s, 'care-plan', T0, T0 + DAY);
    meet(s, d, T0 + DAY, coordinator);
    expect(d).toMatchObject({ status: 'met', metAt: iso(T0 + DAY) });
    expect(lastEntry(s)).toMatchObject({
      type: 'deadline.met',
      by: 'coord-ana',
      detail: 'care-plan met on time',
      data: { deadline: 'care-plan', dueAt: iso(T0 + DAY), onTime: true },
    });
  });

  it('met a millisecond after its due time is late', () => {
    const s = openJourney();
    const d = openDeadlineNamed(s, 'care-plan', T0, T0 + DAY);
    meet(s, d, T0 + DAY + 1, coordinator);
    expect(lastEntry(s)).toMatchObject({ detail: 'care-plan met late', data: { onTime: false } });
  });

  it('meeting a paused deadline unpauses it', () => {
    const s = journeyIn('in-hospital', 'active');
    const d = openDeadlineNamed(s, 'review', T0, T0 + DAY);
    meet(s, d, T0 + HOUR, coordinator);
    expect(d.pausedSince).toBeUndefined();
  });

  it('a deadline that is missing or no longer open is neither met again nor recorded', () => {
    const s = openJourney();
    const d = openDeadlineNamed(s, 'care-plan', T0, T0 + DAY);
    cancel(s, d, 'journey closed');
    const seq = s.counters.seq;
    meet(s, d, T0 + HOUR, coordinator);
    meet(s, undefined, T0 + HOUR, coordinator);
    expect(d.status).toBe('cancelled');
    expect(d.metAt).toBeUndefined();
    expect(s.counters.seq).toBe(seq);
  });

  it('cancelling says why, and never turns a met deadline into a cancelled one', () => {
    const s = openJourney();
    const cancelled = openDeadlineNamed(s, 'action:a1', T0, T0 + DAY);
    const met = openDeadlineNamed(s, 'action:a2', T0, T0 + DAY);
    meet(s, met, T0 + HOUR, coordinator);
    cancel(s, cancelled, 'removed from the care plan');
    cancel(s, met, 'journey closed');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledBecause: 'removed from the care plan' });
    expect(met.status).toBe('met');
    expect(met.cancelledBecause).toBeUndefined();
  });

  it(`keeps the latest ${FINISHED_DEADLINES_KEPT} finished deadlines and every open one`, () => {
    const s = openJourney();
    const stillOpen = openDeadlineNamed(s, 'review', T0, T0 + DAY, 'review#1');
    for (let i = 1; i <= FINISHED_DEADLINES_KEPT + 2; i += 1)
      cancel(s, openDeadlineNamed(s, 'action:x', T0, T0 + DAY, `action:x#v${i}`), 'due date changed');
    const finished = s.deadlines.filter((d) => d.status !== 'open');
    expect(finished).toHaveLength(FINISHED_DEADLINES_KEPT);
    expect(finished[0]!.id).toBe('action:x#v3');
    expect(s.deadlines).toContain(stillOpen);
  });
});

describe('notifications and who they reach', () => {
  it('a notification’s id is the journey and its key, so the same step never notifies twice', () => {
    const s = openJourney();
    notify(s, T0, {
      key: 'review#1/0',
      kind: 'reminder',
      level: 0,
      deadline: 'review',
      recipients: ['x'],
      message: 'm',
    });
    expect(notifications(s)).toEqual([
      {
        id: 'test-programme.pabc.0001/review#1/0',
        journeyId: 'test-programme.pabc.0001',
        programmeId: 'test-programme',
        teamId: 'team-a',
        createdAt: iso(T0),
        kind: 'reminder',
        level: 0,
        deadline: 'review',
        recipients: ['x'],
        message: 'm',
      },
    ]);
  });

  it('work for the co-ordinator goes to the team lead while nobody is named', () => {
    const s = openJourney();
    expect(recipientsFor(s, 'coordinator')).toEqual(['lead-lou']);
    s.coordinatorId = 'coord-ben';
    expect(recipientsFor(s, 'coordinator')).toEqual(['coord-ben']);
    expect(recipientsFor(s, 'team-lead')).toEqual(['lead-lou']);
    expect(recipientsFor(s, 'service-manager')).toEqual(['mgr-max']);
  });
});

describe('the escalation ladder', () => {
  /** A care-plan deadline due on 8 March at 09:00, with coord-ana named. */
  function withCarePlanDue(): JourneyState {
    const s = openJourney();
    s.coordinatorId = 'coord-ana';
    openDeadlineNamed(s, 'care-plan', T0, ms('2027-03-08T09:00:00.000Z'));
    return s;
  }

  it('the reminder fires exactly a day before the due time, and not a millisecond earlier', () => {
    const s = withCarePlanDue();
    fireDueSteps(s, ms('2027-03-07T09:00:00.000Z') - 1);
    expect(notifications(s)).toEqual([]);
    fireDueSteps(s, ms('2027-03-07T09:00:00.000Z'));
    expect(notifications(s)).toMatchObject([
      {
        id: 'test-programme.pabc.0001/care-plan/0',
        kind: 'reminder',
        level: 0,
        recipients: ['coord-ana'],
        message: 'care-plan is due 2027-03-08T09:00:00.000Z',
      },
    ]);
    expect(deadline(s, 'care-plan').ladderStep).toBe(1);
    expect(lastEntry(s)).toMatchObject({
      type: 'deadline.step',
      by: 'carepath',
      detail: 'care-plan: reminder to coordinator',
    });
  });

  it('after an outage every step now due fires once, in ladder order, stamped with the time given', () => {
    const s = withCarePlanDue();
    const now = ms('2027-03-12T09:00:00.000Z');
    fireDueSteps(s, ms('2027-03-09T09:00:00.000Z'), now);
    fireDueSteps(s, ms('2027-03-09T09:00:00.000Z'), now);
    expect(notifications(s).map((n) => [n.kind, n.level, n.recipients, n.createdAt])).toEqual([
      ['reminder', 0, ['coord-ana'], iso(now)],
      ['overdue', 0, ['coord-ana'], iso(now)],
      ['escalation', 1, ['lead-lou'], iso(now)],
    ]);
    expect(notifications(s)[1]!.message).toBe('care-plan was due 2027-03-08T09:00:00.000Z');
    expect(deadline(s, 'care-plan').ladderStep).toBe(3);
  });

  it('a deadline opened with its ladder behind it fires the overdue notice once, and escalates from then, not all at once', () => {
    // A referral backdated by ten days: triage (due a day after it was made) is nine days overdue.
    const s = openJourney();
    s.rulesInForce = ['past-steps-once'];
    const made = ms('2027-02-19T09:00:00.000Z');
    openDeadlineNamed(s, 'triage', T0, made + DAY);
    expect(notifications(s).map((n) => [n.kind, n.level, n.recipients, n.createdAt])).toEqual([
      ['overdue', 0, ['lead-lou'], iso(T0)],
    ]);
    expect(s.timeline.filter((e) => e.type === 'deadline.step').map((e) => e.detail)).toEqual([
      'triage: overdue to coordinator',
    ]);
    // The reminder is skipped; the escalations follow the overdue notice as they would follow a due
    // time: the lead a day later, the manager three days later, if triage is still not done.
    expect(deadline(s, 'triage')).toMatchObject({ ladderStep: 2, ladderFrom: iso(T0) });
    fireDueSteps(s, T0 + DAY - 1);
    expect(notifications(s)).toHaveLength(1);
    fireDueSteps(s, T0 + 3 * DAY);
    expect(notifications(s).map((n) => [n.kind, n.level])).toEqual([
      ['overdue', 0],
      ['escalation', 1],
      ['escalation', 2],
    ]);
  });

  it('only the reminder behind it: that one fires, and the rest of the ladder follows on time', () => {
    const s = openJourney();
    s.rulesInForce = ['past-steps-once'];
    s.coordinatorId = 'coord-ana';
    // Due in twelve hours: the reminder (a day before) is behind, the overdue notice ahead.
    openDeadlineNamed(s, 'care-plan', T0, T0 + 12 * HOUR);
    expect(deadline(s, 'care-plan').ladderStep).toBe(0); // one step behind: the timer fires it at once
    fireDueSteps(s, T0);
    expect(notifications(s).map((n) => n.kind)).toEqual(['reminder']);
    fireDueSteps(s, T0 + 12 * HOUR);
    expect(notifications(s).map((n) => n.kind)).toEqual(['reminder', 'overdue']);
  });

  it('journeys started before then still fire the whole ladder they open behind', () => {
    const s = openJourney();
    openDeadlineNamed(s, 'triage', T0, ms('2027-02-20T09:00:00.000Z'));
    fireDueSteps(s, T0);
    expect(notifications(s).map((n) => n.kind)).toEqual(['reminder', 'overdue', 'escalation', 'escalation']);
  });

  it('a paused or met deadline sends nothing', () => {
    const s = withCarePlanDue();
    deadline(s, 'care-plan').pausedSince = iso(T0);
    openDeadlineNamed(s, 'review', T0, T0 + DAY).status = 'met';
    fireDueSteps(s, ms('2027-04-01T09:00:00.000Z'));
    expect(notifications(s)).toEqual([]);
  });
});

describe('the risk score', () => {
  it('nothing to score before the first referral', () => {
    const s = openJourney();
    rescore(s);
    expect(s.risk).toEqual({ score: 0, tier: 'low', factors: [], tierSetBy: 'score' });
  });

  it('scores the oldest age and every condition across all referrals', () => {
    const s = openJourney();
    s.referrals.push(
      referral({ age: 70, conditions: ['copd'] }),
      referral({ referralId: 'r2', age: 80, conditions: ['falls'] }),
    );
    rescore(s);
    // 15 years over 65 (0.15) + two conditions (0.2)
    expect(s.risk).toMatchObject({ score: 0.35, tier: 'medium', tierSetBy: 'score' });
  });

  it('the assessment overrides what the referral said about living alone and the carer', () => {
    const s = openJourney();
    s.referrals.push(referral({ livesAlone: true, carer: { strain: true } }));
    rescore(s);
    expect(s.risk.score).toBe(0.4); // 0.05 age + 0.1 copd + 0.1 alone + 0.15 strain
    s.assessment = {
      summary: 's',
      needs: [],
      livesAlone: false,
      carer: { present: false, strain: false },
      at: iso(T0),
      by: 'x',
    };
    rescore(s);
    expect(s.risk.score).toBe(0.2); // 0.05 age + 0.1 copd + 0.05 no carer
    expect(s.risk.factors.map((f) => f.factor)).toEqual(['age', 'long-term conditions', 'no carer']);
  });

  it('a tier a person set survives rescoring; the score itself still updates', () => {
    const s = openJourney();
    s.referrals.push(highRiskReferral());
    s.risk = { ...s.risk, tier: 'low', tierSetBy: 'person' };
    rescore(s);
    expect(s.risk).toMatchObject({ score: 0.7, tier: 'low', tierSetBy: 'person' });
  });
});

describe('the referral clock and the review schedule', () => {
  it('starts when the first referral was received, never in the future', () => {
    const s = openJourney();
    s.referrals.push(referral({ receivedAt: '2027-02-20T09:00:00.000Z' }));
    expect(iso(referredAt(s, T0))).toBe('2027-02-20T09:00:00.000Z');
    s.referrals[0]!.receivedAt = '2027-03-02T09:00:00.000Z';
    expect(referredAt(s, T0)).toBe(T0);
  });

  it('each review gets its own numbered deadline, and the open one is the one found', () => {
    const s = openJourney();
    openNextReview(s, T0, 'P28D');
    cancel(s, deadline(s, 'review#1'), 'test');
    openNextReview(s, T0 + DAY, 'P14D');
    expect(s.deadlines.map((d) => [d.id, d.dueAt])).toEqual([
      ['review#1', '2027-03-29T09:00:00.000Z'],
      ['review#2', '2027-03-16T09:00:00.000Z'],
    ]);
    expect(openReview(s)?.id).toBe('review#2');
  });

  it('the next due time is the earliest open deadline that is not paused', () => {
    const s = openJourney();
    expect(nextDueAt(s)).toBeUndefined();
    openDeadlineNamed(s, 'a', T0, ms('2027-03-05T09:00:00.000Z'));
    openDeadlineNamed(s, 'b', T0, ms('2027-03-03T09:00:00.000Z')).pausedSince = iso(T0);
    openDeadlineNamed(s, 'c', T0, ms('2027-03-02T09:00:00.000Z')).status = 'met';
    openDeadlineNamed(s, 'd', T0, ms('2027-03-04T09:00:00.000Z'));
    expect(nextDueAt(s)).toBe('2027-03-04T09:00:00.000Z');
  });
});
