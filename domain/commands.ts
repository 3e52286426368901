/**
 * What people ask a journey to do, as zod schemas: the single source of the request types the
 * API validates, the command arguments the workflow checks again (domain/journeyCommands.ts),
 * and the OpenAPI document. Every command carries who asked (`by`), for the audit trail.
 */
import { z } from 'zod';
import { riskTiers } from './risk.js';
import { admissionKinds } from './hospitalFeeds.js';
import { programmeSchema } from './programme.js';

export const phases = ['referred', 'triage', 'assessment', 'care-planning', 'active', 'in-hospital', 'closed'] as const;
export type Phase = (typeof phases)[number];

export const closeReasons = [
  'ineligible',
  'declined',
  'goals-met',
  'moved-away',
  'deceased',
  'transferred',
  'withdrawn',
] as const;
export type CloseReason = (typeof closeReasons)[number];

export const staffRoles = [
  'referrer',
  'coordinator',
  'team-lead',
  'service-manager',
  'discharge-team',
  'integration',
  'ops',
  /** Information governance lead: audits who read whose record (the access log). */
  'ig-lead',
  'admin',
  'system',
] as const;

export const actorSchema = z.object({ sub: z.string().min(1).max(200), role: z.enum(staffRoles) });
export type Actor = z.output<typeof actorSchema>;
export const systemActor: Actor = { sub: 'carepath', role: 'system' };

// Schemas are built on first use (`z.lazy`): Temporal's sandbox evaluates this module once per
// journey workflow, which then builds only the schemas of the messages it actually receives —
// built eagerly they were most of a cached journey's memory (README, "Performance").
const tier = z.enum(riskTiers as unknown as ['high', 'medium', 'low']);
const text = (max: number) => z.string().trim().min(1).max(max);
const localId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be letters, digits, _ or -, at most 64');

export const triageCommand = z.lazy(() =>
  z.object({
    decision: z.enum(['accept', 'decline']),
    reason: text(2000),
    riskTier: tier.optional(),
    /** Why a declined referral closes: ineligible unless the person declined, withdrew or went elsewhere. */
    closeReason: z.enum(['ineligible', 'declined', 'withdrawn', 'transferred']).optional(),
  }),
);

export const assessmentCommand = z.lazy(() =>
  z.object({
    summary: text(8000),
    /** Needs found across the holistic domains (physical, mental, social, housing, financial, spiritual …). */
    needs: z
      .array(z.object({ domain: text(100), description: text(2000) }))
      .max(50)
      .default([]),
    /** What matters to the person: their wishes and preferences, including preferred place of care and death. */
    whatMatters: z.string().max(4000).optional(),
    conditions: z.array(text(100)).max(50).optional(),
    livesAlone: z.boolean().optional(),
    carer: z
      .object({
        present: z.boolean(),
        relationship: z.string().max(100).optional(),
        strain: z.boolean().optional(),
        /** A carer's assessment was offered (Care Act 2014 s.10). */
        assessmentOffered: z.boolean().optional(),
        needs: z.string().max(4000).optional(),
      })
      .optional(),
    riskTier: tier.optional(),
    /**
     * A risk of suicide, found (true) or ruled out (false) at assessment: it decides, over what the
     * referral said, whether the programme's shorter post-discharge follow-up applies (HAZ-08).
     */
    suicideRisk: z.boolean().optional(),
  }),
);

const dateTime = z.iso.datetime({ offset: true });

export const carePlanCommand = z.lazy(() =>
  z
    .object({
      goals: z
        .array(z.object({ id: localId, description: text(2000) }))
        .min(1)
        .max(30),
      actions: z
        .array(z.object({ id: localId, description: text(2000), owner: text(200), due: dateTime }))
        .max(100)
        .default([]),
      agreedWithPatient: z.boolean(),
      agreedWithCarer: z.boolean().optional(),
      /** Required when the person could not agree the plan themselves (e.g. a best-interests decision). */
      notAgreedReason: z.string().max(2000).optional(),
    })
    .superRefine((plan, ctx) => {
      const dupes = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);
      for (const id of dupes(plan.goals.map((g) => g.id)))
        ctx.addIssue({ code: 'custom', path: ['goals'], message: `duplicate goal id ${id}` });
      for (const id of dupes(plan.actions.map((a) => a.id)))
        ctx.addIssue({ code: 'custom', path: ['actions'], message: `duplicate action id ${id}` });
      if (!plan.agreedWithPatient && !plan.notAgreedReason?.trim()) {
        ctx.addIssue({
          code: 'custom',
          path: ['notAgreedReason'],
          message: 'say why the plan was not agreed with the person',
        });
      }
    }),
);

export const completeActionCommand = z.object({ actionId: localId, notes: z.string().max(2000).optional() });

export const closeOutcomeSchema = z.object({
  goalsMet: z.enum(['all', 'some', 'none']).optional(),
  /** Palliative programmes: did the person die in their preferred place? */
  placeOfDeathAchieved: z.boolean().optional(),
  notes: z.string().max(4000).optional(),
});

export const reviewCommand = z.lazy(() =>
  z.object({
    outcome: z.enum(['continue', 'step-down', 'close']),
    riskTier: tier.optional(),
    notes: text(8000),
    closeReason: z.enum(closeReasons).optional(),
    closeOutcome: closeOutcomeSchema.optional(),
  }),
);

/**
 * An outcome measure, completed (issue 21): the instrument, and for each of its items the index of
 * the answer given (domain/outcomeMeasures.ts). Scored by the journey, never by the sender.
 */
const measureAnswers = () => ({
  instrument: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an instrument id such as phq-9'),
  answers: z.record(localId, z.int().min(0).max(20)).refine((a) => Object.keys(a).length <= 100, {
    message: 'at most 100 answers',
  }),
});

export const recordMeasureCommand = z.lazy(() =>
  z.object({
    ...measureAnswers(),
    /** When it was completed; defaults to now, never in the future. */
    at: dateTime.optional(),
    notes: text(4000).optional(),
  }),
);

export const contactKinds = ['post-discharge', 'routine', 'crisis', 'carer', 'mdt'] as const;
/** What came of it: only `reached`, by phone, visit or video, is a conversation with the person. */
export const contactOutcomes = ['reached', 'no-answer', 'message-left', 'declined'] as const;
export const contactCommand = z.lazy(() =>
  z.object({
    kind: z.enum(contactKinds),
    channel: z.enum(['phone', 'visit', 'video', 'message']),
    /** What came of it; without one, `reached`, as every contact was before outcomes were recorded. */
    outcome: z.enum(contactOutcomes).optional(),
    /** When the contact happened; defaults to now, never in the future. */
    at: dateTime.optional(),
    notes: z.string().max(4000).optional(),
  }),
);

/**
 * A journey discussed at a team's MDT meeting (domain/mdtMeetings.ts): the meeting it was discussed
 * at, who presented it, what was decided and the actions agreed, each with its owner and due date.
 * The API sends it to each journey of a meeting it has recorded; the decision and actions are the
 * record entry's content, never the audit trail's.
 */
// A staff directory id, as domain/staff.ts has it (not imported: staff.ts builds its schemas eagerly).
const staffRef = () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\w.@-]+$/, 'letters, digits and . _ @ - only');
export const mdtDiscussionCommand = z.lazy(() =>
  z.object({
    meetingId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a meeting id'),
    /**
     * The day the meeting was held (Europe/London). Not `z.iso.date()`: its pattern is zod's own,
     * frozen with zod in the workflow sandbox, where checking it throws (workflows/sharedModules.ts).
     */
    heldOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
    presenterId: staffRef(),
    decision: text(4000),
    actions: z
      .array(z.object({ description: text(2000), ownerId: staffRef(), due: dateTime }))
      .max(20)
      .default([]),
  }),
);

/** An action agreed at an MDT, done: its deadline is met and its ladder stops. */
export const completeMdtActionCommand = z.object({
  actionId: z.string().regex(/^\d{1,10}-\d{1,2}$/, 'must be an MDT action id such as 12-1'),
  notes: z.string().max(2000).optional(),
});

export const reassignCommand = z.lazy(() => z.object({ coordinatorId: z.string().min(1).max(100) }));

/** Moving a running journey to its programme's current rules (domain/adoptRules.ts): why, as a person says it. */
const adoptReason = () => z.string().trim().min(1).max(500);
export const adoptRulesCommand = z.lazy(() => z.object({ reason: adoptReason() }));
/** …and the rules themselves, which the API adds from the programme file it runs with. */
export const adoptRulesWithProgramme = z.lazy(() => z.object({ reason: adoptReason(), programme: programmeSchema }));

/**
 * A discharge the hospital will never send: the person went home from (or died in) a hospital
 * outside carepath's feeds, usually after a transfer, and someone there or the family said so
 * (HAZ-20). It does what the hospital's own A03 would have done, recorded as this person's word.
 */
export const reportedDischargeCommand = z.lazy(() =>
  z.object({
    /** When the person left hospital (or died), as reported; not in the future. */
    at: dateTime,
    /** Who said so, for the audit trail: "Ward 9 nurse in charge, Leeds General", "daughter". */
    reportedBy: text(200),
    /** The person died in hospital, rather than going home. */
    died: z.boolean().optional(),
    notes: z.string().max(2000).optional(),
  }),
);

export const closeCommand = z.lazy(() =>
  z.object({
    reason: z.enum(closeReasons),
    outcome: closeOutcomeSchema.default({}),
    /**
     * The outcome measures taken at closure (issue 21), each the programme's with `atClosure`:
     * recorded, as the closure occasion, before the journey closes. Never after a death.
     */
    measures: z.array(z.object(measureAnswers())).max(10).optional(),
  }),
);

/**
 * The longest message id (MSH-10, or an Encounter's identifier and version) and location a journey
 * keeps. The id is kept as `facility:id`, within the schema's 200 characters; HL7 v2.5 itself
 * allows 20. Intake refuses a longer id and cuts a longer location (a ward name) to fit.
 */
export const MAX_CONTROL_ID = 150;
export const MAX_LOCATION = 200;

/** A hospital event as the ADT or FHIR Encounter intake hands it to a journey (no identifiers). */
export const hospitalEventSchema = z.lazy(() =>
  z.object({
    /** MSH-10 (or the Encounter's version id): a repeat of the same id changes nothing. */
    controlId: z.string().min(1).max(200),
    event: z.enum(['A01', 'A02', 'A03', 'A08', 'A11', 'A13']),
    /** When it happened in the hospital (EVN-6 / PV1-44 / PV1-45); defaults to when it was received. */
    occurredAt: dateTime.optional(),
    location: z.string().max(200).optional(),
    /**
     * On an A03: the person died in hospital (PID-30 `Y`, or a discharge method or destination of
     * death). The stay ends, but not as a discharge home: nothing follows it but closure.
     */
    died: z.boolean().optional(),
    /** On an A03: the person went to another hospital, so the stay goes on there (HAZ-04). */
    transfer: z.boolean().optional(),
    /**
     * What the hospital says the person is (PV1-2, Encounter.class). A day case or an outpatient
     * attendance is recorded but pauses nothing and is not a readmission. Left out: an inpatient.
     */
    patientClass: z.enum(['inpatient', 'day-case', 'outpatient']).optional(),
    /** How the person was admitted (PV1-4). A planned admission is not a readmission. */
    admission: z.enum(admissionKinds).optional(),
    /** When carepath received it: ladder steps due before then fire before it is applied. */
    receivedAt: dateTime.optional(),
  }),
);

export type TriageCommand = z.output<typeof triageCommand>;
export type AdoptRulesCommand = z.output<typeof adoptRulesWithProgramme>;
export type ReportedDischargeCommand = z.output<typeof reportedDischargeCommand>;
export type AssessmentCommand = z.output<typeof assessmentCommand>;
export type CarePlanCommand = z.output<typeof carePlanCommand>;
export type CompleteActionCommand = z.output<typeof completeActionCommand>;
export type ReviewCommand = z.output<typeof reviewCommand>;
export type ContactCommand = z.output<typeof contactCommand>;
export type RecordMeasureCommand = z.output<typeof recordMeasureCommand>;
export type ReassignCommand = z.output<typeof reassignCommand>;
export type MdtDiscussionCommand = z.output<typeof mdtDiscussionCommand>;
export type CompleteMdtActionCommand = z.output<typeof completeMdtActionCommand>;
export type CloseCommand = z.output<typeof closeCommand>;
export type CloseOutcome = z.output<typeof closeOutcomeSchema>;
export type HospitalEvent = z.output<typeof hospitalEventSchema>;

/** A command as the workflow receives it: the command plus who asked. */
export type By<T> = T & { by: Actor };
export const withActor = <T extends z.ZodType>(schema: T) => z.intersection(schema, z.object({ by: actorSchema }));
