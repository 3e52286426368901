/**
 * Hospital feeds: who may send admissions and discharges for which hospitals, and what each
 * hospital's codes mean. A PAS says "day case", "planned", "transferred to another trust" or "died"
 * in codes — HL7 table 0004 for patient class, table 0007 or the NHS admission method for the
 * admission, table 0112 or the NHS discharge method and destination for the discharge — and trusts
 * use local codes too, so each sending facility may have a table of its own over the defaults.
 *
 * The journey never sees a code: the edge reads them through these tables into the meanings below
 * (`HospitalEvent`), so a journey's rules are the same whichever hospital sent the message.
 */
import { z } from 'zod';

/** What the hospital says the person is (PV1-2). Only an inpatient's stay pauses community work. */
export const patientClasses = ['inpatient', 'day-case', 'outpatient', 'pre-admission'] as const;
export type PatientClass = (typeof patientClasses)[number];

/** How the person was admitted (PV1-4). A planned admission is not a readmission. */
export const admissionKinds = ['emergency', 'planned', 'maternity', 'other'] as const;
export type AdmissionKind = (typeof admissionKinds)[number];

/** Where a discharge (A03) leaves the person (PV1-36 and PV1-37, PID-30). */
export const dischargeOutcomes = ['home', 'transfer', 'died'] as const;
export type DischargeOutcome = (typeof dischargeOutcomes)[number];

const codes = <T extends readonly [string, ...string[]]>(meanings: T) =>
  z.record(z.string().min(1).max(20), z.enum(meanings));

// Built on first use (`z.lazy`), like the programme's: journey workflows import this module for
// its lists of meanings, and must not build the feed schemas in every workflow's sandbox.
/** A facility's own codes, each over the defaults below (a local code wins). */
export const codeTableSchema = z.lazy(() =>
  z.object({
    patientClass: codes(patientClasses).optional(),
    admissionType: codes(admissionKinds).optional(),
    dischargeDisposition: codes(dischargeOutcomes).optional(),
    dischargedTo: codes(dischargeOutcomes).optional(),
  }),
);
export type CodeTable = z.output<typeof codeTableSchema>;

export const hospitalFeedsSchema = z.lazy(() =>
  z.object({
    /**
     * Each integration client (its sign-in id) and the sending facilities (MSH-4, or an Encounter's
     * `serviceProvider` identifier) it may send for. Anything else is refused (HAZ-10).
     */
    senders: z
      .array(
        z.object({
          client: z.string().min(1).max(200),
          facilities: z.array(z.string().min(1).max(50)).min(1),
        }),
      )
      .superRefine((senders, ctx) => {
        const seen = new Set<string>();
        senders.forEach((s, i) => {
          if (seen.has(s.client))
            ctx.addIssue({ code: 'custom', path: [i, 'client'], message: `duplicate sender ${s.client}` });
          seen.add(s.client);
        });
      }),
    /** Local codes per sending facility, by its code (`RA9`). */
    codeTables: z.record(z.string().min(1).max(50), codeTableSchema).default({}),
  }),
);
export type HospitalFeeds = z.output<typeof hospitalFeedsSchema>;

/**
 * The defaults. Patient class: HL7 table 0004 (`I`, `O`, `E`, `P`, `R`, `B`), the common UK local
 * `D` for a day case, and the NHS Data Dictionary's patient classification (1–5), which some PAS
 * send in PV1-2. Admission: HL7 table 0007 and the NHS admission method (11–13 elective, 21–2D
 * emergency, 31–32 maternity, 81–83 other). Discharge: HL7 table 0112's expired and transferred
 * codes, the NHS discharge method (4 died), and the NHS discharge destination (48–53, 84 and 87
 * other hospitals, 79 died). A code not in the table means what carepath did before it read codes:
 * an inpatient, an unplanned admission, a discharge home.
 */
export const DEFAULT_CODES: Required<CodeTable> = {
  patientClass: {
    I: 'inpatient',
    E: 'inpatient',
    B: 'inpatient',
    O: 'outpatient',
    R: 'outpatient',
    P: 'pre-admission',
    D: 'day-case',
    '1': 'inpatient',
    '2': 'day-case',
    '3': 'day-case',
    '4': 'inpatient',
    '5': 'inpatient',
  },
  admissionType: {
    E: 'emergency',
    A: 'emergency',
    U: 'emergency',
    C: 'planned',
    R: 'planned',
    L: 'maternity',
    N: 'maternity',
    ...Object.fromEntries(['11', '12', '13'].map((c) => [c, 'planned' as const])),
    ...Object.fromEntries(
      ['21', '22', '23', '24', '25', '28', '2A', '2B', '2C', '2D'].map((c) => [c, 'emergency' as const]),
    ),
    '31': 'maternity',
    '32': 'maternity',
    '81': 'other',
    '82': 'other',
    '83': 'other',
  },
  dischargeDisposition: {
    '4': 'died',
    '20': 'died',
    '40': 'died',
    '41': 'died',
    '42': 'died',
    '02': 'transfer',
    '05': 'transfer',
  },
  dischargedTo: {
    ...Object.fromEntries(['48', '49', '50', '51', '52', '53', '84', '87'].map((c) => [c, 'transfer' as const])),
    '79': 'died',
  },
};

/** What a facility's code means, its own table first; undefined when neither table knows it. */
export function meaningOf<K extends keyof CodeTable>(
  feeds: HospitalFeeds | undefined,
  facility: string,
  table: K,
  code: string | undefined,
): NonNullable<CodeTable[K]>[string] | undefined {
  const c = code?.trim();
  if (!c) return undefined;
  const local = feeds?.codeTables[facility]?.[table] as Record<string, string> | undefined;
  const defaults = DEFAULT_CODES[table] as Record<string, string>;
  return (Object.hasOwn(local ?? {}, c) ? local![c] : Object.hasOwn(defaults, c) ? defaults[c] : undefined) as
    NonNullable<CodeTable[K]>[string] | undefined;
}

/**
 * A discharge's outcome from its codes: a death if anything says so, else a transfer if either
 * field says the person went to another hospital, else a discharge home.
 */
export function dischargeOutcome(
  feeds: HospitalFeeds | undefined,
  facility: string,
  codes: { deathIndicator?: string; disposition?: string; dischargedTo?: string },
): DischargeOutcome {
  const said = [
    meaningOf(feeds, facility, 'dischargeDisposition', codes.disposition),
    meaningOf(feeds, facility, 'dischargedTo', codes.dischargedTo),
  ];
  if (codes.deathIndicator?.trim().toUpperCase() === 'Y' || said.includes('died')) return 'died';
  return said.includes('transfer') ? 'transfer' : 'home';
}

/** The facilities `client` may send for; none when it is not a configured sender. */
export function facilitiesOf(feeds: HospitalFeeds, client: string): readonly string[] {
  return feeds.senders.find((s) => s.client === client)?.facilities ?? [];
}
