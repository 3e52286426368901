/**
 * A care co-ordination programme is configuration, not code: its teams, who is eligible, how
 * risk is scored, how long each piece of work may take and who hears about it when it is late.
 * The schema below is the single source of the programme's type and of the errors an invalid
 * configuration file produces. Each journey keeps a snapshot of its programme from the day it
 * started, so editing the configuration never changes a running journey's history.
 */
import { z } from 'zod';
import { isDuration, isIsoDuration, nominalMs } from './durations.js';
import { hospitalFeedsSchema } from './hospitalFeeds.js';
import { shippedInstrument } from './instruments.js';
import { instrumentSchema, type Instrument } from './outcomeMeasures.js';
import { odsCode } from './referral.js';
import { calendarSchema } from './workingCalendar.js';

// Schemas are built on first use (`z.lazy`): Temporal's sandbox evaluates this module once per
// journey workflow, which then builds only the schemas of the messages it actually receives —
// built eagerly they were most of a cached journey's memory (README, "Performance").
export const duration = z
  .string()
  .refine(isIsoDuration, { message: 'must be an ISO 8601 duration such as P7D, PT72H or -P1D' });

/** A deadline's length: ISO 8601, or business days on the team's working calendar (`2 business days`). */
const positiveDuration = z
  .string()
  .refine(isDuration, {
    message: 'must be an ISO 8601 duration such as P7D or PT72H, or business days such as "2 business days"',
  })
  .refine((d) => !isDuration(d) || nominalMs(d) > 0, { message: 'must be a positive duration' });
/** A length the journey measures on the plain calendar (a readmission window, a bereavement call). */
const positiveIsoDuration = positiveDuration.refine(isIsoDuration, {
  message: 'must be an ISO 8601 duration such as P30D (business days are for deadlines)',
});
const safeNominal = (d: string): number => (isDuration(d) ? nominalMs(d) : Number.NaN);

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes');

export const coordinatorSchema = z.lazy(() =>
  z.object({
    id,
    name: z.string().min(1),
    /** The most open journeys this co-ordinator should hold at once. */
    maxCaseload: z.number().int().positive(),
  }),
);

export const teamSchema = z.lazy(() =>
  z.object({
    id,
    name: z.string().min(1).optional(),
    /** Postcode prefixes (e.g. `TQ1`, `EX`) this team covers; used when a programme has several teams. */
    postcodes: z.array(z.string().min(1)).optional(),
    coordinators: z.array(coordinatorSchema).min(1),
    leads: z.array(z.string().min(1)).min(1),
    serviceManagers: z.array(z.string().min(1)).min(1),
    /** The team's own working calendar, where it differs from its programme's. */
    calendar: calendarSchema.optional(),
  }),
);

/** The eligibility criteria a referral can fail, by the programme setting that states each. */
export const eligibilityCriteria = ['minAge', 'maxAge', 'minRiskScore'] as const;
export type EligibilityCriterion = (typeof eligibilityCriteria)[number];

export const recipientRoles = ['coordinator', 'team-lead', 'service-manager'] as const;
export type RecipientRole = (typeof recipientRoles)[number];

export const escalationStepSchema = z.lazy(() =>
  z.object({
    /** Offset from the deadline's due time; negative is before it. */
    at: duration,
    notify: z.enum(recipientRoles),
    kind: z.enum(['reminder', 'overdue', 'escalation']),
  }),
);

export const riskModelSchema = z.lazy(() =>
  z.object({
    /** Age from which each further year adds `weights.agePerYear`. */
    ageFrom: z.number().int().min(0).default(65),
    weights: z.object({
      agePerYear: z.number().min(0).default(0.01),
      perCondition: z.number().min(0).default(0.05),
      perAdmission: z.number().min(0).default(0.1),
      livesAlone: z.number().min(0).default(0.1),
      carerStrain: z.number().min(0).default(0.15),
      noCarer: z.number().min(0).default(0.05),
    }),
    /** Ceilings so that one factor cannot decide the tier on its own. */
    caps: z
      .object({
        age: z.number().min(0).default(0.3),
        conditions: z.number().min(0).default(0.3),
        admissions: z.number().min(0).default(0.3),
      })
      .prefault({}),
    /** Weights for named conditions that matter more (or less) than the default per-condition weight. */
    conditions: z.record(z.string(), z.number().min(0)).default({}),
    /** Scores at or above these thresholds put a person in the high or medium tier. */
    tiers: z
      .object({ high: z.number().min(0).max(1), medium: z.number().min(0).max(1) })
      .refine((t) => t.high > t.medium, { message: 'high must be above medium' }),
  }),
);

/**
 * The outcome measures a programme takes (issue 21): each a deadline with the programme's ladder,
 * the baseline after the assessment and then every so often, recorded by `record-measure`.
 */
export const outcomesSchema = z.lazy(() =>
  z
    .object({
      /**
       * Licensed instruments the service holds a licence for, defined in the shipped instruments'
       * shape (domain/outcomeMeasures.ts). carepath ships none of them.
       */
      instruments: z.array(instrumentSchema).default([]),
      measures: z
        .array(
          z.object({
            /** A shipped instrument's id (domain/instruments.ts) or one of `instruments`. */
            instrument: id,
            /** How long after the assessment the baseline may wait. */
            baselineWithin: positiveDuration.default('P14D'),
            /** How long after each measure the next is due. */
            every: positiveDuration,
            /**
             * Whether it is taken again when the journey closes (with the close command), other
             * than after a death: the "at closure" figure of evaluation (docs/evaluation.md).
             */
            atClosure: z.boolean().default(true),
          }),
        )
        .min(1),
    })
    .superRefine((o, ctx) => {
      const configured = new Set(o.instruments.map((i) => i.id));
      o.instruments.forEach((i, n) => {
        if (shippedInstrument(i.id))
          ctx.addIssue({
            code: 'custom',
            path: ['instruments', n, 'id'],
            message: `${i.id} is shipped with carepath; give a licensed instrument an id of its own`,
          });
        if (i.licence.shipped)
          ctx.addIssue({
            code: 'custom',
            path: ['instruments', n, 'licence', 'shipped'],
            message: 'a configured instrument is the service’s, not shipped',
          });
      });
      const seen = new Set<string>();
      o.measures.forEach((m, n) => {
        if (!configured.has(m.instrument) && !shippedInstrument(m.instrument))
          ctx.addIssue({
            code: 'custom',
            path: ['measures', n, 'instrument'],
            message: `no instrument ${m.instrument}: neither shipped nor configured`,
          });
        if (seen.has(m.instrument))
          ctx.addIssue({
            code: 'custom',
            path: ['measures', n, 'instrument'],
            message: `${m.instrument} is listed twice`,
          });
        seen.add(m.instrument);
      });
    }),
);

export const programmeSchema = z.lazy(() =>
  z
    .object({
      id,
      name: z.string().min(1),
      description: z.string().optional(),
      teams: z.array(teamSchema).min(1),
      eligibility: z.object({
        minAge: z.number().int().min(0).optional(),
        maxAge: z.number().int().min(0).optional(),
        /**
         * Below this score a referral is not eligible. It waits for a person's decision with the
         * reason shown, unless `closesAutomatically` names it.
         */
        minRiskScore: z.number().min(0).max(1).optional(),
        /** At or above this score an eligible referral is accepted without waiting for a person. */
        autoAcceptRiskScore: z.number().min(0).max(1).optional(),
        /**
         * The criteria above that may close a routine referral without a person looking at it, for
         * clear-cut rules such as a child referred to an adult service. Left out, none may: every
         * referral that fails a criterion waits for a triage decision with the reason shown. An
         * urgent referral always waits (HAZ-01).
         */
        closesAutomatically: z.array(z.enum(eligibilityCriteria)).optional(),
      }),
      risk: riskModelSchema,
      deadlines: z.object({
        /** How long a referral may wait for a triage decision before the ladder starts. */
        triage: positiveDuration.optional(),
        assessment: z.object({ urgent: positiveDuration, routine: positiveDuration }),
        carePlan: positiveDuration,
        postDischargeContact: positiveDuration,
        /**
         * The follow-up after a discharge when a risk of suicide is flagged (on a referral, or at
         * assessment): NICE QS159 asks for 48 hours where NHS England's standard is 72 (HAZ-08).
         */
        postDischargeContactIfSuicideRisk: positiveDuration.optional(),
        review: z.object({
          /** The first review after the care plan is agreed; defaults to the tier's interval. */
          first: positiveDuration.optional(),
          high: positiveDuration,
          medium: positiveDuration,
          low: positiveDuration,
        }),
        /** After a hospital discharge the next review is due no later than this. */
        reviewAfterDischarge: positiveDuration.default('P7D'),
      }),
      escalation: z
        .array(escalationStepSchema)
        .min(1)
        .refine((steps) => steps.every((s, i) => i === 0 || !(safeNominal(s.at) <= safeNominal(steps[i - 1]!.at))), {
          message: 'steps must be in order of their offsets, each later than the one before',
        }),
      readmissionWindow: positiveIsoDuration.default('P30D'),
      /**
       * Working hours, days and bank holidays (domain/workingCalendar.ts): ladder steps wait for
       * working hours unless it runs round the clock, and deadlines may be in business days. Left
       * out, the programme runs round the clock on calendar days.
       */
      calendar: calendarSchema.optional(),
      /** Palliative programmes record whether the person died in their preferred place. */
      recordsPlaceOfDeath: z.boolean().default(false),
      /**
       * Bereavement follow-up for the carer. When a person with a known carer dies in hospital, a
       * `bereavement-contact` deadline opens, due this long after the death. It is met by a carer
       * contact that reached the carer, or that the carer declined. Until then the journey cannot
       * be closed as deceased. Left out, a death opens nothing, and the co-ordinator is asked only
       * to close the journey.
       */
      bereavement: z.object({ contactWithin: positiveIsoDuration }).optional(),
      /**
       * How long a closed journey's record is kept (docs/operations.md, "Retention"): 8 years after
       * care ends when not given, the NHS Records Management Code of Practice's minimum for adults.
       */
      retention: z.object({ yearsAfterClosure: z.number().int().min(1).max(100) }).optional(),
      /** Outcome measures and when each is due; left out, the programme takes none. */
      outcomes: outcomesSchema.optional(),
      /**
       * The team's MDT meetings (issue 21). `presenterBecomesCoordinator`: whoever presents a case
       * at the MDT becomes its named co-ordinator, as in the Pembrokeshire model: recording the
       * meeting reassigns each journey discussed to its presenter, who must be a co-ordinator of
       * the team with room in their caseload. Left out, presenting changes no one's caseload.
       */
      mdt: z.object({ presenterBecomesCoordinator: z.boolean().default(false) }).optional(),
    })
    .superRefine((p, ctx) => {
      const teamIds = new Set<string>();
      p.teams.forEach((team, i) => {
        if (teamIds.has(team.id))
          ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `duplicate team id ${team.id}` });
        teamIds.add(team.id);
        if (p.teams.length > 1 && !team.postcodes?.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['teams', i, 'postcodes'],
            message: 'required when a programme has several teams',
          });
        }
      });
      // A deadline in business days is counted on a working calendar: one must say whose.
      const inBusinessDays = JSON.stringify(p.deadlines).match(/"\d{1,3} business days?"/g);
      if (inBusinessDays && !p.calendar && p.teams.some((t) => !t.calendar))
        ctx.addIssue({
          code: 'custom',
          path: ['calendar'],
          message: `required for deadlines in business days (${[...new Set(inBusinessDays)].join(', ')})`,
        });
      const { minAge, maxAge } = p.eligibility;
      if (minAge !== undefined && maxAge !== undefined && minAge > maxAge) {
        ctx.addIssue({ code: 'custom', path: ['eligibility', 'maxAge'], message: 'must not be below minAge' });
      }
    }),
);

export const programmesFileSchema = z
  .object({
    programmes: z.array(programmeSchema).min(1),
    /** Who may send hospital events for which facilities, and each facility's codes. */
    hospitalFeeds: hospitalFeedsSchema.optional(),
    /**
     * Referrer organisations (ODS codes) whose referrers follow every referral the organisation
     * made, not only their own: a practice whose GPs cover each other's patients. None by default.
     */
    referralsSharedWithin: z.array(odsCode).default([]),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.programmes.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({ code: 'custom', path: ['programmes', i, 'id'], message: `duplicate programme id ${p.id}` });
      seen.add(p.id);
    });
  });

export type Programme = z.output<typeof programmeSchema>;
export type ProgrammeInput = z.input<typeof programmeSchema>;
export type Team = z.output<typeof teamSchema>;
export type Coordinator = z.output<typeof coordinatorSchema>;
export type EscalationStep = z.output<typeof escalationStepSchema>;
export type RiskModel = z.output<typeof riskModelSchema>;
export type Outcomes = z.output<typeof outcomesSchema>;

/** The instrument a programme's measure names: one it configures, else one carepath ships. */
export const instrumentOf = (programme: Programme, id: string): Instrument | undefined =>
  programme.outcomes?.instruments.find((i) => i.id === id) ?? shippedInstrument(id);

/** Escalation level as the inbox reports it: 0 the co-ordinator, 1 the team lead, 2 the service manager. */
export const levelOf = (role: RecipientRole): 0 | 1 | 2 => (role === 'coordinator' ? 0 : role === 'team-lead' ? 1 : 2);

/**
 * A programme as a journey keeps it: its rules, with no one in its teams. Who works in a team is
 * the staff directory's to say when a journey notifies or assigns (domain/staff.ts), so a joiner,
 * a leaver and cover for an absence reach running journeys without a restart, and a journey's
 * history never names staff it was not given work by.
 */
export function rulesOf(programme: Programme): Programme {
  return {
    ...programme,
    teams: programme.teams.map((t) => ({ ...t, coordinators: [], leads: [], serviceManagers: [] })),
  };
}

export function findTeam(programme: Programme, teamId: string): Team | undefined {
  return programme.teams.find((t) => t.id === teamId);
}

/**
 * Which team a referral goes to: the one it names, else the programme's only team, else the team
 * whose postcode prefix matches best (longest prefix wins, so `TQ12` beats `TQ1`).
 */
export function routeToTeam(programme: Programme, request: { teamId?: string; postcode?: string }): Team | undefined {
  if (request.teamId) return findTeam(programme, request.teamId);
  if (programme.teams.length === 1) return programme.teams[0];
  const outward = outwardCode(request.postcode);
  if (!outward) return undefined;
  let best: { team: Team; length: number } | undefined;
  for (const team of programme.teams) {
    for (const prefix of team.postcodes ?? []) {
      const p = prefix.replace(/\s+/g, '').toUpperCase();
      // An area (`TQ`) matches any of its districts; a district (`TQ1`) must not match `TQ10`.
      const next = outward.charAt(p.length);
      const boundary = /\d$/.test(p) ? !/\d/.test(next) : !/[A-Z]/.test(next);
      if (outward.startsWith(p) && boundary && (!best || p.length > best.length)) best = { team, length: p.length };
    }
  }
  return best?.team;
}

/** The outward code of a UK postcode (`TQ1 2AB` → `TQ1`); an outward code alone is returned as is. */
export function outwardCode(postcode: string | undefined): string | undefined {
  const compact = postcode?.replace(/\s+/g, '').toUpperCase();
  if (!compact) return undefined;
  // The inward code is always a digit and two letters.
  return compact.length >= 5 && /\d[A-Z]{2}$/.test(compact) ? compact.slice(0, -3) : compact;
}
