/**
 * Assessment and care planning (domain/assessmentAndCarePlan.ts): the holistic assessment, the
 * care plan and its revisions (each action's due date is a deadline), and completing actions.
 */
import { describe, expect, it } from 'vitest';
import {
  agreeCarePlan,
  checkAssessment,
  checkCarePlan,
  checkCompleteAction,
  completeAction,
  recordAssessment,
} from '../../domain/assessmentAndCarePlan.js';
import type { CarePlanCommand } from '../../domain/commands.js';
import { decideTriage } from '../../domain/intakeAndTriage.js';
import type { JourneyState } from '../../domain/journeyState.js';
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
  lead,
  programme,
  T0,
} from './stageFixtures.js';
import { ruleError as error } from './stageFixtures.js';

const assess = (s: JourneyState, changes: Partial<Parameters<typeof recordAssessment>[1]> = {}, now = T0 + 2 * DAY) =>
  recordAssessment(s, { summary: 'holistic assessment', needs: [], by: coordinator, ...changes }, now);

type Action = CarePlanCommand['actions'][number];
const action = (id: string, due: string): Action => ({ id, description: `do ${id}`, owner: 'coord-ana', due });

const plan = (actions: Action[], changes: Partial<CarePlanCommand> = {}): CarePlanCommand => ({
  goals: [{ id: 'g1', description: 'stay at home' }],
  actions,
  agreedWithPatient: true,
  ...changes,
});

const agree = (s: JourneyState, p: CarePlanCommand, now: number) => agreeCarePlan(s, { ...p, by: coordinator }, now);

describe('the holistic assessment', () => {
  it('meets the assessment deadline, moves to care planning and gives seven days for the plan', () => {
    const s = atAssessment();
    assess(s);
    expect(deadline(s, 'assessment')).toMatchObject({ status: 'met', metAt: '2027-03-03T09:00:00.000Z' });
    expect(s.phase).toBe('care-planning');
    expect(deadline(s, 'care-plan')).toMatchObject({ status: 'open', dueAt: '2027-03-10T09:00:00.000Z' });
    expect(s.assessment).toMatchObject({
      summary: 'holistic assessment',
      at: '2027-03-03T09:00:00.000Z',
      by: 'coord-ana',
    });
  });

  it('rescored with what the assessment found: conditions add up, and the score sets the tier', () => {
    const s = atAssessment();
    assess(s, { conditions: ['falls', 'stroke'], livesAlone: true });
    // 0.05 age + 0.3 conditions (capped) + 0.1 alone
    expect(s.risk).toMatchObject({ score: 0.45, tier: 'medium', tierSetBy: 'score' });
    expect(entry(s, 'assessment.recorded')).toMatchObject({
      detail: 'holistic assessment; risk medium (0.45)',
    });
  });

  it('the fuller picture replaces a tier set at triage, unless the assessor sets one', () => {
    const s = atTriage();
    decideTriage(s, { decision: 'accept', reason: 'r', riskTier: 'high', by: lead }, T0 + HOUR);
    assess(s);
    expect(s.risk).toMatchObject({ score: 0.15, tier: 'low', tierSetBy: 'score' });

    const set = atAssessment();
    assess(set, { riskTier: 'high' });
    expect(set.risk).toMatchObject({ score: 0.15, tier: 'high', tierSetBy: 'person' });
    expect(entry(set, 'assessment.recorded').detail).toBe('holistic assessment; risk high (0.15)');
  });

  it('records whether a carer’s assessment was offered and when the referral clock started', () => {
    const s = atAssessment();
    assess(s, { carer: { present: true, assessmentOffered: true } });
    expect(entry(s, 'assessment.recorded').data).toMatchObject({
      carerAssessed: true,
      referredAt: '2027-03-01T09:00:00.000Z',
    });
    const t = atAssessment();
    assess(t);
    expect(entry(t, 'assessment.recorded').data).toMatchObject({ carerAssessed: false });
  });

  it('an assessment recorded late is still accepted, and the deadline is met late', () => {
    const s = atAssessment();
    assess(s, {}, T0 + 11 * DAY);
    expect(entry(s, 'deadline.met').detail).toBe('assessment met late');
  });

  it('an assessment while the person is on a ward keeps them in hospital, with the care-plan clock stopped', () => {
    const s = atAssessment();
    s.phase = 'in-hospital';
    assess(s);
    expect([s.phase, s.communityPhase]).toEqual(['in-hospital', 'care-planning']);
    expect(deadline(s, 'care-plan').pausedSince).toBe('2027-03-03T09:00:00.000Z');
  });

  it('is refused outside the assessment stage', () => {
    expect(error(() => checkAssessment(atTriage()))).toMatchObject({
      code: 'phase',
      message: 'cannot record an assessment while the journey is triage',
    });
    expect(error(() => checkAssessment(atCarePlanning()))?.message).toBe(
      'cannot record an assessment while the journey is care-planning',
    );
  });
});

describe('agreeing the first care plan', () => {
  it('makes the journey active, meets the care-plan deadline and opens the first review at the tier’s interval', () => {
    const s = atCarePlanning();
    agree(s, plan([action('a1', '2027-03-21T09:00:00.000Z')]), T0 + 3 * DAY);
    expect(s.phase).toBe('active');
    expect(deadline(s, 'care-plan').status).toBe('met');
    // low risk: reviewed every 90 days
    expect(deadline(s, 'review#1').dueAt).toBe('2027-06-02T09:00:00.000Z');
    expect(s.carePlan).toMatchObject({ version: 1, agreedAt: '2027-03-04T09:00:00.000Z', agreedBy: 'coord-ana' });
    expect(entry(s, 'care-plan.agreed')).toMatchObject({
      detail: 'care plan v1: 1 goals, 1 actions',
      data: { version: 1, agreedWithPatient: true },
    });
  });

  it('a programme’s own first-review interval takes precedence over the tier’s', () => {
    const s = atCarePlanning(
      programme((p) => {
        p.deadlines.review.first = 'P42D';
      }),
    );
    agree(s, plan([]), T0 + 3 * DAY);
    expect(deadline(s, 'review#1').dueAt).toBe('2027-04-15T09:00:00.000Z');
  });

  it('each action’s due date is a deadline of its own, kept in UTC', () => {
    const s = atCarePlanning();
    agree(s, plan([action('a1', '2027-03-21T10:00:00+01:00'), action('a2', '2027-03-25T09:00:00.000Z')]), T0 + 3 * DAY);
    expect(s.carePlan!.actions[0]!.due).toBe('2027-03-21T09:00:00.000Z');
    expect(s.deadlines.filter((d) => d.name.startsWith('action:')).map((d) => [d.id, d.dueAt])).toEqual([
      ['action:a1#v1', '2027-03-21T09:00:00.000Z'],
      ['action:a2#v1', '2027-03-25T09:00:00.000Z'],
    ]);
  });

  it('a plan not agreed with the person keeps the reason; the carer’s agreement only when given', () => {
    const s = atCarePlanning();
    agree(s, plan([], { agreedWithPatient: false, notAgreedReason: 'best-interests decision' }), T0 + 3 * DAY);
    expect(s.carePlan).toMatchObject({ agreedWithPatient: false, notAgreedReason: 'best-interests decision' });
    expect(s.carePlan).not.toHaveProperty('agreedWithCarer');
    const t = atCarePlanning();
    agree(t, plan([], { agreedWithCarer: false }), T0 + 3 * DAY);
    expect(t.carePlan).toMatchObject({ agreedWithCarer: false });
    expect(t.carePlan).not.toHaveProperty('notAgreedReason');
  });

  it('an action due now or earlier is refused; a millisecond later is fine', () => {
    const s = atCarePlanning();
    const now = T0 + 3 * DAY;
    expect(error(() => checkCarePlan(s, plan([action('a1', '2027-03-04T09:00:00.000Z')]), now))).toMatchObject({
      code: 'invalid',
      message: 'action a1 is due in the past (2027-03-04T09:00:00.000Z)',
    });
    expect(error(() => checkCarePlan(s, plan([action('a1', '2027-03-04T09:00:00.001Z')]), now))).toBeUndefined();
  });

  it('is refused before assessment', () => {
    expect(error(() => checkCarePlan(atAssessment(), plan([]), T0 + DAY))).toMatchObject({
      code: 'phase',
      message: 'cannot agree a care plan while the journey is assessment',
    });
  });
});

describe('revising the care plan', () => {
  const day = (n: number) => T0 + n * DAY;

  it('a moved action restarts its deadline, a removed one is cancelled and an unchanged one runs on', () => {
    const s = atCarePlanning();
    agree(
      s,
      plan([
        action('keep', '2027-03-21T09:00:00.000Z'),
        action('move', '2027-03-22T09:00:00.000Z'),
        action('drop', '2027-03-23T09:00:00.000Z'),
      ]),
      day(3),
    );
    agree(s, plan([action('keep', '2027-03-21T09:00:00.000Z'), action('move', '2027-03-30T09:00:00.000Z')]), day(5));
    expect(s.carePlan!.version).toBe(2);
    expect(
      s.deadlines.filter((d) => d.name.startsWith('action:')).map((d) => [d.id, d.status, d.cancelledBecause]),
    ).toEqual([
      ['action:keep#v1', 'open', undefined],
      ['action:move#v1', 'cancelled', 'due date changed'],
      ['action:drop#v1', 'cancelled', 'removed from the care plan'],
      ['action:move#v2', 'open', undefined],
    ]);
    expect(deadline(s, 'action:move#v2').dueAt).toBe('2027-03-30T09:00:00.000Z');
    expect(entry(s, 'care-plan.revised').data).toEqual({ version: 2, agreedWithPatient: true });
  });

  it('an active journey’s revision opens no further review', () => {
    const s = active();
    agree(s, plan([action('a1', '2027-03-21T09:00:00.000Z')]), day(5));
    expect(s.deadlines.filter((d) => d.name === 'review').map((d) => d.id)).toEqual(['review#1']);
    expect(s.phase).toBe('active');
  });

  it('an action kept at a due date now in the past is allowed; moving it into the past is not', () => {
    const s = active(); // a1 due 21 March
    const later = day(25);
    expect(error(() => checkCarePlan(s, plan([action('a1', '2027-03-21T10:00:00+01:00')]), later))).toBeUndefined();
    expect(error(() => checkCarePlan(s, plan([action('a1', '2027-03-20T09:00:00.000Z')]), later))?.code).toBe(
      'invalid',
    );
  });

  it('a completed action stays completed and gets no new deadline', () => {
    const s = active();
    completeAction(s, { actionId: 'a1', by: coordinator }, day(4));
    agree(s, plan([action('a1', '2027-03-21T09:00:00.000Z'), action('a2', '2027-03-28T09:00:00.000Z')]), day(5));
    expect(s.carePlan!.actions[0]).toMatchObject({ id: 'a1', completedAt: '2027-03-05T09:00:00.000Z' });
    expect(s.deadlines.filter((d) => d.name === 'action:a1').map((d) => [d.id, d.status])).toEqual([
      ['action:a1#v1', 'met'],
    ]);
  });
});

describe('completing an action', () => {
  it('marks it completed and meets its deadline', () => {
    const s = active();
    completeAction(s, { actionId: 'a1', by: coordinator }, T0 + 4 * DAY);
    expect(s.carePlan!.actions[0]!.completedAt).toBe('2027-03-05T09:00:00.000Z');
    expect(deadline(s, 'action:a1#v1')).toMatchObject({ status: 'met', metAt: '2027-03-05T09:00:00.000Z' });
    expect(entry(s, 'action.completed')).toMatchObject({ detail: 'action a1 completed', data: { actionId: 'a1' } });
  });

  it('an action the plan does not have is not found', () => {
    expect(error(() => checkCompleteAction(active(), { actionId: 'a9' }))).toMatchObject({
      code: 'not-found',
      message: 'the care plan has no action a9',
    });
  });

  it('an action cannot be completed twice', () => {
    const s = active();
    completeAction(s, { actionId: 'a1', by: coordinator }, T0 + 4 * DAY);
    expect(error(() => completeAction(s, { actionId: 'a1', by: coordinator }, T0 + 5 * DAY))).toMatchObject({
      code: 'phase',
      message: 'action a1 was already completed at 2027-03-05T09:00:00.000Z',
    });
  });

  it('is allowed while the person is in hospital, and refused before there is an active plan', () => {
    const s = active();
    s.phase = 'in-hospital';
    expect(error(() => checkCompleteAction(s, { actionId: 'a1' }))).toBeUndefined();
    expect(error(() => checkCompleteAction(atCarePlanning(), { actionId: 'a1' }))).toMatchObject({
      code: 'phase',
      message: 'cannot complete a care-plan action while the journey is care-planning',
    });
  });
});
