/**
 * A small, explicit programme and journey builders for the per-stage rule tests. The programme's
 * numbers are chosen to make the arithmetic in the tests easy to follow (and do not depend on the
 * built-in examples): triage within 2 days, assessment in 1 day (urgent) or 10 days (routine), a
 * care plan within 7 days, contact 72 hours after discharge, reviews every 14 / 28 / 90 days by
 * tier, and a ladder from a day before to three days after a due time.
 */
import { parseProgrammes } from '../../config/programmeFiles.js';
import type { Actor } from '../../domain/commands.js';
import { ms } from '../../domain/durations.js';
import type { Programme, ProgrammeInput } from '../../domain/programme.js';
import type { JourneyReferral } from '../../domain/referral.js';
import { agreeCarePlan, recordAssessment } from '../../domain/assessmentAndCarePlan.js';
import { assigned } from '../../domain/coordinator.js';
import { decideTriage, newJourney, receiveReferral } from '../../domain/intakeAndTriage.js';
import type { JourneyRuleError, JourneyState } from '../../domain/journeyState.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 1 March 2027, 09:00 UTC: when every test journey opens. */
export const T0 = ms('2027-03-01T09:00:00.000Z');
export const at = (isoInstant: string): number => ms(isoInstant);

export const coordinator: Actor = { sub: 'coord-ana', role: 'coordinator' };
export const lead: Actor = { sub: 'lead-lou', role: 'team-lead' };

export const baseProgramme: ProgrammeInput = {
  id: 'test-programme',
  name: 'Test programme',
  teams: [
    {
      id: 'team-a',
      coordinators: [
        { id: 'coord-ana', name: 'Ana', maxCaseload: 10 },
        { id: 'coord-ben', name: 'Ben', maxCaseload: 10 },
      ],
      leads: ['lead-lou'],
      serviceManagers: ['mgr-max'],
    },
  ],
  eligibility: { minAge: 18, maxAge: 105, minRiskScore: 0.1, autoAcceptRiskScore: 0.6 },
  risk: {
    ageFrom: 65,
    weights: {
      agePerYear: 0.01,
      perCondition: 0.1,
      perAdmission: 0.1,
      livesAlone: 0.1,
      carerStrain: 0.15,
      noCarer: 0.05,
    },
    caps: { age: 0.3, conditions: 0.3, admissions: 0.3 },
    conditions: {},
    tiers: { high: 0.6, medium: 0.3 },
  },
  deadlines: {
    triage: 'P2D',
    assessment: { urgent: 'P1D', routine: 'P10D' },
    carePlan: 'P7D',
    postDischargeContact: 'PT72H',
    review: { high: 'P14D', medium: 'P28D', low: 'P90D' },
    reviewAfterDischarge: 'P7D',
  },
  escalation: [
    { at: '-P1D', notify: 'coordinator', kind: 'reminder' },
    { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
    { at: 'P1D', notify: 'team-lead', kind: 'escalation' },
    { at: 'P3D', notify: 'service-manager', kind: 'escalation' },
  ],
  readmissionWindow: 'P30D',
};

/** The test programme, validated as a configuration file would be, after `change` edits a copy of it. */
export function programme(change: (p: ProgrammeInput) => void = () => {}): Programme {
  const input = structuredClone(baseProgramme);
  change(input);
  return parseProgrammes({ programmes: [input] }, 'test')[0]!;
}

/**
 * A routine referral of a 70-year-old with COPD: risk 0.15 (5 years over 65, one condition), which
 * is eligible (≥ 0.1) but not clear enough to accept without a person (< 0.6).
 */
export const referral = (changes: Partial<JourneyReferral> = {}): JourneyReferral => ({
  referralId: 'r1',
  receivedAt: '2027-03-01T09:00:00.000Z',
  source: 'gp',
  reason: 'breathless, struggling at home',
  urgency: 'routine',
  age: 70,
  teamId: 'team-a',
  conditions: ['copd'],
  consentGiven: true,
  ...changes,
});

/** A referral scoring 0.7 (age 0.3, conditions 0.3, one admission 0.1): high risk, accepted at once. */
export const highRiskReferral = (changes: Partial<JourneyReferral> = {}): JourneyReferral =>
  referral({ age: 95, conditions: ['copd', 'falls', 'stroke'], admissionsLast12Months: 1, ...changes });

export function openJourney(p: Programme = programme(), now = T0): JourneyState {
  return newJourney(
    {
      journeyId: 'test-programme.pabc.0001',
      workflowId: 'test-programme.pabc',
      patientId: 'pabc',
      programme: p,
      teamId: 'team-a',
    },
    now,
  );
}

/** Referred and waiting for a person to triage it. */
export function atTriage(p: Programme = programme()): JourneyState {
  const s = openJourney(p);
  receiveReferral(s, referral(), T0);
  return s;
}

/** Accepted at triage (an hour after referral) and assigned to coord-ana. */
export function atAssessment(p: Programme = programme()): JourneyState {
  const s = atTriage(p);
  decideTriage(s, { decision: 'accept', reason: 'needs co-ordination', by: lead }, T0 + HOUR);
  assigned(s, 'coord-ana', T0 + HOUR);
  return s;
}

/** Assessed on day 2 (low risk: 0.15). */
export function atCarePlanning(p: Programme = programme()): JourneyState {
  const s = atAssessment(p);
  recordAssessment(s, { summary: 'managing with support', needs: [], by: coordinator }, T0 + 2 * DAY);
  return s;
}

/** Care plan agreed on day 3 with one action due on day 20: the journey is active. */
export function active(p: Programme = programme()): JourneyState {
  const s = atCarePlanning(p);
  agreeCarePlan(
    s,
    {
      goals: [{ id: 'g1', description: 'stay at home' }],
      actions: [{ id: 'a1', description: 'falls assessment', owner: 'coord-ana', due: '2027-03-21T09:00:00.000Z' }],
      agreedWithPatient: true,
      by: coordinator,
    },
    T0 + 3 * DAY,
  );
  return s;
}

export const notifications = (s: JourneyState) =>
  s.outbox.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));

export const lastEntry = (s: JourneyState) => s.timeline.at(-1)!;

/** The latest timeline entry of this type. */
export const entry = (s: JourneyState, type: string) => {
  const e = s.timeline.findLast((x) => x.type === type);
  if (!e) throw new Error(`no ${type} entry: ${s.timeline.map((x) => x.type).join(', ')}`);
  return e;
};

export const deadline = (s: JourneyState, id: string) => {
  const d = s.deadlines.find((x) => x.id === id);
  if (!d) throw new Error(`no deadline ${id}: ${s.deadlines.map((x) => x.id).join(', ')}`);
  return d;
};

/** The rule error `f` throws, or undefined if it throws none. */
export const ruleError = (f: () => void): JourneyRuleError | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e as JourneyRuleError;
  }
};
