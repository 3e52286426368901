/**
 * The hospital ADT feed: admissions, transfers and discharges as HL7 v2 (answered with an HL7 ACK)
 * or as a FHIR Encounter (answered in JSON), applied to the patient's open journeys.
 */
import type { Context } from 'hono';
import { patientIdFor } from '../../activities/pseudonym.js';
import { hospitalEventSchema, type HospitalEvent } from '../../domain/commands.js';
import { facilitiesOf } from '../../domain/hospitalFeeds.js';
import { normaliseNhsNumber } from '../../domain/nhsNumber.js';
import { hospitalEventFromEncounter } from '../fhirIntake.js';
import { ack, parseAdt } from '../hl7.js';
import { perCallerLimit } from '../rateLimits.js';
import { problemResponse, responses } from '../responses.js';
import { json, problem, type Env, type ResponseSpec, type Route } from './shared.js';

const HL7 = 'application/hl7-v2';
const hl7 = (description: string): ResponseSpec => ({ description, contentType: HL7, schema: responses.hl7Ack });
const isJson = (ctx: Context) => /json/.test(ctx.req.header('content-type') ?? '');

/**
 * The event as the journey will check it (domain/commands.ts). A journey ignores an event that
 * fails its schema, since a refusal there would stop the workflow; so the API checks first and
 * refuses it to the sender, who can correct it, rather than acknowledge an admission no journey
 * records.
 */
function journeyEvent(event: HospitalEvent): { ok: true; event: HospitalEvent } | { ok: false; reason: string } {
  const parsed = hospitalEventSchema.safeParse(event);
  if (parsed.success) return { ok: true, event };
  return {
    ok: false,
    reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
  };
}

export const adtRoutes: Route[] = [
  {
    method: 'POST',
    path: '/adt',
    summary: 'Hospital admission, transfer and discharge events',
    roles: ['integration', 'discharge-team'],
    body: [
      {
        contentType: 'application/hl7-v2',
        description:
          'HL7 v2.3–2.5 ADT (A01, A02, A03, A08, A11, A13; A05 acknowledged and ignored), ER7 with CR, LF or CRLF',
      },
      { contentType: 'application/fhir+json', description: 'FHIR R4 Encounter' },
    ],
    responses: {
      200: hl7('HL7 ACK (MSA|AA)'),
      202: json('Encounter accepted', responses.encounterAccepted),
      403: {
        ...hl7('negative ACK (AR), or problem+json for an Encounter: a facility this sender may not send for'),
        alternatives: { 'application/problem+json': problemResponse },
      },
      400: {
        ...hl7('negative ACK (AE/AR), or an invalid Encounter (problem+json)'),
        alternatives: { 'application/problem+json': problemResponse },
      },
      413: hl7('negative ACK (AR): message too large'),
      429: hl7('negative ACK (AR): rate limited (Retry-After says when to try again)'),
    },
    // An integration engine waits for an ACK: AE tells it to send the message again.
    whenUnavailable: (ctx) =>
      isJson(ctx)
        ? undefined
        : ctx.body(ack(undefined, 'AE', 'temporarily unavailable: send again'), 503, {
            'content-type': 'application/hl7-v2; charset=utf-8',
          }),
    maxBodyBytes: 64 * 1024,
    tooLarge: (ctx) =>
      ctx.body(ack(undefined, 'AR', 'message too large'), 413, { 'content-type': 'application/hl7-v2' }),
    after: (deps) => {
      const perMinute = deps.rateLimits?.adtPerMinute ?? 0;
      return [
        perCallerLimit<Env>(
          perMinute,
          (ctx, retryAfter) =>
            ctx.body(
              ack(undefined, 'AR', `rate limited: at most ${perMinute} messages a minute; retry in ${retryAfter} s`),
              429,
              { 'content-type': 'application/hl7-v2; charset=utf-8', 'retry-after': String(retryAfter) },
            ),
          { door: 'adt', counts: deps.rateLimitCounts },
        ),
      ];
    },
    handler: async (ctx, deps) => {
      const now = deps.now;
      const caller = ctx.get('caller');
      // A sender may send only for the facilities it is configured for (HAZ-10), and its message
      // ids are its own: duplicates are detected per sender and facility.
      const allowed = facilitiesOf(deps.hospitalFeeds, caller.sub);
      const notFor = (facility: string) =>
        allowed.length === 0
          ? `${caller.sub} is not configured to send hospital events (hospitalFeeds.senders)`
          : `${caller.sub} may not send for facility ${facility}; it may send for ${allowed.join(', ')}`;
      const sender = (facility: string) => `${caller.sub}/${facility}`;
      if (isJson(ctx)) {
        // The FHIR alternative: an Encounter.
        const encounter = hospitalEventFromEncounter(await ctx.req.json().catch(() => undefined));
        if (!encounter.ok)
          return problem(
            ctx,
            400,
            'Invalid Encounter',
            encounter.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
            { errors: encounter.errors },
          );
        const { nhsNumber, facility, event } = encounter.value;
        const nhs = normaliseNhsNumber(nhsNumber);
        if (!nhs)
          return problem(ctx, 400, 'Invalid Encounter', 'Encounter.subject.identifier: not a valid NHS number', {
            errors: [{ path: 'Encounter.subject.identifier', message: 'not a valid NHS number' }],
          });
        if (!allowed.includes(facility))
          return problem(ctx, 403, 'Not a sender for this facility', notFor(facility), {
            errors: [{ path: 'Encounter.serviceProvider', message: notFor(facility) }],
          });
        const forJourney = journeyEvent({ ...event, controlId: `${facility}:${event.controlId}` });
        if (!forJourney.ok)
          return problem(ctx, 400, 'Invalid Encounter', forJourney.reason, {
            errors: [{ path: 'Encounter', message: forJourney.reason }],
          });
        if (!(await deps.read.isNewAdtMessage(sender(facility), event.controlId)))
          return ctx.json({ applied: 0, duplicate: true }, 202);
        const reached = await deps.gateway.hospitalEvent(
          deps.programmes,
          patientIdFor(nhs, deps.pseudonymKey),
          forJourney.event,
        );
        await deps.read.recordAdtMessage(sender(facility), event.controlId, now());
        return ctx.json({ applied: reached, duplicate: false }, 202);
      }
      const hl7 = (status: number, body: string) =>
        ctx.body(body, status as 200, { 'content-type': 'application/hl7-v2; charset=utf-8' });
      const parsed = parseAdt(await ctx.req.text(), deps.hospitalFeeds);
      if (parsed.ignored && !allowed.includes(parsed.sendingFacility))
        return hl7(403, ack(parsed.message, 'AR', notFor(parsed.sendingFacility)));
      if (parsed.ignored) return hl7(200, ack(parsed.message, 'AA', parsed.reason));
      if (!parsed.ok) return hl7(400, ack(parsed.message, parsed.code, parsed.reason, parsed.controlId));
      const { adt } = parsed;
      if (!allowed.includes(adt.sendingFacility)) return hl7(403, ack(adt.message, 'AR', notFor(adt.sendingFacility)));
      const forJourney = journeyEvent({
        controlId: `${adt.sendingFacility}:${adt.controlId}`,
        event: adt.event,
        ...(adt.occurredAt ? { occurredAt: adt.occurredAt } : {}),
        ...(adt.location ? { location: adt.location } : {}),
        ...(adt.died ? { died: true } : {}),
        ...(adt.transfer ? { transfer: true } : {}),
        // An inpatient is what a journey assumes when it is not told: only the others are sent.
        ...(adt.patientClass === 'day-case' || adt.patientClass === 'outpatient'
          ? { patientClass: adt.patientClass }
          : {}),
        ...(adt.admission ? { admission: adt.admission } : {}),
      });
      if (!forJourney.ok) return hl7(400, ack(adt.message, 'AE', forJourney.reason));
      const at = now();
      // A message we have processed before is acknowledged and changes nothing.
      if (!(await deps.read.isNewAdtMessage(sender(adt.sendingFacility), adt.controlId)))
        return hl7(200, ack(adt.message, 'AA', 'duplicate: already processed'));
      const patientId = patientIdFor(adt.nhsNumber, deps.pseudonymKey);
      const reached = await deps.gateway.hospitalEvent(deps.programmes, patientId, forJourney.event);
      await deps.read.recordAdtMessage(sender(adt.sendingFacility), adt.controlId, at);
      return hl7(
        200,
        ack(
          adt.message,
          'AA',
          reached > 0 ? `applied to ${reached} journey(s)` : 'no open journey for this patient: nothing changed',
        ),
      );
    },
  },
];
