/**
 * Referrals: what a referrer sends (`Referral`, with the person's identifiers) and what the
 * journey keeps (`JourneyReferral`, with none). The HTTP edge turns the first into the second —
 * the NHS number becomes a pseudonymous patient id and the date of birth an age — so no direct
 * identifier ever enters a workflow's history, search attributes or logs.
 */
import { z } from 'zod';
import { normaliseNhsNumber } from './nhsNumber.js';

// Schemas are built on first use (`z.lazy`): Temporal's sandbox evaluates this module once per
// journey workflow, which then builds only the schemas of the messages it actually receives —
// built eagerly they were most of a cached journey's memory (README, "Performance").
export const referralSources = [
  'gp',
  'hospital',
  'social-care',
  'community',
  'voluntary',
  'probation',
  'self',
  'other',
] as const;
export const urgencies = ['urgent', 'routine'] as const;
export type Urgency = (typeof urgencies)[number];

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');

/** An ODS organisation code: letters and digits (a GP practice `L83040`, a trust `RA9`). */
export const odsCode = z.string().regex(/^[A-Z0-9]{3,10}$/, 'an ODS code: 3 to 10 capital letters and digits');

/** FHIR administrative gender: what the referrer recorded, when they did. */
export const genders = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof genders)[number];

export const carerSchema = z.object({
  name: z.string().max(200).optional(),
  relationship: z.string().max(100).optional(),
  /** The carer reports strain or is at risk of breakdown (a risk factor). */
  strain: z.boolean().optional(),
});

/** The body of `POST /referrals` (JSON form). */
export const referralSchema = z.lazy(() =>
  z.object({
    patient: z.object({
      nhsNumber: z.string().refine((v) => normaliseNhsNumber(v) !== undefined, {
        message: 'is not a valid NHS number (Modulus 11 check failed)',
      }),
      givenName: z.string().min(1).max(100),
      familyName: z.string().min(1).max(100),
      birthDate: isoDate,
      postcode: z.string().max(10).optional(),
      phone: z.string().max(30).optional(),
      gender: z.enum(genders).optional(),
      /** The address without its postcode: house and street, town. */
      address: z.array(z.string().trim().min(1).max(100)).max(5).optional(),
      /** The person's registered GP practice, and its ODS code when known. */
      gpPractice: z
        .object({
          name: z.string().trim().min(1).max(200),
          odsCode: z
            .string()
            .regex(/^[A-Z0-9]{3,10}$/, 'must be an ODS code: capital letters and digits')
            .optional(),
        })
        .optional(),
    }),
    programme: z.string().min(1),
    teamId: z.string().min(1).optional(),
    source: z.enum(referralSources),
    referrer: z.object({ name: z.string().min(1).max(200), organisation: z.string().max(200).optional() }).optional(),
    reason: z.string().min(1).max(4000),
    urgency: z.enum(urgencies),
    conditions: z.array(z.string().min(1).max(100)).max(50).optional(),
    livesAlone: z.boolean().optional(),
    carer: carerSchema.optional(),
    admissionsLast12Months: z.number().int().min(0).max(365).optional(),
    /**
     * The referrer's count of the person's emergency admissions in the 6 months before this
     * referral: what evaluation compares the 6 months after with (carepath hears of admissions only
     * once the journey exists). Left out when the referrer does not know.
     */
    emergencyAdmissions6Months: z.number().int().min(0).max(183).optional(),
    /**
     * The referrer reports a risk of suicide: after a discharge the person is followed up within the
     * programme's shorter time, where it sets one (NICE QS159: 48 hours).
     */
    suicideRisk: z.boolean().optional(),
    consent: z.object({ given: z.boolean(), recordedBy: z.string().min(1).max(200) }),
    /**
     * When the referrer made the referral, if earlier than it reached carepath (a letter, a backlog
     * being migrated): the referral-to-assessment clock starts then. At most 90 days ago, never ahead.
     */
    referredAt: z.iso
      .datetime({ offset: true })
      .refine((t) => Date.parse(t) <= Date.now() + 60_000 && Date.parse(t) >= Date.now() - 90 * 86_400_000, {
        message: 'must be within the last 90 days',
      })
      .optional(),
    /**
     * When the person was last discharged home from hospital, if the referral follows a stay: an
     * admission within the programme's readmission window of it is a readmission. Never ahead.
     */
    lastDischargeAt: z.iso
      .datetime({ offset: true })
      .refine((t) => Date.parse(t) <= Date.now() + 60_000, { message: 'must not be in the future' })
      .optional(),
  }),
);
export type Referral = z.output<typeof referralSchema>;

/** A referral as the journey records it: no name, NHS number, date of birth, address or phone. */
export const journeyReferralSchema = z.lazy(() =>
  z.object({
    referralId: z.string().min(1).max(100),
    receivedAt: z.iso.datetime(),
    source: z.enum(referralSources),
    referrerOrganisation: z.string().max(200).optional(),
    reason: z.string().min(1).max(4000),
    urgency: z.enum(urgencies),
    /** Age in whole years on the day the referral was received. */
    age: z.number().int().min(0).max(130),
    teamId: z.string().min(1),
    conditions: z.array(z.string().min(1).max(100)).max(50).default([]),
    livesAlone: z.boolean().optional(),
    carer: z.object({ relationship: z.string().max(100).optional(), strain: z.boolean().optional() }).optional(),
    admissionsLast12Months: z.number().int().min(0).max(365).optional(),
    /** The referrer's count of emergency admissions in the 6 months before referral (evaluation). */
    emergencyAdmissions6Months: z.number().int().min(0).max(183).optional(),
    consentGiven: z.boolean(),
    /** The referrer reports a risk of suicide (HAZ-08). */
    suicideRisk: z.boolean().optional(),
    /**
     * Who sent it, when a person did (their sign-in id, never the patient's): a decision to decline
     * goes back to them. Left out for an integration engine; the team lead then tells the referrer.
     */
    referredBy: z.string().min(1).max(200).optional(),
    /**
     * The end of the hospital stay that led to the referral, when the referrer states it: an
     * admission soon after it is a readmission though carepath never saw that stay.
     */
    lastDischargeAt: z.iso.datetime().optional(),
  }),
);
export type JourneyReferral = z.output<typeof journeyReferralSchema>;

/** Whole years between a date of birth and a day. */
export function ageOn(birthDate: string, onIsoInstant: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const on = new Date(onIsoInstant);
  let age = on.getUTCFullYear() - by;
  const month = on.getUTCMonth() + 1;
  if (month < bm || (month === bm && on.getUTCDate() < bd)) age -= 1;
  return age;
}
