/**
 * Referral intake: a person referred into a programme, as JSON or as a FHIR ServiceRequest,
 * routed to a team and merged into their open journey if they have one.
 */
import { randomUUID } from 'node:crypto';
import { patientIdFor } from '../../activities/pseudonym.js';
import { normaliseNhsNumber } from '../../domain/nhsNumber.js';
import { routeToTeam } from '../../domain/programme.js';
import { personShown } from '../../domain/person.js';
import { ageOn, referralSchema } from '../../domain/referral.js';
import type { JourneySummary } from '../../domain/views.js';
import { referralFromFhir } from '../fhirIntake.js';
import { perCallerLimit } from '../rateLimits.js';
import { responses } from '../responses.js';
import { untilRecorded } from './recorded.js';
import {
  cursorsOf,
  isInvalidKey,
  json,
  pageLimit,
  problem,
  TEAM_SCOPED,
  validationProblem,
  type Env,
  type Route,
} from './shared.js';

export const referralRoutes: Route[] = [
  {
    method: 'POST',
    path: '/referrals',
    summary: 'Refer a person into a programme (merged into their open journey if they have one)',
    roles: ['referrer', 'coordinator', 'team-lead', 'integration', 'admin'],
    body: [
      { contentType: 'application/json', schema: referralSchema },
      {
        contentType: 'application/fhir+json',
        description: 'FHIR R4 ServiceRequest with the Patient contained, or a Bundle holding both',
      },
    ],
    responses: {
      202: json('{journeyId, merged, phase}', responses.referralAccepted),
      400: 'invalid referral',
      422: 'unknown programme or no team covers the person',
      429: 'rate limited (Retry-After says when to try again)',
    },
    // A FHIR Bundle with its Patient, ServiceRequest and a letter's worth of notes.
    maxBodyBytes: 256 * 1024,
    tooLarge: (ctx) => problem(ctx, 413, 'Too large', 'Referral bodies are limited to 256 KiB.'),
    after: (deps) => {
      const perMinute = deps.rateLimits?.intakePerMinute ?? 0;
      return [
        perCallerLimit<Env>(
          perMinute,
          (ctx, retryAfter) => {
            ctx.header('retry-after', String(retryAfter));
            return problem(
              ctx,
              429,
              'Too many requests',
              `At most ${perMinute} referrals a minute from one caller; try again in ${retryAfter} s.`,
            );
          },
          { door: 'intake', counts: deps.rateLimitCounts },
        ),
      ];
    },
    handler: async (ctx, deps) => {
      const now = deps.now;
      let body: unknown = await ctx.req.json().catch(() => undefined);
      if (ctx.req.header('content-type')?.includes('application/fhir+json')) {
        const fhir = referralFromFhir(body);
        if (!fhir.ok)
          return problem(
            ctx,
            400,
            'Invalid FHIR referral',
            fhir.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
            { errors: fhir.errors },
          );
        body = fhir.value;
      }
      const parsed = referralSchema.safeParse(body);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const r = parsed.data;
      const p = deps.programmes.find((x) => x.id === r.programme);
      if (!p)
        return problem(
          ctx,
          422,
          'Unknown programme',
          `There is no programme ${r.programme}; known: ${deps.programmes.map((x) => x.id).join(', ')}.`,
        );
      const team = routeToTeam(p, {
        ...(r.teamId ? { teamId: r.teamId } : {}),
        ...(r.patient.postcode ? { postcode: r.patient.postcode } : {}),
      });
      if (!team)
        return problem(
          ctx,
          422,
          'No team',
          r.teamId
            ? `Programme ${p.id} has no team ${r.teamId}.`
            : `No team of ${p.id} covers postcode ${r.patient.postcode ?? '(none given)'}; name a teamId.`,
        );
      const caller = ctx.get('caller');
      if (TEAM_SCOPED.includes(caller.role) && !caller.teams.includes(team.id))
        return problem(ctx, 403, 'Forbidden', `You are not in team ${team.id}.`);
      const receivedAt = r.referredAt
        ? new Date(Math.min(Date.parse(r.referredAt), now().getTime())).toISOString()
        : now().toISOString();
      const age = ageOn(r.patient.birthDate, receivedAt);
      if (age < 0 || age > 130)
        return problem(ctx, 400, 'Invalid request', 'patient.birthDate: not a plausible date of birth', {
          errors: [{ path: 'patient.birthDate', message: 'not a plausible date of birth' }],
        });
      const patientId = patientIdFor(r.patient.nhsNumber, deps.pseudonymKey);
      const nhsNumber = normaliseNhsNumber(r.patient.nhsNumber)!;
      const referralId = randomUUID();
      // The referral as it arrived, demographics and all, is kept before the journey hears of it:
      // the record never has a referral without what the referrer said. The person's current
      // demographics are set by their first referral only (later ones never overwrite them).
      await deps.read.recordReferralAsReceived({
        referralId,
        patientId,
        programmeId: p.id,
        receivedAt,
        receivedBy: caller.sub,
        ...(caller.organisation ? { receivedByOrganisation: caller.organisation } : {}),
        referral: { ...r, patient: { ...r.patient, nhsNumber } },
      });
      await deps.read.registerPatient({ patientId, ...r.patient, nhsNumber });
      const accepted = await deps.gateway.refer(p, patientId, {
        referralId,
        receivedAt,
        source: r.source,
        ...(r.referrer?.organisation ? { referrerOrganisation: r.referrer.organisation } : {}),
        reason: r.reason,
        urgency: r.urgency,
        age,
        teamId: team.id,
        conditions: r.conditions ?? [],
        ...(r.livesAlone !== undefined ? { livesAlone: r.livesAlone } : {}),
        ...(r.carer
          ? {
              carer: {
                ...(r.carer.relationship ? { relationship: r.carer.relationship } : {}),
                ...(r.carer.strain !== undefined ? { strain: r.carer.strain } : {}),
              },
            }
          : {}),
        ...(r.admissionsLast12Months !== undefined ? { admissionsLast12Months: r.admissionsLast12Months } : {}),
        ...(r.emergencyAdmissions6Months !== undefined
          ? { emergencyAdmissions6Months: r.emergencyAdmissions6Months }
          : {}),
        consentGiven: r.consent.given,
        ...(r.suicideRisk !== undefined ? { suicideRisk: r.suicideRisk } : {}),
        // A person is told if it is declined; an integration engine has no one to read its inbox.
        ...(caller.role !== 'integration' ? { referredBy: caller.sub } : {}),
        ...(r.lastDischargeAt ? { lastDischargeAt: new Date(Date.parse(r.lastDischargeAt)).toISOString() } : {}),
      });
      await Promise.all([
        deps.read.recordPatientJourney({
          patientId,
          journeyId: accepted.journeyId,
          programmeId: p.id,
          teamId: team.id,
          referredAt: receivedAt,
        }),
        // So that its referrer can follow it ("My referrals").
        deps.read.noteReferralJourney(patientId, referralId, accepted.journeyId),
      ]);
      // Whoever looks next (the referrer's colleague, the hub, the referrer's own system) finds the
      // journey with this referral in it: wait, bounded, for the record to have it. While workers
      // restart the wait runs out and the answer is given anyway, as ADR 0008 wants: the referral
      // is safe in the journey, which records it when a worker runs it.
      await untilRecorded(
        () => deps.read.recordedSoFar(accepted.journeyId),
        (r) => r.referralIds.includes(referralId),
      );
      return ctx.json(accepted, 202);
    },
  },
  {
    method: 'GET',
    path: '/referrals',
    summary:
      "The referrals you made (mine=true), or your organisation's where it shares them (organisation=true), newest first, and what became of each",
    roles: ['referrer', 'coordinator', 'team-lead', 'admin'],
    query: ['mine', 'organisation', 'limit', 'cursor'],
    responses: {
      200: json(
        '{items: [{referralId, receivedAt, person, status, reason?, coordinator?}], nextCursor?}',
        responses.myReferrals,
      ),
      400: "neither mine=true nor organisation=true (a referrer sees only their own, or their organisation's), or a bad cursor",
      403: 'organisation=true by someone whose organisation does not share its referrals (or who has none)',
    },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const q = ctx.req.query();
      const wholeOrganisation = q.organisation === 'true';
      if (q.mine !== 'true' && !wholeOrganisation)
        return problem(
          ctx,
          400,
          'Invalid request',
          "Ask for mine=true (the referrals you made) or organisation=true (your organisation's, where it shares them).",
        );
      // An organisation's list is open to its referrers only where the configuration says so;
      // asked for anywhere else it is refused, never answered with the caller's own.
      if (wholeOrganisation && !(caller.organisation && deps.referralsSharedWithin.includes(caller.organisation)))
        return problem(
          ctx,
          403,
          'Forbidden',
          caller.organisation
            ? `${caller.organisation} does not share its referrals among its referrers; ask for mine=true.`
            : 'Your sign-in names no organisation; ask for mine=true.',
        );
      const list = `GET /referrals ${caller.sub} ${wholeOrganisation ? 'organisation' : 'mine'}`;
      const opened = cursorsOf(deps).open(q.cursor, list);
      if (opened === false) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
      const cursor = opened === undefined ? undefined : (JSON.parse(opened) as Record<string, unknown>);
      const by = wholeOrganisation ? { organisation: caller.organisation! } : { sub: caller.sub };
      const page = await deps.read.referralsBy(by, pageLimit(q.limit), cursor).catch((error: unknown) => {
        if (isInvalidKey(error)) return undefined;
        throw error;
      });
      if (!page) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
      const journeys = await deps.read.journeys(page.items.flatMap((r) => r.journeyId ?? []));
      const people = await deps.read.people(page.items.map((r) => r.patientId));
      const now = deps.now();
      // Named as the staff directory has them (a co-ordinator who joined since is there too).
      const coordinatorIds = [...new Set([...journeys.values()].flatMap((j) => j.coordinatorId ?? []))];
      const names = new Map(
        (await Promise.all(coordinatorIds.map((id) => deps.read.staff.member(id)))).flatMap((m) =>
          m ? [[m.staffId, m.name] as const] : [],
        ),
      );
      const coordinatorName = (id: string) => names.get(id) ?? id;
      const items = page.items.map((r) => {
        const j = r.journeyId ? journeys.get(r.journeyId) : undefined;
        const record = people.get(r.patientId);
        // The referrer made it, so they see whom it was for; the banner's other fields are the team's.
        const person = record ? personShown(record, 'identity', now) : undefined;
        return {
          referralId: r.referralId,
          receivedAt: r.receivedAt,
          programme: r.programmeId,
          ...(r.journeyId ? { journeyId: r.journeyId } : {}),
          ...(person ? { person } : {}),
          ...(wholeOrganisation ? { referredBy: r.receivedBy } : {}),
          ...referralStatus(j, coordinatorName),
        };
      });
      const next = page.next ? cursorsOf(deps).seal(JSON.stringify(page.next), list) : undefined;
      return ctx.json({ items, ...(next ? { nextCursor: next } : {}) });
    },
  },
];

/**
 * What became of a referral, in the referrer's words: received (waiting for triage, or not yet
 * recorded), accepted (with the named co-ordinator once there is one), declined (with triage's
 * reason), or closed (how).
 */
function referralStatus(j: JourneySummary | undefined, nameOf: (id: string) => string) {
  if (!j || j.phase === 'triage' || j.phase === 'referred') return { status: 'received' as const };
  if (j.phase === 'closed' && j.triage?.decision === 'decline')
    return { status: 'declined' as const, reason: j.triage.reason, ...(j.closedAt ? { closedAt: j.closedAt } : {}) };
  if (j.phase === 'closed')
    return {
      status: 'closed' as const,
      ...(j.closeReason ? { reason: j.closeReason } : {}),
      ...(j.closedAt ? { closedAt: j.closedAt } : {}),
    };
  return {
    status: 'accepted' as const,
    ...(j.coordinatorId ? { coordinator: { id: j.coordinatorId, name: nameOf(j.coordinatorId) } } : {}),
  };
}
