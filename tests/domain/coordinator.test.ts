/**
 * The named co-ordinator (domain/coordinator.ts): the outcome of the assignment triage asks for,
 * and moving a journey to another co-ordinator.
 */
import { describe, expect, it } from 'vitest';
import { assigned, checkReassign, reassigned } from '../../domain/coordinator.js';
import { close } from '../../domain/closing.js';
import { JourneyRuleError, type JourneyState } from '../../domain/journeyState.js';
import {
  active,
  atAssessment,
  atTriage,
  HOUR,
  lastEntry,
  lead,
  notifications,
  openJourney,
  T0,
} from './stageFixtures.js';

/** Accepted at triage, with the assignment still in flight. */
function awaitingAssignment(): JourneyState {
  const s = atAssessment();
  s.coordinatorId = null;
  s.assignment = 'pending';
  s.outbox = [];
  return s;
}

const refusal = (s: JourneyState, coordinatorId: string): JourneyRuleError | undefined => {
  try {
    checkReassign(s, { coordinatorId });
    return undefined;
  } catch (e) {
    return e as JourneyRuleError;
  }
};

describe('the assignment triage asked for', () => {
  it('names the co-ordinator who has capacity', () => {
    const s = awaitingAssignment();
    assigned(s, 'coord-ben', T0 + HOUR);
    expect(s).toMatchObject({ coordinatorId: 'coord-ben', assignment: 'assigned' });
    expect(lastEntry(s)).toMatchObject({
      type: 'coordinator.assigned',
      by: 'carepath',
      detail: 'named co-ordinator coord-ben',
      data: { coordinatorId: 'coord-ben' },
    });
    expect(s.outbox).toEqual([]);
  });

  it('when nobody in the team has capacity, the journey is unassigned and the team lead is told', () => {
    const s = awaitingAssignment();
    assigned(s, null, T0 + HOUR, lead);
    expect(s).toMatchObject({ coordinatorId: null, assignment: 'unassigned' });
    expect(lastEntry(s)).toMatchObject({ type: 'coordinator.unassigned', by: 'lead-lou' });
    expect(notifications(s)).toEqual([
      {
        id: 'test-programme.pabc.0001/assignment',
        journeyId: 'test-programme.pabc.0001',
        programmeId: 'test-programme',
        teamId: 'team-a',
        createdAt: '2027-03-01T10:00:00.000Z',
        kind: 'escalation',
        level: 1,
        deadline: 'assignment',
        recipients: ['lead-lou'],
        // Resolved by the staff directory when sent: the team's leads then, cover included.
        audience: { role: 'team-lead', teamId: 'team-a' },
        message: 'A journey in Test programme needs a co-ordinator: nobody in the team has capacity.',
      },
    ]);
  });

  it('a journey that closed while the assignment was in flight gives the place straight back', () => {
    const s = awaitingAssignment();
    close(s, { reason: 'withdrawn', outcome: {}, by: lead }, T0 + HOUR);
    const seq = s.counters.seq;
    assigned(s, 'coord-ben', T0 + 2 * HOUR);
    expect(s.coordinatorId).toBeNull();
    expect(s.outbox).toEqual([{ type: 'release', coordinatorId: 'coord-ben' }]);
    expect(s.counters.seq).toBe(seq);
  });

  it('a closed journey that found nobody has nothing to give back and tells nobody', () => {
    const s = awaitingAssignment();
    close(s, { reason: 'withdrawn', outcome: {}, by: lead }, T0 + HOUR);
    assigned(s, null, T0 + 2 * HOUR);
    expect(s.outbox).toEqual([]);
    expect(s.assignment).toBe('pending');
  });
});

describe('reassigning the named co-ordinator', () => {
  it('is allowed from assessment onwards, including while the person is in hospital', () => {
    expect(refusal(atAssessment(), 'coord-ben')).toBeUndefined();
    const s = active();
    s.phase = 'in-hospital';
    expect(refusal(s, 'coord-ben')).toBeUndefined();
  });

  it('is refused before triage has accepted the referral', () => {
    expect(refusal(openJourney(), 'coord-ben')).toMatchObject({
      code: 'phase',
      message: 'cannot assign a co-ordinator while the journey is referred',
    });
    expect(refusal(atTriage(), 'coord-ben')?.message).toBe('cannot assign a co-ordinator while the journey is triage');
  });

  it('is refused once the journey has closed', () => {
    const s = active();
    close(s, { reason: 'moved-away', outcome: {}, by: lead }, T0 + 4 * 24 * HOUR);
    expect(refusal(s, 'coord-ben')).toMatchObject({
      code: 'phase',
      message: 'cannot assign a co-ordinator while the journey is closed',
    });
  });

  it('waits while the first assignment is still in flight', () => {
    expect(refusal(awaitingAssignment(), 'coord-ben')).toMatchObject({
      code: 'phase',
      message: 'a co-ordinator is being assigned; try again in a moment',
    });
  });

  it('waits while another reassignment is under way', () => {
    const s = atAssessment();
    s.outbox.push({ type: 'reassign', commandId: 'c1', command: { coordinatorId: 'coord-ben', by: lead } });
    expect(refusal(s, 'coord-ben')).toMatchObject({
      code: 'phase',
      message: 'a reassignment is under way; try again in a moment',
    });
  });

  it('only to a co-ordinator of the journey’s team', () => {
    expect(refusal(atAssessment(), 'coord-zed')).toMatchObject({
      code: 'invalid',
      message: 'coord-zed is not a co-ordinator in team team-a',
    });
  });

  it('not to the co-ordinator already named', () => {
    expect(refusal(atAssessment(), 'coord-ana')).toMatchObject({
      code: 'invalid',
      message: 'coord-ana is already the named co-ordinator',
    });
  });

  it('an unassigned journey can be given a co-ordinator by hand', () => {
    const s = awaitingAssignment();
    assigned(s, null, T0 + HOUR);
    expect(refusal(s, 'coord-ana')).toBeUndefined();
    reassigned(s, { coordinatorId: 'coord-ana', by: lead }, T0 + 2 * HOUR);
    expect(s).toMatchObject({ coordinatorId: 'coord-ana', assignment: 'assigned' });
    expect(lastEntry(s)).toMatchObject({
      detail: 'named co-ordinator none → coord-ana',
      data: { from: null, coordinatorId: 'coord-ana' },
    });
  });

  it('once moved, the journey names the new co-ordinator and records who it came from', () => {
    const s = atAssessment();
    reassigned(s, { coordinatorId: 'coord-ben', by: lead }, T0 + 2 * HOUR);
    expect(s.coordinatorId).toBe('coord-ben');
    expect(lastEntry(s)).toMatchObject({
      type: 'coordinator.reassigned',
      by: 'lead-lou',
      at: '2027-03-01T11:00:00.000Z',
      detail: 'named co-ordinator coord-ana → coord-ben',
      data: { from: 'coord-ana', coordinatorId: 'coord-ben' },
    });
  });
});
