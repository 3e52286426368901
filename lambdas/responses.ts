/**
 * What each route answers, as zod schemas, and their JSON Schema (2020-12, as OpenAPI 3.1 takes it)
 * for `/openapi.json`. They say what clients rely on: the fields are required and typed, and more
 * fields are allowed (loose objects), so a new field is not a break but a missing or mistyped one
 * is. The schemathesis fuzz test checks every answer against these.
 */
import { z } from 'zod';
import * as c from '../domain/commands.js';
import type { Metrics } from '../domain/metrics.js';
import { genders } from '../domain/referral.js';
import type { Absence, StaffMember } from '../domain/staff.js';
import type { JourneySummary } from '../domain/views.js';
import { roles } from './auth.js';
import type { DevUser } from './directory.js';

export type JsonSchema = Record<string, unknown>;

/** The fields a schema promises, without the "more fields allowed" index signature of a loose object. */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
/** Compiles only when the domain type `T` has every field the schema `S` promises, typed alike. */
type Fits<T, S extends z.ZodType> = T extends Known<z.output<S>> ? true : never;

const str = z.string();
const int = z.int();
const bool = z.boolean();
const instant = z.iso.datetime();
const anyObject = z.looseObject({});
/** An MDT meeting as it reads now (domain/mdtMeetings.ts), with any amendments. */
const mdtMeeting = z.looseObject({
  meetingId: str,
  teamId: str,
  heldOn: str,
  attendees: z.array(str),
  guests: z.array(str),
  discussed: z.array(
    z.looseObject({
      journeyId: str,
      presenterId: str,
      decision: str,
      actions: z.array(z.looseObject({ description: str, ownerId: str, due: str })),
    }),
  ),
  recordedBy: str,
  recordedAt: instant,
  amendments: z.array(z.looseObject({ amendmentId: str, by: str, at: instant, reason: str })).optional(),
});
const page = <T extends z.ZodType>(items: T) => z.looseObject({ items: z.array(items), nextCursor: str.optional() });

const phase = z.enum(c.phases);
const tier = z.enum(['high', 'medium', 'low']);

/**
 * The person beside a journey or an inbox item, as the caller's role may see them
 * (domain/person.ts): the banner for those who care for them, name, NHS number and date of birth
 * for a service manager or a referrer, absent for others.
 */
const person = z.looseObject({
  name: str,
  givenName: str,
  familyName: str,
  nhsNumber: z.string().regex(/^\d{3} \d{3} \d{4}$/),
  birthDate: z.iso.date(),
  born: str,
  age: int,
  gender: z.enum(genders).optional(),
  address: str.optional(),
  phone: str.optional(),
  gpPractice: str.optional(),
});

/** What every journey answer carries: the list item (`JourneySummary`) is also the head of the detail. */
const summaryFields = {
  person: person.optional(),
  id: str,
  programme: str,
  teamId: str,
  phase,
  coordinatorId: str.nullable(),
  riskTier: tier,
  nextDueAt: instant.nullable(),
  overdue: bool,
};

const journeySummary = z.looseObject(summaryFields);
const _summaryFits: Fits<JourneySummary, typeof journeySummary> = true;

const devDirectory = z.looseObject({
  users: z.array(
    z.looseObject({ sub: str, name: str, role: z.enum(roles), teams: z.array(str), organisation: str.optional() }),
  ),
});
const _devUserFits: Fits<DevUser, (typeof devDirectory)['shape']['users']['element']> = true;

const rate = z.number().nullable();
/** A count, or, for someone outside the team, a small one hidden as "<5" (domain/metrics.ts). */
const count = z.union([int, z.string().regex(/^<\d+$/)]);
/** Change from baseline at one follow-up point (or closure), with who it is of (docs/evaluation.md). */
const outcomePoint = z.looseObject({
  point: str,
  daysAfterBaseline: int.nullable(),
  measured: count,
  of: count,
  completeness: rate,
  meanBaseline: rate,
  meanLater: rate,
  meanChange: rate,
  // Lower and upper bound: an array of two, not a tuple, whose `prefixItems` schemathesis rewrites
  // as draft-07 `items: [...]` and then refuses (tests/api/roles.test.ts).
  ci95: z.array(z.number()).length(2).nullable(),
  reliable: z
    .looseObject({
      improved: count,
      deteriorated: count,
      unchanged: count,
      improvedRate: rate,
      deterioratedRate: rate,
    })
    .nullable(),
});
const outcomeFigures = z.looseObject({
  programme: str,
  instrument: str,
  name: str,
  scale: str,
  label: str,
  higherIs: z.enum(['worse', 'better']),
  reliableChangePoints: z.number().nullable(),
  points: z.array(outcomePoint),
});
/** What computeMetrics works out; the route adds which programme and teams it covers, and caseloads. */
const computed = z.looseObject({
  period: z.looseObject({ from: instant, to: instant }),
  referrals: z.looseObject({ total: count, bySource: z.record(z.string(), count) }),
  referralToAssessmentDays: z.looseObject({ count, median: rate, p90: rate }),
  onTime: z.record(z.string(), z.looseObject({ met: count, onTime: count, rate })),
  postDischargeContact: z.looseObject({ discharges: count, contactedInWindow: count, rate }),
  readmissions: z.looseObject({ admissions: count, within30Days: count }),
  escalationsByLevel: z.looseObject({ 0: count, 1: count, 2: count }),
  closures: z.looseObject({
    total: z.unknown(),
    byReason: z.unknown(),
    placeOfDeathAchieved: z.looseObject({ yes: count, no: count, deaths: count, notRecorded: count, rate }),
  }),
  outcomes: z.array(outcomeFigures),
  admissionsBeforeAfter: z.looseObject({
    of: count,
    measured: count,
    completeness: rate,
    before: count,
    after: count,
    afterAll: count,
    meanBefore: rate,
    meanAfter: rate,
  }),
  caseloadDays: z.array(z.looseObject({ teamId: str, coordinatorId: str, people: count, days: z.number().nullable() })),
});
const _metricsFits: Fits<Metrics, typeof computed> = true;
const metrics = z.looseObject({
  programme: str.nullable(),
  teams: z.array(str),
  ...computed.shape,
  /** Present when small counts are hidden: the threshold they are hidden under. */
  smallNumbersBelow: int.optional(),
  caseload: z.array(z.looseObject({ programme: str, teamId: str, coordinatorId: str, caseload: int, capacity: int })),
});

const recipientRole = z.enum(['coordinator', 'team-lead', 'service-manager']);
const staffMember = z.looseObject({
  staffId: str,
  name: str,
  email: str.optional(),
  roles: z.array(recipientRole),
  teams: z.array(str),
  maxCaseload: int.optional(),
  leftAt: instant.optional(),
});
const _staffFits: Fits<StaffMember, typeof staffMember> = true;
const absence = z.looseObject({
  absenceId: str,
  staffId: str,
  from: instant,
  to: instant,
  coverId: str.optional(),
  reason: str.optional(),
  recordedBy: str,
  recordedAt: instant,
});
const _absenceFits: Fits<Absence, typeof absence> = true;

export const responses = {
  health: z.looseObject({
    status: z.enum(['ok', 'degraded']),
    temporal: z.enum(['up', 'down']),
    dynamodb: z.enum(['up', 'down']),
  }),
  openapi: z.looseObject({ openapi: str, info: anyObject, paths: anyObject }),
  token: z.looseObject({ token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/) }),
  devDirectory,
  programmes: z.looseObject({
    items: z.array(
      z.looseObject({
        id: str,
        name: str,
        description: str.optional(),
        recordsPlaceOfDeath: bool,
        /** The outcome measures it takes, each instrument in full (domain/outcomeMeasures.ts). */
        outcomes: z
          .array(z.looseObject({ instrument: z.looseObject({ id: str, name: str }), every: str, atClosure: bool }))
          .optional(),
        teams: z.array(
          z.looseObject({
            id: str,
            name: str,
            coordinators: z.array(z.looseObject({ id: str, name: str, maxCaseload: int })),
            leads: z.array(str),
            serviceManagers: z.array(str),
          }),
        ),
      }),
    ),
  }),
  caseloads: z.looseObject({
    teamId: str,
    items: z.array(
      z.looseObject({
        coordinatorId: str,
        name: str,
        caseload: int,
        capacity: int,
        /** Away now: until when, and who covers (else the team's leads). */
        away: z.looseObject({ until: instant, coverId: str.optional() }).optional(),
      }),
    ),
    /** Alerts of the last 30 days that the staff directory had no one in the team to give to (HAZ-27). */
    unrouted: z.array(
      z.looseObject({
        notificationId: str,
        journeyId: str,
        kind: str,
        level: int,
        deadline: str,
        message: str,
        createdAt: instant,
      }),
    ),
  }),
  referralAccepted: z.looseObject({
    journeyId: str,
    merged: bool,
    phase,
    /** For a new journey, triage's decision when it was made at once (a clear case)… */
    triage: z.object({ decision: z.enum(['accept', 'decline']), reason: str }).optional(),
    /** …or why it waits for a person when the referral may not be eligible. */
    triageConcerns: z.array(str).optional(),
  }),
  encounterAccepted: z.looseObject({ applied: int, duplicate: bool }),
  hl7Ack: z.string().regex(/^MSH\|[\s\S]*\rMSA\|A[AER]\|/),
  journeySummary,
  journeyPage: page(journeySummary),
  patients: z.looseObject({ items: z.array(z.looseObject({ person, journeys: z.array(journeySummary) })) }),
  myReferrals: page(
    z.looseObject({
      referralId: str,
      receivedAt: instant,
      programme: str,
      journeyId: str.optional(),
      person: person.optional(),
      status: z.enum(['received', 'accepted', 'declined', 'closed']),
      /** Why it was declined, or how it closed. */
      reason: str.optional(),
      coordinator: z.looseObject({ id: str, name: str }).optional(),
      /** Who made it: given in an organisation's list, where it may be a colleague. */
      referredBy: str.optional(),
      closedAt: instant.optional(),
    }),
  ),
  /** A live journey in full; an earlier, closed episode answers its summary and its audit trail. */
  journeyDetail: z.looseObject({
    ...summaryFields,
    referrals: z.array(anyObject).optional(),
    assessment: anyObject.nullable().optional(),
    carePlan: anyObject.nullable().optional(),
    /** Outcome measures recorded, oldest first: each scale's score and band (the answers are in the record). */
    measures: z
      .array(
        z.looseObject({
          instrument: str,
          occasion: z.enum(['baseline', 'follow-up']),
          at: instant,
          scores: z.array(z.looseObject({ scale: str, score: int, band: str.optional() })),
        }),
      )
      .optional(),
    /** MDT meetings it was discussed at (the decision is in the record, and the meeting's). */
    mdtDiscussions: z
      .array(z.looseObject({ meetingId: str, heldOn: str, presenterId: str, at: instant, by: str, seq: int }))
      .optional(),
    /** Actions agreed at those meetings: each a deadline `mdt-action:<id>` whose ladder goes to its owner. */
    mdtActions: z
      .array(
        z.looseObject({
          id: str,
          meetingId: str,
          heldOn: str,
          description: str,
          ownerId: str,
          due: instant,
          completedAt: instant.optional(),
          completedBy: str.optional(),
        }),
      )
      .optional(),
    hospitalStays: z
      .array(
        z.looseObject({
          admittedAt: instant,
          dischargedAt: instant.optional(),
          readmission: bool,
          /** The stay ended in the person's death, not a discharge home. */
          died: bool.optional(),
        }),
      )
      .optional(),
    deadlines: z
      .array(
        z.looseObject({
          name: str,
          dueAt: instant,
          status: z.enum(['open', 'met', 'overdue', 'cancelled']),
          ladderStep: int,
          /** Who owns it, when not the co-ordinator (an MDT action): its ladder reaches them. */
          owner: str.optional(),
        }),
      )
      .optional(),
    timeline: z.array(z.looseObject({ at: instant, type: str, by: str, detail: str })),
  }),
  fhirBundle: z.looseObject({
    resourceType: z.literal('Bundle'),
    type: str,
    entry: z.array(z.looseObject({ resource: z.looseObject({ resourceType: str }) })),
  }),
  inbox: page(
    z.looseObject({
      id: str,
      journeyId: str,
      kind: z.enum(['reminder', 'overdue', 'escalation', 'notice']),
      deadline: str,
      level: z.literal([0, 1, 2]),
      dueAt: instant.nullable(),
      createdAt: instant,
      message: str,
      /** Whom it is about, as the caller's role may see them. */
      person: person.optional(),
      /** Whose work it is, when it reached the caller as their cover (or as the next role up). */
      onBehalfOf: str.optional(),
      deliveredAt: instant.optional(),
      ackedAt: instant.optional(),
    }),
  ),
  staffMember,
  absence,
  caseloadMoveStarted: z.looseObject({ moveId: str, teamId: str, total: int, started: bool }),
  caseloadMoves: z.looseObject({
    teamId: str,
    items: z.array(
      z.looseObject({
        moveId: str,
        teamId: str,
        from: str,
        by: str,
        requestedAt: instant,
        total: int,
        moved: int,
        movedTo: z.record(z.string(), int),
        skipped: z.array(z.looseObject({ journeyId: str, why: str })),
        notMoved: z.array(z.looseObject({ journeyId: str, why: str })),
        done: bool,
        updatedAt: instant,
      }),
    ),
  }),
  teamStaff: z.looseObject({
    teamId: str,
    items: z.array(staffMember.extend({ away: absence.optional(), absences: z.array(absence) })),
  }),
  mdtMeeting,
  mdtMeetings: z.looseObject({ items: z.array(mdtMeeting) }),
  mdtMeetingRecorded: z.looseObject({
    meeting: mdtMeeting,
    /** Each journey discussed: told (or not yet confirmed), and reassigned to its presenter where the programme says so. */
    journeys: z.array(
      z.looseObject({
        journeyId: str,
        discussed: z.enum(['recorded', 'not-confirmed', 'refused']),
        reassignedTo: str.optional(),
        reassignment: z.enum(['recorded', 'not-confirmed', 'refused']).optional(),
        message: str.optional(),
      }),
    ),
  }),
  codecSession: z.looseObject({ until: instant, token: str }),
  breakGlassSessions: z.looseObject({
    items: z.array(z.looseObject({ by: str, role: str, reason: str, at: instant, until: instant })),
  }),
  codec: z.looseObject({
    payloads: z.array(z.looseObject({ metadata: z.record(z.string(), str), data: str })),
  }),
  metrics,
} satisfies Record<string, z.ZodType>;

export const problemResponse = z.looseObject({
  type: str,
  title: str,
  status: int,
  detail: str,
  errors: z.array(z.looseObject({ path: str, message: str })).optional(),
});

const SAFE_INTEGER = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

/**
 * A response schema as JSON Schema. zod says some things JSON Schema already means, and some it
 * never promised clients: those are left out, so the document says what it said when it was
 * written by hand.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    override: ({ jsonSchema: s }) => {
      // More fields allowed is JSON Schema's default; `{}` says the same at more length.
      if (isEmptyObject(s.additionalProperties)) delete s.additionalProperties;
      if (isEmptyObject(s.properties)) delete s.properties;
      // Every JSON property name is a string.
      if ((s.propertyNames as JsonSchema | undefined)?.type === 'string') delete s.propertyNames;
      // An instant is promised as a date-time, not as zod's own (narrower) pattern for one.
      if (s.format === 'date-time') delete s.pattern;
      // An integer is an integer; JavaScript's safe range is not part of the contract.
      if (s.type === 'integer' && s.minimum === SAFE_INTEGER.minimum && s.maximum === SAFE_INTEGER.maximum) {
        delete s.minimum;
        delete s.maximum;
      }
    },
  });
  return rest;
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
