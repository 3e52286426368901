/**
 * The clinical record itself (ADR 0009), beyond the journey view:
 * - a journey's whole record: every entry with what was entered, the referrals as received with
 *   the person's demographics as the referrer gave them, the current demographics and every
 *   correction;
 * - corrections: an entry marked "entered in error", and an amendment to the person's
 *   demographics. Both are audited, and the original stays readable here;
 * - the access log: who read whose record, when and by which route, for IG leads and admins.
 *
 * Bad input changes nothing: an unknown journey or entry is 404, a role that may not correct is
 * 403 (the route table's role check), and both are problem+json.
 */
import { z } from 'zod';
import { patientIdFor } from '../../activities/pseudonym.js';
import { normaliseNhsNumber } from '../../domain/nhsNumber.js';
import { genders, isoDate } from '../../domain/referral.js';
import { journeyFor } from './journeys.js';
import { json, problem, validationProblem, type Ctx, type Route, type RouteDeps } from './shared.js';

const reason = z.string().trim().min(3).max(2000);

export const enteredInErrorBody = z.object({ reason });

/** Every detail of a person's demographics but the NHS number, which is who they are. */
export const demographicsBody = z
  .object({
    givenName: z.string().trim().min(1).max(100).optional(),
    familyName: z.string().trim().min(1).max(100).optional(),
    birthDate: isoDate.optional(),
    /** `null` removes it. */
    postcode: z.string().trim().max(10).nullable().optional(),
    /** `null` removes it. */
    phone: z.string().trim().max(30).nullable().optional(),
    /** `null` removes it. */
    gender: z.enum(genders).nullable().optional(),
    /** `null` removes it. */
    address: z.array(z.string().trim().min(1).max(100)).max(5).nullable().optional(),
    /** `null` removes it. */
    gpPractice: z
      .object({
        name: z.string().trim().min(1).max(200),
        odsCode: z
          .string()
          .regex(/^[A-Z0-9]{3,10}$/)
          .optional(),
      })
      .nullable()
      .optional(),
    reason,
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'say what to change' });

const accessSearchBody = z
  .object({
    /** Whose record: the NHS number (never in the URL, where it would be logged). */
    nhsNumber: z
      .string()
      .refine((v) => normaliseNhsNumber(v) !== undefined, { message: 'is not a valid NHS number' })
      .optional(),
    /** Whose reads: a staff id. */
    user: z.string().min(1).max(200).optional(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine((b) => !(b.nhsNumber && b.user), { message: 'give a person or a user, not both' })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: '`from` must be before `to`', path: ['to'] })
  .refine((b) => b.nhsNumber || b.user || Date.parse(b.to) - Date.parse(b.from) <= 31 * 86_400_000, {
    message: 'without a person or a user, a period of at most 31 days',
    path: ['to'],
  });

const CORRECTORS = ['coordinator', 'team-lead'] as const;
const RECORD_READERS = ['coordinator', 'team-lead', 'admin'] as const;

async function bodyOf<T extends z.ZodType>(ctx: Ctx, schema: T) {
  const body: unknown = await ctx.req.json().catch(() => undefined);
  return schema.safeParse(body);
}

const correctionBy = (ctx: Ctx, deps: RouteDeps, why: string) => {
  const caller = ctx.get('caller');
  return { reason: why, by: caller.sub, role: caller.role, at: deps.now().toISOString() };
};

export const recordRoutes: Route[] = [
  {
    method: 'GET',
    path: '/journeys/{id}/record',
    summary: "A journey's whole record: every entry as entered, the referrals as received, and every correction",
    roles: [...RECORD_READERS],
    teamScoped: true,
    responses: {
      200: json('the record', z.looseObject({ journeyId: z.string(), entries: z.array(z.looseObject({})) })),
      404: 'no such journey',
    },
    handler: async (ctx, deps) => {
      const found = await journeyFor(ctx, deps, 'GET /journeys/{id}/record');
      if ('response' in found) return found.response;
      const referralIds = found.snapshot?.referrals.map((r) => r.referralId) ?? [];
      const [entries, corrections, asReceived, patient, amendments] = await Promise.all([
        deps.read.recordEntries(found.id),
        deps.read.journeyAmendments(found.id),
        Promise.all(referralIds.map((id) => deps.read.referralAsReceived(found.patientId, id))),
        deps.read.getPatient(found.patientId),
        deps.read.demographicAmendments(found.patientId),
      ]);
      return ctx.json({
        journeyId: found.id,
        patient: patient ?? null,
        demographicAmendments: amendments,
        referralsAsReceived: asReceived.filter((r) => r !== undefined),
        entries,
        corrections,
      });
    },
  },
  {
    method: 'POST',
    path: '/journeys/{id}/entries/{seq}/entered-in-error',
    summary: 'Mark an entry of the record as entered in error, saying why (the entry stays readable)',
    roles: [...CORRECTORS],
    teamScoped: true,
    body: [{ contentType: 'application/json', schema: enteredInErrorBody }],
    responses: {
      200: json('the entry, with its mark', z.looseObject({ seq: z.int(), enteredInError: z.looseObject({}) })),
      404: 'no such journey, or no such entry in its record',
      409: 'already marked as entered in error',
    },
    handler: async (ctx, deps) => {
      const found = await journeyFor(ctx, deps, 'POST /journeys/{id}/entries/{seq}/entered-in-error');
      if ('response' in found) return found.response;
      const seq = Number(ctx.req.param('seq'));
      if (!Number.isSafeInteger(seq) || seq < 1)
        return problem(ctx, 404, 'Not found', `Journey ${found.id} has no entry ${ctx.req.param('seq')}.`);
      const parsed = await bodyOf(ctx, enteredInErrorBody);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const outcome = await deps.read.markEnteredInError(found.id, seq, correctionBy(ctx, deps, parsed.data.reason));
      if (outcome === 'not-found')
        return problem(ctx, 404, 'Not found', `Journey ${found.id} has no entry ${seq} in its record.`);
      if (outcome === 'already')
        return problem(ctx, 409, 'Already corrected', `Entry ${seq} is already marked as entered in error.`);
      const entry = (await deps.read.recordEntries(found.id)).find((e) => e.seq === seq);
      return ctx.json(entry);
    },
  },
  {
    method: 'POST',
    path: '/journeys/{id}/demographics',
    summary: "Amend the person's current demographics, saying why (what they were stays readable)",
    roles: [...CORRECTORS, 'admin'],
    teamScoped: true,
    body: [{ contentType: 'application/json', schema: demographicsBody }],
    responses: {
      200: json(
        'the amendment, with the details before and after',
        z.looseObject({ before: z.looseObject({}), after: z.looseObject({}) }),
      ),
      404: 'no such journey, or no demographics held for the person',
      409: 'amended by someone else at the same moment: look again',
    },
    handler: async (ctx, deps) => {
      const found = await journeyFor(ctx, deps, 'POST /journeys/{id}/demographics');
      if ('response' in found) return found.response;
      const parsed = await bodyOf(ctx, demographicsBody);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const { reason: why, ...changes } = parsed.data;
      const amended = await deps.read.amendDemographics(found.patientId, changes, correctionBy(ctx, deps, why));
      if (!amended) return problem(ctx, 404, 'Not found', `No demographics are held for journey ${found.id}'s person.`);
      if (amended === 'conflict')
        return problem(ctx, 409, 'Conflict', 'Someone else amended these details at the same moment; look again.');
      return ctx.json(amended);
    },
  },
  {
    method: 'POST',
    path: '/access-log/search',
    summary: "Who read a person's record, what a user read, or every read in a period",
    roles: ['ig-lead', 'admin'],
    body: [{ contentType: 'application/json', schema: accessSearchBody }],
    responses: { 200: json('{items}', z.looseObject({ items: z.array(z.looseObject({})) })) },
    handler: async (ctx, deps) => {
      const parsed = await bodyOf(ctx, accessSearchBody);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const { nhsNumber, user, from, to } = parsed.data;
      const [start, end] = [new Date(from).toISOString(), new Date(to).toISOString()];
      const items = nhsNumber
        ? await deps.read.accessToPatient(patientIdFor(nhsNumber, deps.pseudonymKey), start, end)
        : user
          ? await deps.read.accessByUser(user, start, end)
          : await deps.read.accessInPeriod(start, end);
      return ctx.json({ items });
    },
  },
];
