/**
 * Intake and triage (domain/intakeAndTriage.ts): opening a journey, taking referrals in and
 * merging later ones, and triage — decided at once for clear cases, by a person otherwise.
 */
import { describe, expect, it } from 'vitest';
import { iso } from '../../domain/durations.js';
import {
  checkReferral,
  checkTriage,
  decideTriage,
  newJourney,
  openingFor,
  receiveReferral,
} from '../../domain/intakeAndTriage.js';
import { JourneyRuleError, type JourneyState } from '../../domain/journeyState.js';
import {
  atAssessment,
  atTriage,
  DAY,
  deadline,
  highRiskReferral,
  HOUR,
  lead,
  openJourney,
  programme,
  referral,
  T0,
} from './stageFixtures.js';

const refer = (s: JourneyState, changes: Parameters<typeof referral>[0] = {}, now = T0) =>
  receiveReferral(s, referral(changes), now);

describe('opening a journey', () => {
  it('starts referred, routine, low risk and with nobody assigned', () => {
    const s = newJourney(
      { journeyId: 'j1', workflowId: 'w1', patientId: 'p1', programme: programme(), teamId: 'team-a' },
      T0,
    );
    expect(s).toMatchObject({
      schema: 1,
      phase: 'referred',
      communityPhase: 'referred',
      openedAt: '2027-03-01T09:00:00.000Z',
      urgency: 'routine',
      coordinatorId: null,
      assignment: 'none',
      risk: { score: 0, tier: 'low', tierSetBy: 'score' },
      deadlines: [],
      outbox: [],
      counters: { seq: 0, audited: 0, reviews: 0, stays: 0, revision: 0 },
    });
  });
});

describe('what a referrer is told', () => {
  const p = programme();
  it('a high-risk referral with consent goes straight to assessment', () => {
    expect(openingFor(p, highRiskReferral())).toEqual({
      phase: 'assessment',
      triage: { decision: 'accept', reason: 'risk score 0.7 meets 0.6' },
    });
  });
  it('an eligible referral that is not clear-cut waits for triage', () => {
    expect(openingFor(p, referral())).toEqual({ phase: 'triage' });
  });
  it('a referral under the minimum age waits for a person, and says why, unless the programme lets age close it', () => {
    expect(openingFor(p, referral({ age: 17 }))).toEqual({ phase: 'triage', triageConcerns: ['age 17 is under 18'] });
    const closesOnAge = programme((x) => {
      x.eligibility.closesAutomatically = ['minAge'];
    });
    expect(openingFor(closesOnAge, referral({ age: 17 }))).toEqual({
      phase: 'closed',
      triage: { decision: 'decline', reason: 'age 17 is under 18' },
    });
  });
});

describe('receiving referrals', () => {
  it('the first referral sets the team and urgency and is recorded from the referring organisation', () => {
    const s = openJourney();
    s.teamId = 'placeholder';
    expect(refer(s, { urgency: 'urgent', referrerOrganisation: 'Riverside Surgery' })).toEqual({ merged: false });
    expect(s).toMatchObject({ teamId: 'team-a', urgency: 'urgent', risk: { score: 0.15, tier: 'low' } });
    expect(s.timeline[0]).toMatchObject({
      type: 'referral.received',
      by: 'Riverside Surgery',
      detail: 'urgent referral from gp',
      data: { source: 'gp', urgency: 'urgent', referralId: 'r1' },
    });
  });

  it('without an organisation the referral is recorded as from its source', () => {
    const s = openJourney();
    refer(s, { source: 'self' });
    expect(s.timeline[0]!.by).toBe('self');
  });

  it('a first referral to a team the programme does not have is refused and changes nothing', () => {
    const s = openJourney();
    const before = structuredClone(s);
    expect(() => refer(s, { teamId: 'team-z' })).toThrow(
      new JourneyRuleError('invalid', 'team team-z is not in programme test-programme'),
    );
    expect(s).toEqual(before);
  });

  it('a later referral naming another team still joins the one open journey', () => {
    const s = atTriage();
    expect(refer(s, { referralId: 'r2', teamId: 'team-z', conditions: ['falls'] }, T0 + HOUR)).toEqual({
      merged: true,
    });
    expect(s.teamId).toBe('team-a');
    expect(s.timeline.at(-1)).toMatchObject({ type: 'referral.merged', data: { referralId: 'r2' } });
    expect(s.risk.score).toBe(0.25); // the merged referral's condition now counts
  });

  it('the same referral delivered twice changes nothing, and says whether it was the merged one', () => {
    const s = atTriage();
    refer(s, { referralId: 'r2' }, T0 + HOUR);
    const before = structuredClone(s);
    expect(refer(s, {}, T0 + 2 * HOUR)).toEqual({ merged: false });
    expect(refer(s, { referralId: 'r2' }, T0 + 2 * HOUR)).toEqual({ merged: true });
    expect(s).toEqual(before);
  });

  it('a referral for a closed journey is refused: it opens a new episode', () => {
    const s = openJourney();
    refer(s, { age: 10 });
    expect(s.phase).toBe('closed');
    expect(() => checkReferral(s, referral({ referralId: 'r2' }))).toThrow(
      'this journey has closed; the referral opens a new episode',
    );
  });
});

describe('automatic triage in journeys started before person-decides-triage', () => {
  const declined = (changes: Parameters<typeof referral>[0], p = programme()) => {
    const s = openJourney(p);
    refer(s, changes);
    return s;
  };

  it('the minimum age is eligible; a year under is declined as ineligible, with the reason', () => {
    expect(declined({ age: 18, conditions: ['a', 'b'] }).phase).toBe('triage');
    const s = declined({ age: 17, conditions: ['a', 'b'] });
    expect(s.phase).toBe('closed');
    expect(s.triage).toEqual({
      decision: 'decline',
      reason: 'age 17 is under 18',
      by: 'carepath',
      at: iso(T0),
      automatic: true,
    });
    expect(s.closure).toMatchObject({ reason: 'ineligible', by: 'carepath' });
  });

  it('the maximum age is eligible; a year over is declined', () => {
    expect(declined({ age: 105 }).phase).not.toBe('closed');
    expect(declined({ age: 106 }).triage?.reason).toBe('age 106 is over 105');
  });

  it('a risk score exactly at the minimum is eligible; just under it is declined', () => {
    // age 75 with no conditions scores 0.1; age 74 scores 0.09
    expect(declined({ age: 75, conditions: [] }).phase).toBe('triage');
    const s = declined({ age: 74, conditions: [] });
    expect(s.phase).toBe('closed');
    expect(s.triage?.reason).toBe('risk score 0.09 is below 0.1');
  });

  it('every reason a referral is ineligible is given', () => {
    expect(declined({ age: 16, conditions: [] }).triage?.reason).toBe('age 16 is under 18; risk score 0 is below 0.1');
  });

  it('a risk score exactly at the auto-accept threshold is accepted at once', () => {
    // age 95 (0.3) and three conditions (0.3) make 0.6
    const s = declined({ age: 95, conditions: ['a', 'b', 'c'] });
    expect(s.phase).toBe('assessment');
    expect(s.triage).toMatchObject({ decision: 'accept', reason: 'risk score 0.6 meets 0.6', automatic: true });
  });

  it('just under the auto-accept threshold waits for a person, with a triage deadline', () => {
    const s = declined({ age: 94, conditions: ['a', 'b', 'c'] });
    expect(s.phase).toBe('triage');
    expect(s.triage).toBeUndefined();
    expect(deadline(s, 'triage').dueAt).toBe('2027-03-03T09:00:00.000Z');
  });

  it('a high-risk referral without consent is not accepted automatically', () => {
    const s = openJourney();
    receiveReferral(s, highRiskReferral({ consentGiven: false }), T0);
    expect(s.phase).toBe('triage');
  });

  it('a programme with no triage time limit opens no triage deadline', () => {
    const s = declined(
      {},
      programme((p) => {
        delete p.deadlines.triage;
      }),
    );
    expect(s.phase).toBe('triage');
    expect(s.deadlines).toEqual([]);
  });

  it('an automatic accept asks for a co-ordinator and opens the assessment deadline from the referral', () => {
    const s = openJourney();
    receiveReferral(s, highRiskReferral({ receivedAt: '2027-02-27T09:00:00.000Z' }), T0);
    expect(s.assignment).toBe('pending');
    expect(s.outbox).toEqual([{ type: 'assign', teamId: 'team-a', at: T0 }]);
    // routine: 10 days from when the referral was received, not from triage
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-09T09:00:00.000Z');
  });
});

describe('a person decides triage (person-decides-triage, HAZ-01)', () => {
  /** A journey started since the rule, as every new journey is. */
  const underRule = (p = programme()) => {
    const s = openJourney(p);
    s.rulesInForce = ['person-decides-triage'];
    return s;
  };
  const closesOnAge = programme((p) => {
    p.eligibility.closesAutomatically = ['minAge'];
  });
  const notices = (s: JourneyState) =>
    s.outbox
      .flatMap((e) => (e.type === 'notify' ? [e.notification] : []))
      .filter((n) => n.deadline === 'referral-declined');

  it('a referral failing a criterion waits for a person with the reasons shown, and a triage deadline', () => {
    const s = underRule();
    refer(s, { age: 16, conditions: [], referredBy: 'gp-ravi' });
    expect(s.phase).toBe('triage');
    expect(s.triage).toBeUndefined();
    expect(s.closure).toBeUndefined();
    expect(s.triageConcerns).toEqual(['age 16 is under 18', 'risk score 0 is below 0.1']);
    expect(s.timeline.at(-1)).toMatchObject({
      type: 'triage.needs-decision',
      by: 'carepath',
      detail: 'for a person to decide: age 16 is under 18; risk score 0 is below 0.1',
    });
    expect(deadline(s, 'triage').dueAt).toBe('2027-03-03T09:00:00.000Z');
    expect(notices(s)).toEqual([]);
  });

  it('a failing referral is never accepted automatically, however high it scores', () => {
    const s = underRule();
    receiveReferral(s, highRiskReferral({ age: 106 }), T0);
    expect(s).toMatchObject({ phase: 'triage', triageConcerns: ['age 106 is over 105'] });
  });

  it('a routine referral closes automatically only on a criterion the programme names, and the referrer is told why', () => {
    const s = underRule(closesOnAge);
    refer(s, { age: 17, conditions: ['a', 'b'], referredBy: 'gp-ravi' });
    expect(s).toMatchObject({
      phase: 'closed',
      triage: { decision: 'decline', reason: 'age 17 is under 18', automatic: true },
      closure: { reason: 'ineligible' },
    });
    expect(notices(s)).toMatchObject([
      { kind: 'notice', recipients: ['gp-ravi'], message: 'Your referral was declined: age 17 is under 18.' },
    ]);
    // A criterion the programme did not name still waits for a person.
    const lowRisk = underRule(closesOnAge);
    refer(lowRisk, { age: 74, conditions: [] });
    expect(lowRisk).toMatchObject({ phase: 'triage', triageConcerns: ['risk score 0.09 is below 0.1'] });
  });

  it('an urgent referral is never closed automatically', () => {
    const s = underRule(closesOnAge);
    refer(s, { age: 17, urgency: 'urgent', referredBy: 'gp-ravi' });
    expect(s).toMatchObject({ phase: 'triage', triageConcerns: ['age 17 is under 18'] });
    expect(s.closure).toBeUndefined();
  });

  it('a person’s decision clears the concerns; a decline reaches every referrer, through the team lead for an integration engine', () => {
    const s = underRule();
    refer(s, { age: 74, conditions: [], referredBy: 'gp-ravi' });
    refer(s, { referralId: 'r2', source: 'hospital', referrerOrganisation: 'Torbay Hospital' }, T0 + HOUR);
    decideTriage(s, { decision: 'decline', reason: 'needs met by the district nurses', by: lead }, T0 + 2 * HOUR);
    expect(s.triageConcerns).toBeUndefined();
    expect(s.phase).toBe('closed');
    expect(notices(s)).toMatchObject([
      { level: 0, recipients: ['gp-ravi'], message: 'Your referral was declined: needs met by the district nurses.' },
      {
        level: 1,
        recipients: ['lead-lou'],
        message: 'Referral declined: needs met by the district nurses. Please tell the referrer (Torbay Hospital).',
      },
    ]);
    const accepted = underRule();
    refer(accepted, { age: 74, conditions: [] });
    decideTriage(accepted, { decision: 'accept', reason: 'frail, lives alone', by: lead }, T0 + HOUR);
    expect(accepted.triageConcerns).toBeUndefined();
    expect(notices(accepted)).toEqual([]);
  });
});

describe('triage by a person', () => {
  it('accepting meets the triage deadline and opens the routine assessment deadline', () => {
    const s = atTriage();
    decideTriage(s, { decision: 'accept', reason: 'needs co-ordination', by: lead }, T0 + HOUR);
    expect(s).toMatchObject({
      phase: 'assessment',
      assignment: 'pending',
      triage: { by: 'lead-lou', automatic: false },
    });
    expect(deadline(s, 'triage')).toMatchObject({ status: 'met', metAt: iso(T0 + HOUR) });
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-11T09:00:00.000Z');
  });

  it('an urgent referral is assessed within a day of referral', () => {
    const s = openJourney();
    refer(s, { urgency: 'urgent' });
    decideTriage(s, { decision: 'accept', reason: 'r', by: lead }, T0 + HOUR);
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-02T09:00:00.000Z');
  });

  it('a risk tier set at triage is the person’s, not the score’s', () => {
    const s = atTriage();
    decideTriage(s, { decision: 'accept', reason: 'r', riskTier: 'high', by: lead }, T0 + HOUR);
    expect(s.risk).toMatchObject({ score: 0.15, tier: 'high', tierSetBy: 'person' });
  });

  it('declining closes the journey, ineligible unless another reason is given', () => {
    const ineligible = atTriage();
    decideTriage(ineligible, { decision: 'decline', reason: 'not for us', by: lead }, T0 + HOUR);
    expect(ineligible.closure?.reason).toBe('ineligible');
    const declined = atTriage();
    decideTriage(declined, { decision: 'decline', reason: 'said no', closeReason: 'declined', by: lead }, T0 + HOUR);
    expect(declined).toMatchObject({ phase: 'closed', closure: { reason: 'declined' } });
    expect(deadline(declined, 'triage').status).toBe('met');
    expect(declined.outbox).toEqual([]);
  });

  it('a person in hospital can still be triaged', () => {
    const s = atTriage();
    s.phase = 'in-hospital';
    expect(() => checkTriage(s)).not.toThrow();
  });

  it('triage once the journey has moved on is refused', () => {
    const s = atAssessment();
    expect(() => decideTriage(s, { decision: 'accept', reason: 'r', by: lead }, T0 + DAY)).toThrow(
      new JourneyRuleError('phase', 'cannot record a triage decision while the journey is assessment'),
    );
  });
});

describe('a later urgent referral', () => {
  it('brings a routine assessment forward to a day after the first referral', () => {
    const s = atAssessment();
    refer(s, { referralId: 'r2', urgency: 'urgent' }, T0 + 2 * HOUR);
    expect(s.urgency).toBe('urgent');
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-02T09:00:00.000Z');
    expect(s.timeline.at(-1)).toMatchObject({
      type: 'deadline.moved',
      detail: 'assessment brought forward by an urgent referral',
      data: { deadline: 'assessment', dueAt: '2027-03-02T09:00:00.000Z' },
    });
  });

  it('arriving after the urgent time has passed makes the assessment due now, not in the past', () => {
    const s = atAssessment();
    refer(s, { referralId: 'r2', urgency: 'urgent' }, T0 + 3 * DAY);
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-04T09:00:00.000Z');
  });

  it('a routine later referral moves nothing', () => {
    const s = atAssessment();
    refer(s, { referralId: 'r2' }, T0 + 2 * HOUR);
    expect(s.urgency).toBe('routine');
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-11T09:00:00.000Z');
  });

  it('during triage it makes the journey urgent, so acceptance opens the urgent deadline', () => {
    const s = atTriage();
    refer(s, { referralId: 'r2', urgency: 'urgent' }, T0 + HOUR);
    decideTriage(s, { decision: 'accept', reason: 'r', by: lead }, T0 + 2 * HOUR);
    expect(deadline(s, 'assessment').dueAt).toBe('2027-03-02T09:00:00.000Z');
  });
});
