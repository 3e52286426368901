/**
 * A seeded year of care co-ordination: referrals spread over 365 days across the five example
 * programmes, each journey walked through triage, assessment, care planning, reviews, hospital
 * stays, contacts and closure, with some work done late and some never done.
 *
 * The generator keeps its own record of what the service should report — which deadlines were met
 * on time, which ladder steps fell due before the work was done, which admissions were
 * readmissions — from a model of deadlines written here from the programme's published durations
 * and ladder, not from domain/journey.ts. The simulated year compares that record with the metrics
 * computed from the audit trail: if the two disagree, one of them is wrong.
 *
 * Timing: every event lands on one of two daily slots, and never within MARGIN of a ladder step of
 * the same journey. Deadlines the workflow derives from its own clock run a few seconds behind the
 * slot they were set at (the test server's clock moves while the driver talks to it), so an exact
 * tie would be a race; and the Java test server cannot take an update in the same workflow task as
 * a timer.
 */
import { addDuration } from '../../domain/durations.js';
import { nhsCheckDigit } from '../../domain/nhsNumber.js';
import type { Programme } from '../../domain/programme.js';
import type { Phase } from '../../domain/commands.js';
import { instrumentOf } from '../../domain/programme.js';
import { scoreMeasure } from '../../domain/outcomeMeasures.js';
import { seededRandom } from '../../scripts/seededRandom.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Co-ordinators' two sittings a day (UTC). Odd minutes keep them clear of round-hour instants. */
export const SLOTS = [9 * HOUR + 10 * MINUTE, 14 * HOUR + 40 * MINUTE] as const;
/** ADT messages arrive a while after the admission or discharge they report. */
export const ADT_LAG = 85 * MINUTE;
const MARGIN = 30 * MINUTE;
const YEAR_DAYS = 365;

export type Tier = 'high' | 'medium' | 'low';
type Source = 'gp' | 'hospital' | 'social-care' | 'community' | 'voluntary' | 'probation' | 'self' | 'other';
type CloseReason = 'ineligible' | 'declined' | 'goals-met' | 'moved-away' | 'deceased' | 'transferred' | 'withdrawn';
type GoalsMet = 'all' | 'some' | 'none';

export interface SimReferral {
  referralNo: number;
  source: Source;
  urgency: 'urgent' | 'routine';
  reason: string;
  referrerOrganisation?: string;
  conditions: string[];
  livesAlone: boolean;
  carer?: { relationship: string; strain: boolean };
  admissionsLast12Months: number;
  /** The referrer's count of emergency admissions in the 6 months before (evaluation's "before"), when given. */
  emergencyAdmissions6Months?: number;
}

export type SimAction =
  | { type: 'refer'; referral: SimReferral; expect: { merged: boolean; phase: Phase } }
  | {
      type: 'triage';
      decision: 'accept' | 'decline';
      reason: string;
      riskTier?: Tier;
      closeReason?: 'ineligible' | 'declined' | 'withdrawn' | 'transferred';
    }
  | {
      type: 'assessment';
      riskTier: Tier;
      livesAlone: boolean;
      carer?: { present: boolean; strain: boolean; assessmentOffered: boolean };
    }
  | {
      type: 'carePlan';
      goals: { id: string; description: string }[];
      actions: { id: string; description: string; due: number }[];
    }
  | { type: 'completeAction'; actionId: string }
  | { type: 'review'; outcome: 'continue' | 'step-down' | 'close'; riskTier?: Tier; goalsMet?: GoalsMet }
  | {
      type: 'contact';
      kind: 'post-discharge' | 'routine' | 'carer' | 'mdt';
      channel: 'phone' | 'visit' | 'video' | 'message';
      at?: number;
      /** A call nobody answered: an attempt, never a contact made. */
      outcome?: 'no-answer';
    }
  | { type: 'reassign' }
  | { type: 'measure'; instrument: string; answers: Record<string, number> }
  | {
      type: 'close';
      reason: CloseReason;
      goalsMet?: GoalsMet;
      placeOfDeathAchieved?: boolean;
      measures?: { instrument: string; answers: Record<string, number> }[];
    }
  | {
      type: 'hospital';
      event: 'A01' | 'A02' | 'A03' | 'A11';
      controlId: string;
      occurredAt: number;
      location: string;
      resend: boolean;
      /** An A03 saying the person died, or went to another hospital; an attendance that is a day case. */
      died?: boolean;
      transfer?: boolean;
      patientClass?: 'day-case';
    };

export interface SimEvent {
  at: number;
  journey: number;
  action: SimAction;
}

export interface SimJourney {
  index: number;
  programmeId: string;
  /** The team the referral should reach: named on the referral, or found from the postcode. */
  teamId: string;
  namesTeam: boolean;
  postcode: string | undefined;
  nhsNumber: string;
  age: number;
  triage: 'auto-accept' | 'auto-decline' | 'manual';
  /** Team lead who makes triage decisions for the team. */
  lead: string;
  /** Whether the team has more than one co-ordinator (so a reassignment is possible). */
  canReassign: boolean;
}

/** What the journey should have put in its audit trail, as the generator understands it. */
export interface JourneyRecord {
  referralSources: Source[];
  met: { deadline: string; onTime: boolean }[];
  steps: { deadline: string; kind: 'reminder' | 'overdue' | 'escalation'; level: 0 | 1 | 2; at: number }[];
  /** Admissions the hospital did not cancel, with when the journey heard of each. */
  admissions: { readmission: boolean; at: number }[];
  discharges: number;
  /** Deaths in hospital, transfers to another hospital, day cases, and unanswered follow-up calls. */
  deaths: number;
  transfers: number;
  attendances: number;
  attempts: number;
  assessmentWaitDays?: number;
  closure?: { reason: CloseReason; goalsMet?: GoalsMet; placeOfDeathAchieved?: boolean };
  /** Where the journey stands at the end of the year. */
  phase: Phase;
  /** Outcome measures taken, with the scores their answers give. */
  measures: {
    instrument: string;
    occasion: 'baseline' | 'follow-up' | 'closure';
    at: number;
    scores: Record<string, number>;
  }[];
}

export interface ExpectedMetrics {
  referrals: { total: number; bySource: Record<string, number> };
  referralToAssessment: { count: number; median: number | null; p90: number | null };
  onTime: Record<'assessment' | 'care-plan' | 'review', { met: number; onTime: number; rate: number | null }>;
  postDischargeContact: { discharges: number; contactedInWindow: number; rate: number | null };
  readmissions: { admissions: number; within30Days: number };
  hospital: { deaths: number; transfers: number; attendances: number };
  contactAttempts: number;
  escalationsByLevel: Record<'0' | '1' | '2', number>;
  closures: {
    total: number;
    byReason: Record<string, number>;
    byGoalsMet: Record<string, number>;
    placeOfDeathAchieved: { yes: number; no: number; deaths: number; notRecorded: number; rate: number | null };
  };
  /** Per instrument and scale, each point: who was expected, who measured, the mean change. */
  outcomes: {
    instrument: string;
    scale: string;
    points: { point: string; measured: number; of: number; meanChange: number | null }[];
  }[];
  admissionsBeforeAfter: {
    of: number;
    measured: number;
    completeness: number | null;
    before: number;
    after: number;
    afterAll: number;
    meanBefore: number | null;
    meanAfter: number | null;
  };
}

export interface SimulatedYear {
  seed: number;
  start: number;
  end: number;
  journeys: SimJourney[];
  /** Every event, in time order (ties in journey order). */
  events: SimEvent[];
  records: JourneyRecord[];
  /** The programmes as the year ran them. */
  programmes: Programme[];
}

type Rnd = () => number;
const uniform = (rnd: Rnd, lo: number, hi: number) => lo + rnd() * (hi - lo);
const int = (rnd: Rnd, lo: number, hi: number) => Math.floor(uniform(rnd, lo, hi + 1));
const chance = (rnd: Rnd, p: number) => rnd() < p;
function pick<T>(rnd: Rnd, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}
function weighted<T>(rnd: Rnd, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rnd() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items.at(-1)![0];
}

// ---------------------------------------------------------------------------------------------
// Who is referred to each programme. Profiles are written against the programme's risk weights so
// that each lands clearly on one side of the eligibility and auto-accept thresholds.

interface ProgrammeShape {
  share: number;
  sources: readonly (readonly [Source, number])[];
  reasons: readonly string[];
  /** auto: clearly above the auto-accept score; manual: eligible but below it; ineligible: declined at once. */
  profiles: { auto?: Profile; manual: Profile; ineligible?: Profile };
  admissionsPerYear: number;
  /** Days from referral to an unplanned closure, and its reason, when one happens. */
  closure: (rnd: Rnd) => { afterDays: number; reason: CloseReason; goalsMet?: GoalsMet } | undefined;
  /** After how many reviews the co-ordinator closes the journey with goals met. */
  closeAfterReviews: (rnd: Rnd) => number;
}
interface Profile {
  age: [number, number];
  conditions: string[];
  admissions: number;
  livesAlone: boolean;
  carer?: { relationship: string; strain: boolean };
}

const shapes: Record<string, ProgrammeShape> = {
  'palliative-care-home': {
    share: 0.2,
    sources: [
      ['gp', 4],
      ['hospital', 4],
      ['community', 2],
      ['voluntary', 1],
    ],
    reasons: [
      'Metastatic cancer, wishes to die at home',
      'End-stage heart failure, increasing breathlessness',
      'Motor neurone disease, deteriorating',
    ],
    profiles: {
      auto: { age: [76, 95], conditions: ['cancer'], admissions: 2, livesAlone: true },
      manual: {
        age: [30, 69],
        conditions: ['cancer'],
        admissions: 1,
        livesAlone: false,
        carer: { relationship: 'wife', strain: false },
      },
      ineligible: { age: [14, 17], conditions: ['cancer'], admissions: 0, livesAlone: false },
    },
    admissionsPerYear: 1.8,
    closure: (rnd) => ({
      afterDays: uniform(rnd, 15, 220),
      reason: weighted(rnd, [
        ['deceased', 9],
        ['transferred', 1],
      ] as const),
    }),
    closeAfterReviews: () => Infinity,
  },
  'dementia-home': {
    share: 0.2,
    sources: [
      ['gp', 5],
      ['community', 2],
      ['social-care', 2],
      ['hospital', 1],
    ],
    reasons: [
      'Advanced dementia, carer exhausted',
      'Wandering at night, two falls',
      'Dementia with delirium after admission',
    ],
    profiles: {
      auto: { age: [85, 96], conditions: ['dementia', 'falls', 'delirium'], admissions: 1, livesAlone: true },
      manual: {
        age: [70, 80],
        conditions: ['dementia'],
        admissions: 0,
        livesAlone: false,
        carer: { relationship: 'son', strain: false },
      },
      ineligible: { age: [30, 38], conditions: ['dementia'], admissions: 0, livesAlone: false },
    },
    admissionsPerYear: 1,
    closure: (rnd) =>
      chance(rnd, 0.3)
        ? {
            afterDays: uniform(rnd, 60, 330),
            reason: weighted(rnd, [
              ['deceased', 3],
              ['transferred', 2],
              ['moved-away', 1],
            ] as const),
          }
        : undefined,
    closeAfterReviews: () => Infinity,
  },
  'complex-mental-health': {
    share: 0.2,
    sources: [
      ['gp', 4],
      ['self', 2],
      ['probation', 1],
      ['social-care', 1],
      ['hospital', 1],
      ['other', 1],
    ],
    reasons: [
      'Psychosis, recently homeless',
      'Bipolar disorder, relapse, substance misuse',
      'Repeated self-harm, housing at risk',
    ],
    profiles: {
      manual: { age: [19, 64], conditions: ['psychosis', 'substance misuse'], admissions: 1, livesAlone: true },
      ineligible: { age: [15, 17], conditions: ['self-harm'], admissions: 0, livesAlone: false },
    },
    admissionsPerYear: 0.8,
    closure: (rnd) =>
      chance(rnd, 0.25)
        ? {
            afterDays: uniform(rnd, 40, 300),
            reason: weighted(rnd, [
              ['withdrawn', 3],
              ['moved-away', 2],
              ['transferred', 1],
            ] as const),
            goalsMet: 'some',
          }
        : undefined,
    closeAfterReviews: (rnd) => (chance(rnd, 0.5) ? int(rnd, 2, 4) : Infinity),
  },
  'frailty-virtual-ward': {
    share: 0.25,
    sources: [
      ['hospital', 5],
      ['gp', 3],
      ['community', 2],
    ],
    reasons: [
      'Frequent falls and two admissions this year',
      'Frailty, heart failure, lives alone',
      'Step-down from acute ward, high readmission risk',
    ],
    profiles: {
      auto: { age: [86, 97], conditions: ['falls', 'heart failure', 'copd'], admissions: 2, livesAlone: true },
      manual: {
        age: [80, 84],
        conditions: ['falls', 'diabetes'],
        admissions: 1,
        livesAlone: false,
        carer: { relationship: 'husband', strain: false },
      },
      ineligible: { age: [66, 72], conditions: ['diabetes'], admissions: 0, livesAlone: false },
    },
    admissionsPerYear: 2.5,
    closure: (rnd) =>
      chance(rnd, 0.2)
        ? {
            afterDays: uniform(rnd, 20, 200),
            reason: weighted(rnd, [
              ['deceased', 2],
              ['moved-away', 1],
            ] as const),
          }
        : undefined,
    closeAfterReviews: (rnd) => (chance(rnd, 0.7) ? int(rnd, 2, 6) : Infinity),
  },
  'community-resource-team': {
    share: 0.15,
    sources: [
      ['gp', 3],
      ['social-care', 3],
      ['community', 2],
      ['voluntary', 1],
      ['self', 1],
    ],
    reasons: [
      'Struggling at home after a stroke',
      'Long-term conditions, needs equipment and care',
      'Carer breakdown, needs reablement',
    ],
    profiles: {
      auto: { age: [84, 95], conditions: ['falls', 'heart failure', 'stroke'], admissions: 1, livesAlone: true },
      manual: {
        age: [55, 70],
        conditions: ['copd'],
        admissions: 0,
        livesAlone: false,
        carer: { relationship: 'daughter', strain: false },
      },
      ineligible: { age: [15, 17], conditions: ['copd'], admissions: 0, livesAlone: false },
    },
    admissionsPerYear: 0.8,
    closure: (rnd) =>
      chance(rnd, 0.15)
        ? {
            afterDays: uniform(rnd, 30, 300),
            reason: weighted(rnd, [
              ['moved-away', 1],
              ['withdrawn', 1],
              ['deceased', 1],
            ] as const),
          }
        : undefined,
    closeAfterReviews: (rnd) => (chance(rnd, 0.6) ? int(rnd, 1, 3) : Infinity),
  },
};

const postcodeOf: Record<string, string[]> = {
  'cmht-north': ['LS1 4AP', 'LS2 9JT', 'LS6 3HN', 'LS7 2BB'],
  'cmht-south': ['LS10 1QR', 'LS11 5DD', 'LS12 3LY'],
  'south-devon-1': ['TQ1 2AB', 'TQ12 4RT', 'TQ9 5JJ'],
  'exeter-1': ['EX1 1HH', 'EX4 6PX', 'EX2 8DQ'],
};

// ---------------------------------------------------------------------------------------------
// The generator's own model of a journey's deadlines and ladder.

interface ModelDeadline {
  id: string;
  name: string;
  dueAt: number;
  /** Next ladder step to fire. */
  next: number;
  open: boolean;
  pausedSince?: number;
  /** Where the ladder counts from when not the due time (opened already overdue). */
  ladderFrom?: number;
  /** How the work will be done: offset from the due time, or never. */
  plan?: number | 'never';
}

class JourneyModel {
  readonly events: SimEvent[] = [];
  readonly deadlines: ModelDeadline[] = [];
  readonly record: JourneyRecord = {
    referralSources: [],
    met: [],
    steps: [],
    admissions: [],
    discharges: 0,
    deaths: 0,
    transfers: 0,
    attendances: 0,
    attempts: 0,
    phase: 'referred',
    measures: [],
  };
  /**
   * Instants no event may fall within MARGIN of: the edges of each outcome measure's follow-up
   * windows and points, where a few seconds of the test server's clock would decide a count.
   */
  readonly avoid: number[] = [];
  last = -Infinity;
  inHospital = false;
  tier: Tier = 'medium';
  private readonly ladder: { offset: string; kind: 'reminder' | 'overdue' | 'escalation'; level: 0 | 1 | 2 }[];

  constructor(
    readonly index: number,
    readonly p: Programme,
    readonly start: number,
    readonly end: number,
  ) {
    this.ladder = p.escalation.map((s) => ({
      offset: s.at,
      kind: s.kind,
      level: s.notify === 'coordinator' ? 0 : s.notify === 'team-lead' ? 1 : 2,
    }));
  }

  stepAt(d: ModelDeadline, i: number): number {
    return addDuration(d.ladderFrom ?? d.dueAt, this.ladder[i]!.offset);
  }

  /** Fires every ladder step that has fallen due by `t`, as the workflow's timers would. */
  fire(t: number): void {
    for (const d of this.deadlines) {
      if (!d.open || d.pausedSince !== undefined) continue;
      while (d.next < this.ladder.length && this.stepAt(d, d.next) <= t) {
        const step = this.ladder[d.next]!;
        this.record.steps.push({ deadline: d.name, kind: step.kind, level: step.level, at: this.stepAt(d, d.next) });
        d.next += 1;
      }
    }
  }

  /** Is a ladder step of this journey due within MARGIN of `t`? */
  private clashes(t: number): boolean {
    if (this.avoid.some((x) => Math.abs(x - t) < MARGIN)) return true;
    return this.deadlines.some((d) => {
      if (!d.open || d.pausedSince !== undefined) return false;
      for (let i = d.next; i < this.ladder.length; i += 1) if (Math.abs(this.stepAt(d, i) - t) < MARGIN) return true;
      return false;
    });
  }

  /**
   * The first slot on the day of `desired` (or later, and after the journey's last event) that
   * clashes with no ladder step; undefined past the year's end. Work meant for a day is done at
   * the day's first sitting where possible, so that many journeys share a slot.
   */
  slot(desired: number): number | undefined {
    let day = Math.floor((desired - this.start) / DAY);
    for (;;) {
      for (const s of SLOTS) {
        const t = this.start + day * DAY + s;
        if (t <= this.last) continue;
        if (t >= this.end) return undefined;
        if (!this.clashes(t)) return t;
      }
      day += 1;
    }
  }

  emit(at: number, action: SimAction): void {
    this.fire(at);
    this.events.push({ at, journey: this.index, action });
    this.last = at;
  }

  open(name: string, id: string, now: number, dueAt: number, plan?: ModelDeadline['plan']): ModelDeadline {
    const d: ModelDeadline = { id, name, dueAt, next: 0, open: true, ...(plan !== undefined ? { plan } : {}) };
    if (this.inHospital && name !== 'triage') d.pausedSince = now;
    this.deadlines.push(d);
    // Opened with more than one step behind it (a late triage, say): one fires (HAZ-06). The
    // overdue notice if it is behind, the ladder after it counting from now; else the latest.
    const behind = this.ladder.map((_, i) => i).filter((i) => this.stepAt(d, i) <= now);
    if (d.pausedSince === undefined && behind.length > 1) {
      const overdue = behind.find((i) => this.ladder[i]!.kind === 'overdue');
      const once = overdue ?? behind.at(-1)!;
      const step = this.ladder[once]!;
      this.record.steps.push({ deadline: name, kind: step.kind, level: step.level, at: now });
      d.next = once + 1;
      if (overdue !== undefined) {
        const back = step.offset.startsWith('-') ? step.offset.slice(1) : `-${step.offset}`;
        d.ladderFrom = addDuration(now, back);
      }
    }
    return d;
  }

  find(name: string): ModelDeadline | undefined {
    return this.deadlines.find((d) => d.open && d.name === name);
  }

  meet(d: ModelDeadline | undefined, at: number): void {
    if (!d?.open) return;
    d.open = false;
    this.record.met.push({ deadline: d.name, onTime: at <= d.dueAt });
  }

  closed(): boolean {
    return this.record.phase === 'closed';
  }

  closeAll(): void {
    for (const d of this.deadlines) d.open = false;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The example programmes as the simulated year runs them: each takes the outcome measures its
 * people would be asked (the built-in programmes take none until a service chooses them).
 */
export function withOutcomeMeasures(programmes: Programme[]): Programme[] {
  const taken: Record<string, { instrument: string; every: string }[]> = {
    'palliative-care-home': [{ instrument: 'ipos', every: 'P28D' }],
    'complex-mental-health': [
      { instrument: 'phq-9', every: 'P84D' },
      { instrument: 'gad-7', every: 'P84D' },
    ],
    'frailty-virtual-ward': [{ instrument: 'barthel', every: 'P84D' }],
    'dementia-home': [{ instrument: 'mcsi', every: 'P84D' }],
  };
  return programmes.map((p) =>
    taken[p.id]
      ? {
          ...p,
          outcomes: {
            instruments: [],
            measures: taken[p.id]!.map((x) => ({ ...x, baselineWithin: 'P14D', atClosure: true })),
          },
        }
      : p,
  );
}

export interface YearOptions {
  seed: number;
  journeys: number;
  /** Midnight UTC on the first day; the year is [start, start + 365 days). */
  start: number;
  programmes: Programme[];
}

export function generateYear({ seed, journeys: count, start, programmes }: YearOptions): SimulatedYear {
  const end = start + YEAR_DAYS * DAY;
  const rnd = seededRandom(seed);
  const journeys: SimJourney[] = [];
  const events: SimEvent[] = [];
  const records: JourneyRecord[] = [];
  const usedNhs = new Set<string>();
  for (let index = 0; index < count; index += 1) {
    const p = weighted(
      rnd,
      programmes.map((x) => [x, shapes[x.id]?.share ?? 0] as const),
    );
    // Each journey draws from its own stream, so changing one journey's story leaves the others alone.
    const own = seededRandom(Math.floor(rnd() * 2 ** 31));
    const nhsNumber = newNhsNumber(own, usedNhs);
    const { journey, model } = simulateJourney(index, p, own, start, end, nhsNumber);
    // Whatever was left undone runs its ladder to the end of the year.
    model.fire(end);
    journeys.push(journey);
    events.push(...model.events);
    records.push(model.record);
  }
  events.sort((a, b) => a.at - b.at || a.journey - b.journey);
  return { seed, start, end, journeys, events, records, programmes };
}

function newNhsNumber(rnd: Rnd, used: Set<string>): string {
  for (;;) {
    const stem = `999${String(int(rnd, 0, 999_999)).padStart(6, '0')}`;
    const check = nhsCheckDigit(stem);
    if (check === undefined || used.has(stem)) continue;
    used.add(stem);
    return `${stem}${check}`;
  }
}

/**
 * Whether triage closes a referral of someone `age` years old without a person: only on an age
 * criterion the programme names in `closesAutomatically`, and never for an urgent referral. The
 * ineligible profiles fail on age or on risk; the model does not score risk, so no programme here
 * may let risk close a referral by itself.
 */
function closesAtOnce(p: Programme, age: number, urgency: 'urgent' | 'routine'): boolean {
  const e = p.eligibility;
  if (e.closesAutomatically?.includes('minRiskScore'))
    throw new Error(`${p.id}: the simulated year does not model risk closing a referral by itself`);
  if (urgency === 'urgent') return false;
  return (
    (e.closesAutomatically?.includes('minAge') === true && e.minAge !== undefined && age < e.minAge) ||
    (e.closesAutomatically?.includes('maxAge') === true && e.maxAge !== undefined && age > e.maxAge)
  );
}

function simulateJourney(
  index: number,
  p: Programme,
  rnd: Rnd,
  start: number,
  end: number,
  nhsNumber: string,
): { journey: SimJourney; model: JourneyModel } {
  const shape = shapes[p.id]!;
  const m = new JourneyModel(index, p, start, end);
  // Outcome measures draw from a stream of their own, so the rest of the journey is as it was.
  const mrnd = seededRandom(index * 104_729 + 17);
  /** When a measure is taken: mostly before it is due, some late, one in eight never. */
  const measurePlan = (baseline: boolean): number | 'never' => {
    const r = mrnd();
    if (r < 0.125) return 'never';
    if (r < 0.3) return uniform(mrnd, 2 * HOUR, (baseline ? 4 : 12) * DAY);
    return -uniform(mrnd, 2 * HOUR, (baseline ? 10 : 20) * DAY);
  };
  // The person's true course on each instrument: where they start (a share of each item's range)
  // and how far that moves over six months; each measure adds its own error, item by item.
  const course = new Map<string, { from: number; change: number }>();
  const answersAt = (instrument: string, t: number, baselineAt: number | undefined) => {
    const inst = instrumentOf(p, instrument)!;
    const c = course.get(instrument) ?? { from: uniform(mrnd, 0.3, 0.7), change: uniform(mrnd, -0.35, 0.15) };
    course.set(instrument, c);
    const level = c.from + c.change * Math.min(1, baselineAt === undefined ? 0 : (t - baselineAt) / (182 * DAY));
    const answers: Record<string, number> = {};
    for (const item of inst.items) {
      if (item.unscored) continue;
      const top = item.answers.length - 1;
      answers[item.id] = Math.max(0, Math.min(top, Math.round(level * top + uniform(mrnd, -0.8, 0.8))));
    }
    const scored = scoreMeasure(inst, answers);
    if (!scored.ok) throw new Error(`unscorable ${instrument}`);
    return { answers, scores: Object.fromEntries(scored.scores.map((x) => [x.scale, x.score])) };
  };
  const baselineOf = (instrument: string) =>
    m.record.measures.find((x) => x.instrument === instrument && x.occasion === 'baseline');
  /** Takes a measure now; a baseline sets the window edges no later event may fall near. */
  const takeMeasure = (instrument: string, t: number, occasion: 'baseline' | 'follow-up' | 'closure') => {
    const taken = answersAt(instrument, t, baselineOf(instrument)?.at);
    m.record.measures.push({ instrument, occasion, at: t, scores: taken.scores });
    if (occasion === 'baseline') {
      const every = nominal(p.outcomes!.measures.find((x) => x.instrument === instrument)!.every, t);
      for (let k = 1; k * every + every / 2 <= 400 * DAY; k++)
        m.avoid.push(t + k * every - every / 2, t + k * every, t + k * every + every / 2);
    }
    return taken.answers;
  };
  const team = pick(rnd, p.teams);
  const namesTeam = p.teams.length === 1 || chance(rnd, 0.3);
  // Someone the programme's criteria exclude: closed at once only when the programme lets that
  // criterion close a routine referral, else a person at triage declines it (HAZ-01).
  const ineligible = !!shape.profiles.ineligible && chance(rnd, 0.08);
  let path: SimJourney['triage'] = ineligible
    ? 'manual'
    : shape.profiles.auto && chance(rnd, 0.45)
      ? 'auto-accept'
      : 'manual';
  const profile = ineligible
    ? shape.profiles.ineligible!
    : path === 'auto-accept'
      ? shape.profiles.auto!
      : shape.profiles.manual;
  const age = int(rnd, profile.age[0], profile.age[1]);
  const journey: SimJourney = {
    index,
    programmeId: p.id,
    teamId: team.id,
    namesTeam,
    postcode: postcodeOf[team.id] ? pick(rnd, postcodeOf[team.id]!) : undefined,
    nhsNumber,
    age,
    triage: path,
    lead: team.leads[0]!,
    canReassign: team.coordinators.length > 1,
  };
  const referral = (referralNo: number): SimReferral => ({
    referralNo,
    source: weighted(rnd, shape.sources),
    urgency: chance(rnd, 0.25) && referralNo === 1 ? 'urgent' : 'routine',
    reason: pick(rnd, shape.reasons),
    ...(chance(rnd, 0.5)
      ? {
          referrerOrganisation: pick(rnd, [
            'Riverside Surgery',
            'City General Hospital',
            'Age UK',
            'Adult Social Care',
          ]),
        }
      : {}),
    conditions: profile.conditions,
    livesAlone: profile.livesAlone,
    ...(profile.carer ? { carer: profile.carer } : {}),
    admissionsLast12Months: profile.admissions,
    // Seven first referrals in ten give the count, drawn apart from the year's random stream so
    // that the rest of the year is the year it was.
    ...(referralNo === 1 && (index * 7919) % 10 < 7 ? { emergencyAdmissions6Months: (index * 31) % 5 } : {}),
  });

  // ---- Referral and triage
  const first = referral(1);
  if (ineligible && closesAtOnce(p, age, first.urgency)) journey.triage = path = 'auto-decline';
  const referredAt = m.slot(start + int(rnd, 0, 339) * DAY)!;
  m.record.referralSources.push(first.source);
  const afterReferral: Phase = path === 'auto-decline' ? 'closed' : path === 'auto-accept' ? 'assessment' : 'triage';
  m.emit(referredAt, { type: 'refer', referral: first, expect: { merged: false, phase: afterReferral } });
  m.record.phase = afterReferral;
  if (path === 'auto-decline') {
    m.record.closure = { reason: 'ineligible' };
    return { journey, model: m };
  }
  const urgency = first.urgency;
  const unplannedClosure = shape.closure(rnd);
  const closeAt = unplannedClosure ? referredAt + unplannedClosure.afterDays * DAY : Infinity;
  const closeAfterReviews = shape.closeAfterReviews(rnd);
  let secondReferralAt = chance(rnd, 0.12) ? referredAt + uniform(rnd, 3, 120) * DAY : Infinity;

  const close = (t: number, reason: CloseReason, goalsMet?: GoalsMet): void => {
    const placeOfDeathAchieved =
      p.recordsPlaceOfDeath && reason === 'deceased' ? !m.inHospital && chance(rnd, 0.8) : undefined;
    // Measures at closure, where a baseline was taken and the person has not died; some are not taken.
    const atClosure =
      reason === 'deceased'
        ? []
        : (p.outcomes?.measures ?? []).filter((x) => x.atClosure && baselineOf(x.instrument) && mrnd() < 0.6);
    const measures = atClosure.map((x) => ({
      instrument: x.instrument,
      answers: takeMeasure(x.instrument, t, 'closure'),
    }));
    m.emit(t, {
      type: 'close',
      reason,
      ...(goalsMet ? { goalsMet } : {}),
      ...(placeOfDeathAchieved !== undefined ? { placeOfDeathAchieved } : {}),
      ...(measures.length > 0 ? { measures } : {}),
    });
    for (const x of atClosure) m.meet(m.find(`measure:${x.instrument}`), t);
    m.closeAll();
    m.record.closure = {
      reason,
      ...(goalsMet ? { goalsMet } : {}),
      ...(placeOfDeathAchieved !== undefined ? { placeOfDeathAchieved } : {}),
    };
    m.record.phase = 'closed';
  };
  /** Before the next planned step: a closure or a second referral may come first. Returns true once closed. */
  const interludes = (before: number): boolean => {
    for (;;) {
      const next = Math.min(closeAt, secondReferralAt);
      if (next >= before || next >= end) return false;
      const t = m.slot(next);
      if (t === undefined || t >= before) return false;
      if (next === closeAt) {
        close(t, unplannedClosure!.reason, unplannedClosure!.goalsMet);
        return true;
      }
      secondReferralAt = Infinity;
      const again = referral(2);
      m.record.referralSources.push(again.source);
      m.emit(t, { type: 'refer', referral: again, expect: { merged: true, phase: m.record.phase } });
    }
  };

  if (path === 'manual') {
    const within = p.deadlines.triage;
    if (within) m.open('triage', 'triage', referredAt, addDuration(referredAt, within));
    const t = m.slot(referredAt + uniform(rnd, 0.1, 2.5) * DAY);
    if (t === undefined || interludes(t)) return { journey, model: m };
    const decline = ineligible || chance(rnd, 0.12);
    if (decline) {
      const closeReason = ineligible
        ? 'ineligible'
        : weighted(rnd, [
            ['declined', 2],
            ['ineligible', 1],
            ['withdrawn', 1],
            ['transferred', 1],
          ] as const);
      m.emit(t, { type: 'triage', decision: 'decline', reason: `Declined at triage: ${closeReason}`, closeReason });
      m.meet(m.find('triage'), t);
      m.closeAll();
      m.record.closure = { reason: closeReason };
      m.record.phase = 'closed';
      return { journey, model: m };
    }
    m.emit(t, {
      type: 'triage',
      decision: 'accept',
      reason: 'Meets the criteria; accepted by the team lead',
      ...(chance(rnd, 0.3) ? { riskTier: pick(rnd, ['high', 'medium'] as const) } : {}),
    });
    m.meet(m.find('triage'), t);
    m.open('assessment', 'assessment', t, addDuration(referredAt, p.deadlines.assessment[urgency]));
    m.fire(t);
  } else {
    m.open('assessment', 'assessment', referredAt, addDuration(referredAt, p.deadlines.assessment[urgency]));
    m.fire(referredAt);
  }
  m.record.phase = 'assessment';

  // ---- Assessment and care plan: mostly on time, some late, a few never done.
  const doneOrNever = (
    d: ModelDeadline,
    early: [number, number],
    late: [number, number],
    pLate: number,
    pNever: number,
  ): number | undefined => {
    if (chance(rnd, pNever)) return undefined;
    const offset = chance(rnd, pLate) ? uniform(rnd, late[0], late[1]) : -uniform(rnd, early[0], early[1]);
    return m.slot(Math.max(m.last + HOUR, d.dueAt + offset));
  };
  const assessment = m.find('assessment')!;
  const assessedAt = doneOrNever(
    assessment,
    [0.1 * (assessment.dueAt - m.last), 0.8 * (assessment.dueAt - m.last)],
    [4 * HOUR, 6 * DAY],
    0.12,
    0.06,
  );
  if (interludes(assessedAt ?? end) || assessedAt === undefined) return { journey, model: m };
  m.tier = weighted(rnd, [
    ['high', 3],
    ['medium', 4],
    ['low', 2],
  ] as const);
  m.emit(assessedAt, {
    type: 'assessment',
    riskTier: m.tier,
    livesAlone: profile.livesAlone,
    ...(profile.carer
      ? { carer: { present: true, strain: chance(rnd, 0.3), assessmentOffered: chance(rnd, 0.8) } }
      : {}),
  });
  m.meet(assessment, assessedAt);
  // The programme's outcome measures fall due after the assessment (domain/measuresDue.ts).
  for (const x of p.outcomes?.measures ?? [])
    m.open(
      `measure:${x.instrument}`,
      `measure:${x.instrument}#baseline`,
      assessedAt,
      addDuration(assessedAt, x.baselineWithin),
      measurePlan(true),
    );
  m.record.assessmentWaitDays = Math.round(((assessedAt - referredAt) / DAY) * 100) / 100;
  const carePlan = m.open('care-plan', 'care-plan', assessedAt, addDuration(assessedAt, p.deadlines.carePlan));
  m.record.phase = 'care-planning';
  const plannedAt = doneOrNever(
    carePlan,
    [0.5 * DAY, 0.7 * (carePlan.dueAt - assessedAt)],
    [4 * HOUR, 5 * DAY],
    0.15,
    0.04,
  );
  if (interludes(plannedAt ?? end) || plannedAt === undefined) return { journey, model: m };

  const actions = Array.from({ length: int(rnd, 1, 3) }, (_, i) => ({
    id: `a${i + 1}`,
    description: pick(rnd, [
      'Fit grab rails and a key safe',
      'Medication review with the pharmacist',
      'Carer respite booked',
      'Benefits check',
      'Advance care plan discussed',
      'Community nurse visits set up',
    ]),
    // Due at five in the afternoon, a week to two months out.
    due: start + (Math.floor((plannedAt - start) / DAY) + int(rnd, 7, 60)) * DAY + 17 * HOUR,
  }));
  m.emit(plannedAt, {
    type: 'carePlan',
    goals: [
      { id: 'g1', description: 'Stay safely at home' },
      { id: 'g2', description: 'What matters to the person' },
    ],
    actions,
  });
  m.meet(carePlan, plannedAt);
  m.record.phase = 'active';
  const planWork = (): number | 'never' => {
    const r = rnd();
    if (r < 0.07) return 'never';
    if (r < 0.22) return uniform(rnd, 2 * HOUR, 5 * DAY); // late
    if (r < 0.42) return -uniform(rnd, 2 * HOUR, 20 * HOUR); // in the last day: after the reminder
    return -uniform(rnd, 1.3 * DAY, 5 * DAY);
  };
  for (const a of actions) m.open(`action:${a.id}`, `action:${a.id}#v1`, plannedAt, a.due, planWork());
  let reviews = 0;
  const openReview = (t: number, interval: string) => {
    reviews += 1;
    m.open('review', `review#${reviews}`, t, addDuration(t, interval), planWork());
  };
  openReview(plannedAt, p.deadlines.review.first ?? p.deadlines.review[m.tier]);
  m.fire(plannedAt);

  // ---- The active phase: whichever happens next of reviews, actions, hospital stays, contacts, closure.
  const rate = shape.admissionsPerYear;
  let admitAt = plannedAt + uniform(rnd, 3, (365 / rate) * 1.2) * DAY;
  let dischargeAt = Infinity;
  let transferAt = Infinity;
  let cancelAdmissionAt = Infinity;
  let readmittedBefore = false;
  let lastDischarge: number | undefined;
  let stays = 0;
  let contactAt = plannedAt + uniform(rnd, 10, 40) * DAY;
  let reassignAt = chance(rnd, 0.1) && journey.canReassign ? plannedAt + uniform(rnd, 5, 100) * DAY : Infinity;
  let stepUpAfterReadmission = false;
  // How the current stay ends, decided at its admission: a discharge home, a transfer to another
  // hospital first, or a death (more often in palliative care).
  let staysEnd: 'home' | 'transfer' | 'died' = 'home';
  let diedAt: number | undefined;
  // A day case now and then: recorded, changing nothing.
  let dayCaseAt = chance(rnd, 0.35) ? plannedAt + uniform(rnd, 5, 250) * DAY : Infinity;
  let dayCaseEndAt = Infinity;
  // Post-discharge follow-ups whose first call goes unanswered: the time of that call, by deadline id.
  const unanswered = new Map<string, number>();

  for (;;) {
    if (diedAt !== undefined) {
      // After a death in hospital the co-ordinator rings the carer where the programme asks for a
      // bereavement contact (once after a call nobody answered, now and then), then closes the
      // journey as deceased; nothing else.
      const bereavement = m.find('bereavement-contact');
      let t = m.slot(diedAt + uniform(rnd, 0.5, 3) * DAY);
      if (bereavement && t !== undefined) {
        if (chance(rnd, 0.25)) {
          m.emit(t, { type: 'contact', kind: 'carer', channel: 'phone', outcome: 'no-answer' });
          m.record.attempts += 1;
          t = m.slot(t + uniform(rnd, 0.5, 2) * DAY);
        }
        if (t !== undefined) {
          m.emit(t, { type: 'contact', kind: 'carer', channel: 'phone' });
          m.meet(bereavement, t);
          t = m.slot(t + uniform(rnd, 0.2, 1) * DAY);
        }
      }
      if (t !== undefined) {
        m.inHospital = true; // for the place of death: not the one the person chose at home
        close(t, 'deceased');
      } else m.record.phase = 'active';
      break;
    }
    type Next = { at: number; what: string; run: (t: number) => void };
    const options: Next[] = [];
    if (closeAt < Infinity) {
      options.push({
        at: closeAt,
        what: 'close',
        run: (t) => close(t, unplannedClosure!.reason, unplannedClosure!.goalsMet),
      });
    }
    if (!m.inHospital) {
      for (const d of m.deadlines) {
        if (!d.open || d.plan === undefined || d.plan === 'never') continue;
        if (d.name === 'review') {
          options.push({
            at: d.dueAt + d.plan,
            what: d.id,
            run: (t) => {
              const closing = reviews >= closeAfterReviews;
              let next = m.tier;
              let outcome: 'continue' | 'step-down' | 'close' = 'continue';
              let riskTier: Tier | undefined;
              if (closing) outcome = 'close';
              else if (stepUpAfterReadmission && m.tier !== 'high') {
                riskTier = next = 'high';
                stepUpAfterReadmission = false;
              } else if (m.tier !== 'low' && chance(rnd, 0.25)) {
                outcome = 'step-down';
                next = m.tier === 'high' ? 'medium' : 'low';
              }
              const goalsMet = closing ? pick(rnd, ['all', 'some'] as const) : undefined;
              m.emit(t, {
                type: 'review',
                outcome,
                ...(riskTier ? { riskTier } : {}),
                ...(goalsMet ? { goalsMet } : {}),
              });
              m.meet(d, t);
              if (closing) {
                m.closeAll();
                m.record.closure = { reason: 'goals-met', goalsMet: goalsMet! };
                m.record.phase = 'closed';
                return;
              }
              m.tier = next;
              openReview(t, p.deadlines.review[next]);
            },
          });
        } else if (d.name.startsWith('measure:')) {
          options.push({
            at: d.dueAt + d.plan,
            what: d.id,
            run: (t) => {
              const instrument = d.name.slice('measure:'.length);
              const occasion = baselineOf(instrument) ? 'follow-up' : 'baseline';
              m.emit(t, { type: 'measure', instrument, answers: takeMeasure(instrument, t, occasion) });
              m.meet(d, t);
              const every = p.outcomes!.measures.find((x) => x.instrument === instrument)!.every;
              m.open(d.name, `${d.name}#${t}`, t, addDuration(t, every), measurePlan(false));
            },
          });
        } else if (d.name.startsWith('action:')) {
          options.push({
            at: d.dueAt + d.plan,
            what: d.id,
            run: (t) => {
              m.emit(t, { type: 'completeAction', actionId: d.name.slice('action:'.length) });
              m.meet(d, t);
            },
          });
        } else if (d.name === 'post-discharge-contact') {
          options.push({
            at: d.dueAt + d.plan,
            what: d.id,
            run: (t) => {
              // Often written up a little after the call.
              const at = chance(rnd, 0.5) ? t - 40 * MINUTE : t;
              m.emit(t, {
                type: 'contact',
                kind: 'post-discharge',
                channel: pick(rnd, ['phone', 'visit'] as const),
                ...(at !== t ? { at } : {}),
              });
              m.meet(d, at);
            },
          });
        }
      }
      for (const [id, at] of unanswered) {
        const d = m.deadlines.find((x) => x.id === id);
        if (!d?.open) {
          unanswered.delete(id);
          continue;
        }
        options.push({
          at,
          what: `unanswered:${id}`,
          run: (t) => {
            m.emit(t, { type: 'contact', kind: 'post-discharge', channel: 'phone', outcome: 'no-answer' });
            m.record.attempts += 1;
            unanswered.delete(id);
          },
        });
      }
      options.push({
        at: dayCaseAt,
        what: 'dayCaseAt',
        run: (t) => {
          m.emit(t, {
            type: 'hospital',
            event: 'A01',
            controlId: `sim-${index}-dc-a`,
            occurredAt: t - ADT_LAG,
            location: 'Day surgery unit',
            resend: false,
            patientClass: 'day-case',
          });
          m.record.attendances += 1;
          dayCaseAt = Infinity;
          dayCaseEndAt = t + 5 * HOUR;
        },
      });
      options.push({
        at: dayCaseEndAt,
        what: 'dayCaseEndAt',
        run: (t) => {
          m.emit(t, {
            type: 'hospital',
            event: 'A03',
            controlId: `sim-${index}-dc-d`,
            occurredAt: t - ADT_LAG,
            location: 'Day surgery unit',
            resend: false,
            patientClass: 'day-case',
          });
          dayCaseEndAt = Infinity;
        },
      });
      options.push({
        at: contactAt,
        what: 'contactAt',
        run: (t) => {
          const channel = pick(rnd, ['phone', 'visit', 'video', 'message'] as const);
          m.emit(t, { type: 'contact', kind: pick(rnd, ['routine', 'carer', 'mdt'] as const), channel });
          // A message is one way: it did not reach the person as a conversation does.
          if (channel === 'message') m.record.attempts += 1;
          contactAt = t + uniform(rnd, 30, 90) * DAY;
        },
      });
      options.push({
        at: reassignAt,
        what: 'reassignAt',
        run: (t) => {
          m.emit(t, { type: 'reassign' });
          reassignAt = Infinity;
        },
      });
      options.push({
        at: secondReferralAt,
        what: 'secondReferralAt',
        run: (t) => {
          secondReferralAt = Infinity;
          const again = referral(2);
          m.record.referralSources.push(again.source);
          m.emit(t, { type: 'refer', referral: again, expect: { merged: true, phase: 'active' } });
        },
      });
      options.push({
        at: admitAt,
        what: 'admitAt',
        run: (t) => {
          const at = t - ADT_LAG;
          const readmission = lastDischarge !== undefined && at <= addDuration(lastDischarge, p.readmissionWindow);
          stays += 1;
          m.emit(t, {
            type: 'hospital',
            event: 'A01',
            controlId: `sim-${index}-adm-${stays}`,
            occurredAt: at,
            location: pick(rnd, ['Ward 7', 'AMU', 'Ward 12 (elderly care)', 'Respiratory ward']),
            resend: chance(rnd, 0.1),
          });
          m.record.admissions.push({ readmission, at: t });
          readmittedBefore = stepUpAfterReadmission;
          if (readmission) stepUpAfterReadmission = true;
          for (const d of m.deadlines)
            if (d.open && d.name !== 'triage' && d.pausedSince === undefined) d.pausedSince = at;
          m.inHospital = true;
          dischargeAt = at + uniform(rnd, 1.2, 14) * DAY;
          transferAt = chance(rnd, 0.25) ? at + uniform(rnd, 0.3, 0.8) * (dischargeAt - at) : Infinity;
          const end = rnd();
          staysEnd = end < (p.recordsPlaceOfDeath ? 0.2 : 0.03) ? 'died' : end < 0.4 ? 'transfer' : 'home';
          // Now and then the admission was entered in error, and the ward cancels it (A11) later that day.
          cancelAdmissionAt = chance(rnd, 0.06) ? t + 2 * HOUR : Infinity;
          admitAt = Infinity;
        },
      });
    } else {
      options.push({
        at: transferAt,
        what: 'transferAt',
        run: (t) => {
          m.emit(t, {
            type: 'hospital',
            event: 'A02',
            controlId: `sim-${index}-trf-${stays}`,
            occurredAt: t - ADT_LAG,
            location: pick(rnd, ['Ward 9', 'Stroke unit', 'Community hospital']),
            resend: false,
          });
          transferAt = Infinity;
        },
      });
      options.push({
        at: cancelAdmissionAt,
        what: 'cancelAdmissionAt',
        run: (t) => {
          m.emit(t, {
            type: 'hospital',
            event: 'A11',
            controlId: `sim-${index}-cxl-${stays}`,
            occurredAt: t - ADT_LAG,
            location: 'AMU',
            resend: false,
          });
          // An admission that never happened: not an admission, and the clocks run on as though never stopped.
          m.record.admissions.pop();
          stepUpAfterReadmission = readmittedBefore;
          for (const d of m.deadlines) delete d.pausedSince;
          m.inHospital = false;
          dischargeAt = transferAt = cancelAdmissionAt = Infinity;
          admitAt = t + uniform(rnd, 35, (365 / rate) * 1.2) * DAY;
        },
      });
      options.push({
        at: dischargeAt,
        what: 'dischargeAt',
        run: (t) => {
          const at = t - ADT_LAG;
          if (staysEnd !== 'home') {
            // To another hospital, whose discharge home comes later; or a death, after which every
            // clock stays stopped and the journey waits to be closed as deceased.
            m.emit(t, {
              type: 'hospital',
              event: 'A03',
              controlId: `sim-${index}-${staysEnd}-${stays}`,
              occurredAt: at,
              location: staysEnd === 'died' ? 'Ward 7' : 'Discharge lounge',
              resend: chance(rnd, 0.1),
              ...(staysEnd === 'died' ? { died: true } : { transfer: true }),
            });
            if (staysEnd === 'died') {
              m.record.deaths += 1;
              for (const d of m.deadlines) if (d.open && d.pausedSince === undefined) d.pausedSince = at;
              m.inHospital = false;
              diedAt = t;
              // A carer the journey knows of is owed a call (HAZ-22), on its own clock.
              if (p.bereavement && profile.carer)
                m.open(
                  'bereavement-contact',
                  `bereavement-contact#${stays}`,
                  t,
                  addDuration(at, p.bereavement.contactWithin),
                );
              dischargeAt = transferAt = cancelAdmissionAt = Infinity;
            } else {
              m.record.transfers += 1;
              dischargeAt = t + uniform(rnd, 1, 7) * DAY;
              transferAt = Infinity;
            }
            staysEnd = 'home';
            return;
          }
          m.emit(t, {
            type: 'hospital',
            event: 'A03',
            controlId: `sim-${index}-dis-${stays}`,
            occurredAt: at,
            location: 'Discharge lounge',
            resend: chance(rnd, 0.1),
          });
          m.inHospital = false;
          m.record.discharges += 1;
          lastDischarge = at;
          for (const d of m.deadlines) {
            if (!d.open || d.pausedSince === undefined) continue;
            d.dueAt += at - d.pausedSince;
            delete d.pausedSince;
          }
          for (const d of m.deadlines) if (d.open && d.name === 'post-discharge-contact') d.open = false;
          const review = m.find('review');
          const broughtForward = addDuration(at, p.deadlines.reviewAfterDischarge);
          if (review && broughtForward < review.dueAt) review.dueAt = Math.max(broughtForward, t);
          const r = rnd();
          const plan: number | 'never' =
            r < 0.08
              ? 'never'
              : r < 0.2
                ? uniform(rnd, 3 * HOUR, 2 * DAY)
                : -uniform(rnd, 0.2, 0.9) * nominal(p.deadlines.postDischargeContact, at);
          m.open(
            'post-discharge-contact',
            `post-discharge-contact#${stays}`,
            t,
            addDuration(at, p.deadlines.postDischargeContact),
            plan,
          );
          // A first call nobody answers, early in the window: an attempt, not the contact.
          if (chance(rnd, 0.3))
            unanswered.set(
              `post-discharge-contact#${stays}`,
              at + 0.05 * nominal(p.deadlines.postDischargeContact, at),
            );
          m.fire(t);
          dischargeAt = transferAt = cancelAdmissionAt = Infinity;
          admitAt = chance(rnd, 0.35)
            ? at + uniform(rnd, 3, 25) * DAY
            : at + uniform(rnd, 35, (365 / rate) * 1.5) * DAY;
        },
      });
    }
    let next = options.filter((o) => o.at < end).sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    // A closure other than a death waits until the person is home.
    if (next.what === 'close' && m.inHospital && unplannedClosure!.reason !== 'deceased')
      next = options.find((o) => o.what === 'dischargeAt')!;
    const t = m.slot(next.at);
    if (t === undefined) break;
    next.run(t);
    m.fire(t);
    if (m.closed()) break;
    m.record.phase = m.inHospital ? 'in-hospital' : 'active';
  }
  return { journey, model: m };
}

const nominal = (duration: string, from: number) => addDuration(from, duration) - from;

// ---------------------------------------------------------------------------------------------

const percentile = (sorted: number[], p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
const tally = (keys: string[]) =>
  keys.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

/** What the evaluation metrics of a programme should say for the year, from the generator's record alone. */
export function expectedMetrics(year: SimulatedYear, programmeId: string): ExpectedMetrics {
  const records = year.records.filter((_, i) => year.journeys[i]!.programmeId === programmeId);
  const met = records.flatMap((r) => r.met);
  const onTime = (deadline: string) => {
    const list = met.filter((x) => x.deadline === deadline);
    const ok = list.filter((x) => x.onTime).length;
    return { met: list.length, onTime: ok, rate: rate(ok, list.length) };
  };
  const waits = records
    .flatMap((r) => (r.assessmentWaitDays === undefined ? [] : [r.assessmentWaitDays]))
    .sort((a, b) => a - b);
  const steps = records.flatMap((r) => r.steps).filter((s) => s.kind !== 'reminder');
  const closures = records.flatMap((r) => (r.closure ? [r.closure] : []));
  const discharges = records.reduce((n, r) => n + r.discharges, 0);
  const contacted = met.filter((x) => x.deadline === 'post-discharge-contact' && x.onTime).length;
  const admissions = records.flatMap((r) => r.admissions);
  const sources = records.flatMap((r) => r.referralSources);
  // Admissions before and after referral (docs/evaluation.md): people whose 6 calendar months after
  // referral ended in the year with the journey open throughout; closure is a journey's last event.
  const cohort = year.journeys
    .filter((j) => j.programmeId === programmeId)
    .flatMap((j) => {
      const own = year.events.filter((e) => e.journey === j.index);
      const referral = own.find((e) => e.action.type === 'refer')!;
      const sixMonths = new Date(referral.at);
      sixMonths.setUTCMonth(sixMonths.getUTCMonth() + 6);
      const ends = sixMonths.getTime();
      const record = year.records[j.index]!;
      const closedAt = record.closure ? own.at(-1)!.at : Infinity;
      if (ends < year.start || ends >= year.end || closedAt < ends) return [];
      const after = record.admissions.filter((a) => a.at >= referral.at && a.at < ends).length;
      const told = referral.action.type === 'refer' ? referral.action.referral.emergencyAdmissions6Months : undefined;
      return [{ told, after }];
    });
  const told = cohort.filter((c) => c.told !== undefined);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const before = sum(told.map((c) => c.told!));
  const afterTold = sum(told.map((c) => c.after));
  // Change from baseline (docs/evaluation.md), from the generator's own measures and closures.
  const programme = year.programmes.find((x) => x.id === programmeId)!;
  const mine = year.journeys.filter((j) => j.programmeId === programmeId);
  const closedAt = (index: number) => {
    const r = year.records[index]!;
    return r.closure
      ? { at: year.events.filter((e) => e.journey === index).at(-1)!.at, reason: r.closure.reason }
      : undefined;
  };
  const outcomes = (programme.outcomes?.measures ?? []).flatMap((x) => {
    const every = nominal(x.every, year.start);
    const scales = instrumentOf(programme, x.instrument)!.scales.map((sc) => sc.id);
    return scales.map((scale) => {
      const points: { point: string; measured: number; of: number; meanChange: number | null }[] = [];
      const summary = (point: string, pairs: { baseline: number; later?: number }[]) => {
        const measured = pairs.filter((q) => q.later !== undefined);
        const mean = measured.length
          ? Math.round((measured.reduce((n, q) => n + q.later! - q.baseline, 0) / measured.length) * 1000) / 1000
          : null;
        points.push({ point, measured: measured.length, of: pairs.length, meanChange: mean });
      };
      for (let k = 1; k * every + every / 2 <= 400 * DAY; k++) {
        const pairs: { baseline: number; later?: number }[] = [];
        for (const j of mine) {
          const ms = year.records[j.index]!.measures.filter((q) => q.instrument === x.instrument);
          const base = ms.find((q) => q.occasion === 'baseline');
          if (!base) continue;
          const target = base.at + k * every;
          if (target + every / 2 < year.start || target + every / 2 >= year.end) continue;
          const closed = closedAt(j.index);
          if (closed && closed.at < target) continue;
          const inWindow = ms
            .filter((q) => q.occasion === 'follow-up' && q.at >= target - every / 2 && q.at < target + every / 2)
            .sort((a, b) => Math.abs(a.at - target) - Math.abs(b.at - target) || b.at - a.at);
          pairs.push({ baseline: base.scores[scale]!, ...(inWindow[0] ? { later: inWindow[0].scores[scale]! } : {}) });
        }
        const days = Math.round((k * every) / DAY);
        summary(days % 7 === 0 ? `at ${days / 7} weeks` : `at ${days} days`, pairs);
      }
      const atClosure: { baseline: number; later?: number }[] = [];
      for (const j of mine) {
        const closed = closedAt(j.index);
        const ms = year.records[j.index]!.measures.filter((q) => q.instrument === x.instrument);
        const base = ms.find((q) => q.occasion === 'baseline');
        if (!closed || closed.reason === 'deceased' || !base) continue;
        const closure = ms.find((q) => q.occasion === 'closure');
        atClosure.push({ baseline: base.scores[scale]!, ...(closure ? { later: closure.scores[scale]! } : {}) });
      }
      summary('at closure', atClosure);
      return { instrument: x.instrument, scale, points };
    });
  });
  return {
    outcomes,
    admissionsBeforeAfter: {
      of: cohort.length,
      measured: told.length,
      completeness: rate(told.length, cohort.length),
      before,
      after: afterTold,
      afterAll: sum(cohort.map((c) => c.after)),
      meanBefore: told.length ? Math.round((before / told.length) * 1000) / 1000 : null,
      meanAfter: told.length ? Math.round((afterTold / told.length) * 1000) / 1000 : null,
    },
    referrals: { total: sources.length, bySource: tally(sources) },
    referralToAssessment: { count: waits.length, median: percentile(waits, 50), p90: percentile(waits, 90) },
    onTime: { assessment: onTime('assessment'), 'care-plan': onTime('care-plan'), review: onTime('review') },
    postDischargeContact: { discharges, contactedInWindow: contacted, rate: rate(contacted, discharges) },
    readmissions: { admissions: admissions.length, within30Days: admissions.filter((a) => a.readmission).length },
    hospital: {
      deaths: records.reduce((n, r) => n + r.deaths, 0),
      transfers: records.reduce((n, r) => n + r.transfers, 0),
      attendances: records.reduce((n, r) => n + r.attendances, 0),
    },
    contactAttempts: records.reduce((n, r) => n + r.attempts, 0),
    escalationsByLevel: {
      '0': steps.filter((s) => s.level === 0).length,
      '1': steps.filter((s) => s.level === 1).length,
      '2': steps.filter((s) => s.level === 2).length,
    },
    closures: {
      total: closures.length,
      byReason: tally(closures.map((c) => c.reason)),
      byGoalsMet: tally(closures.flatMap((c) => (c.goalsMet ? [c.goalsMet] : []))),
      placeOfDeathAchieved: {
        yes: closures.filter((c) => c.placeOfDeathAchieved === true).length,
        no: closures.filter((c) => c.placeOfDeathAchieved === false).length,
        deaths: closures.filter((c) => c.reason === 'deceased').length,
        notRecorded: closures.filter((c) => c.reason === 'deceased' && c.placeOfDeathAchieved === undefined).length,
        rate: rate(
          closures.filter((c) => c.placeOfDeathAchieved === true).length,
          closures.filter((c) => c.placeOfDeathAchieved !== undefined).length,
        ),
      },
    },
  };
}
