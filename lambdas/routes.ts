/**
 * Every route of the API in one table: who may call it, what it takes and what it answers. The app
 * takes its role checks from here, `/openapi.json` is generated from here (request bodies from the
 * same zod schemas that validate them), and the role × route test walks it.
 */
import { z } from 'zod';
import * as c from '../domain/commands.js';
import { referralSchema } from '../domain/referral.js';
import { devTokenRequest, roles, type Role } from './auth.js';
import { jsonSchemaOf, problemResponse, responses, type JsonSchema } from './responses.js';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI-style path: `/journeys/{id}`. */
  path: string;
  summary: string;
  /** `anyone` needs no token. */
  roles: Role[] | 'anyone';
  /** Coordinators and team leads reach only their teams' journeys here. */
  teamScoped?: boolean;
  body?: { contentType: string; schema?: z.ZodType; description?: string }[];
  query?: string[];
  /** Optional request headers the route reads. */
  headers?: { name: string; description: string; pattern: string }[];
  /** Status → description, or description with the body's schema (JSON unless `contentType`). */
  responses: Record<number, string | ResponseSpec>;
}

export interface ResponseSpec {
  description: string;
  schema?: JsonSchema;
  contentType?: string;
  /** Further media types this status may answer with (the ADT feed answers HL7 or JSON). */
  alternatives?: Record<string, JsonSchema>;
}

/** Temporal's JSON form of payloads: metadata values and data as base64. */
export const codecBody = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') }))
    .max(1000),
});

const responseSchemas = Object.fromEntries(
  Object.entries(responses).map(([name, schema]) => [name, jsonSchemaOf(schema)]),
) as Record<keyof typeof responses, JsonSchema>;
const problemSchema = jsonSchemaOf(problemResponse);

const json = (description: string, schema: JsonSchema): ResponseSpec => ({ description, schema });
const HL7 = 'application/hl7-v2';
const hl7 = (description: string): ResponseSpec => ({ description, contentType: HL7, schema: responseSchemas.hl7Ack });

const STAFF: Role[] = ['coordinator', 'team-lead', 'service-manager', 'ops', 'admin'];
const EVERYONE_SIGNED_IN: Role[] = [
  'referrer',
  'coordinator',
  'team-lead',
  'service-manager',
  'discharge-team',
  'integration',
  'ops',
  'admin',
];
const journeyAction = (path: string, summary: string, roles: Role[], schema: z.ZodType): RouteSpec => ({
  method: 'POST',
  path: `/journeys/{id}/${path}`,
  summary,
  roles,
  teamScoped: true,
  body: [{ contentType: 'application/json', schema }],
  headers: [
    {
      name: 'Idempotency-Key',
      description:
        'Names the command so that sending it again (after a timeout) returns the first answer and does nothing twice.',
      pattern: '^[A-Za-z0-9_.:-]{1,100}$',
    },
  ],
  responses: {
    200: json('the updated journey', responseSchemas.journeyDetail),
    400: 'invalid body or Idempotency-Key',
    404: 'no such journey (or action)',
    409: 'does not fit the journey now; nothing changed',
    422: 'refused by the journey; nothing changed',
    503: 'the journey has the command but has not confirmed it yet (its worker is down): look before sending it again, or send it with the same Idempotency-Key',
  },
});

export const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/health',
    summary: 'Health of the API and its dependencies',
    roles: 'anyone',
    responses: {
      200: json('all up', responseSchemas.health),
      503: json('a dependency is down', responseSchemas.health),
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    roles: 'anyone',
    responses: { 200: json('OpenAPI 3.1 document', responseSchemas.openapi) },
  },
  {
    method: 'POST',
    path: '/auth/dev-token',
    summary: 'Development sign-in (only with CAREPATH_DEV_AUTH=1)',
    roles: 'anyone',
    body: [{ contentType: 'application/json', schema: devTokenRequest }],
    responses: {
      200: json('{token}', responseSchemas.token),
      400: 'invalid request',
      404: 'development sign-in is off',
    },
  },
  {
    method: 'GET',
    path: '/auth/dev-directory',
    summary: 'Development sign-in: the people of the configured teams, to pick one (only with CAREPATH_DEV_AUTH=1)',
    roles: 'anyone',
    responses: {
      200: json('{users[{sub, name, role, teams}]}', responseSchemas.devDirectory),
      404: 'development sign-in is off',
    },
  },
  {
    method: 'POST',
    path: '/auth/session',
    summary:
      "Sets the caller's token as an HttpOnly cookie scoped to /codec, so the Temporal Web UI can decode history for them",
    roles: EVERYONE_SIGNED_IN,
    responses: { 204: 'cookie set' },
  },
  {
    method: 'DELETE',
    path: '/auth/session',
    summary: 'Clears the codec cookie (sign-out)',
    roles: 'anyone',
    responses: { 204: 'cookie cleared' },
  },
  {
    method: 'GET',
    path: '/programmes',
    summary: 'The configured programmes, their teams, co-ordinators (with capacity), leads and service managers',
    roles: STAFF,
    responses: { 200: json('{items: Programme[]}', responseSchemas.programmes) },
  },
  {
    method: 'GET',
    path: '/caseloads',
    summary: "A team's caseload per co-ordinator against capacity",
    roles: STAFF,
    teamScoped: true,
    query: ['team'],
    responses: {
      200: json('{teamId, items[{coordinatorId, name, caseload, capacity}]}', responseSchemas.caseloads),
      400: 'no team given',
      403: 'not your team',
      404: 'no such team',
    },
  },
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
      202: json('{journeyId, merged, phase}', responseSchemas.referralAccepted),
      400: 'invalid referral',
      413: 'body too large',
      422: 'unknown programme or no team covers the person',
      429: 'rate limited (Retry-After says when to try again)',
    },
  },
  {
    method: 'POST',
    path: '/adt',
    summary: 'Hospital admission, transfer and discharge events',
    roles: ['integration', 'discharge-team'],
    body: [
      {
        contentType: 'application/hl7-v2',
        description: 'HL7 v2.3–2.5 ADT (A01, A02, A03, A08, A11, A13), ER7 with CR, LF or CRLF',
      },
      { contentType: 'application/fhir+json', description: 'FHIR R4 Encounter' },
    ],
    responses: {
      200: hl7('HL7 ACK (MSA|AA)'),
      202: json('Encounter accepted', responseSchemas.encounterAccepted),
      400: {
        ...hl7('negative ACK (AE/AR), or an invalid Encounter (problem+json)'),
        alternatives: { 'application/problem+json': problemSchema },
      },
      413: hl7('negative ACK (AR): message too large'),
      429: hl7('negative ACK (AR): rate limited (Retry-After says when to try again)'),
    },
  },
  {
    method: 'GET',
    path: '/journeys',
    summary: 'Journeys of a team (or co-ordinator), soonest due first',
    roles: STAFF,
    teamScoped: true,
    query: ['team', 'coordinator', 'phase', 'overdue', 'programme', 'limit', 'cursor'],
    responses: {
      200: json('{items: JourneySummary[], nextCursor?}', responseSchemas.journeyPage),
      400: 'no team or co-ordinator given, or a bad cursor',
      403: 'not your team',
    },
  },
  {
    method: 'GET',
    path: '/journeys/{id}',
    summary: 'One journey in full',
    roles: STAFF,
    teamScoped: true,
    responses: { 200: json('the journey', responseSchemas.journeyDetail), 404: 'no such journey' },
  },
  journeyAction('triage', 'Accept or decline a referral', ['coordinator', 'team-lead'], c.triageCommand),
  journeyAction(
    'assessment',
    'Record the holistic assessment (including the carer)',
    ['coordinator'],
    c.assessmentCommand,
  ),
  journeyAction('care-plan', 'Agree (or revise) the personalised care plan', ['coordinator'], c.carePlanCommand),
  {
    ...journeyAction(
      'actions/{actionId}/complete',
      'Complete a care-plan action',
      ['coordinator'],
      c.completeActionCommand.omit({ actionId: true }),
    ),
  },
  journeyAction('reviews', 'Record a review', ['coordinator', 'team-lead'], c.reviewCommand),
  journeyAction(
    'contacts',
    'Record a contact (a post-discharge contact meets that deadline)',
    ['coordinator'],
    c.contactCommand,
  ),
  journeyAction('coordinator', 'Reassign the named co-ordinator', ['team-lead'], c.reassignCommand),
  journeyAction('close', 'Close the journey with its outcome', ['coordinator', 'team-lead'], c.closeCommand),
  {
    method: 'GET',
    path: '/journeys/{id}/fhir',
    summary: 'The journey as a FHIR R4 Bundle',
    roles: ['coordinator', 'team-lead', 'admin'],
    teamScoped: true,
    responses: {
      200: { description: 'FHIR Bundle', contentType: 'application/fhir+json', schema: responseSchemas.fhirBundle },
      404: 'no such journey',
    },
  },
  {
    method: 'GET',
    path: '/inbox',
    summary: "The caller's reminders, overdue notices and escalations",
    roles: EVERYONE_SIGNED_IN,
    query: ['limit', 'cursor'],
    responses: { 200: json('{items, nextCursor?}', responseSchemas.inbox), 400: 'a bad cursor' },
  },
  {
    method: 'POST',
    path: '/inbox/{id}/ack',
    summary: 'Acknowledge an inbox item',
    roles: EVERYONE_SIGNED_IN,
    responses: { 204: 'acknowledged', 404: 'no such item' },
  },
  ...(['decode', 'encode'] as const).map((op): RouteSpec => ({
    method: 'POST',
    path: `/codec/${op}`,
    summary: `Temporal remote codec: ${op} payloads (for the Temporal Web UI and CLI)`,
    roles: ['ops', 'admin'],
    body: [{ contentType: 'application/json', schema: codecBody }],
    responses: {
      200: json('{payloads}', responseSchemas.codec),
      400: 'not a payloads document',
      404: 'payload encryption is off',
      422: 'a payload could not be opened',
    },
  })),
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Evaluation metrics per programme, team and period',
    roles: ['team-lead', 'service-manager', 'ops', 'admin'],
    teamScoped: true,
    query: ['programme', 'team', 'from', 'to'],
    responses: {
      200: json('metrics', responseSchemas.metrics),
      400: 'bad period',
      403: 'not your team',
      404: 'no such programme or team',
    },
  },
];

export function rolesFor(method: RouteSpec['method'], path: string): Role[] {
  const spec = routes.find((r) => r.method === method && r.path === path);
  if (!spec || spec.roles === 'anyone') throw new Error(`no role-checked route ${method} ${path} in routes.ts`);
  return spec.roles;
}

/**
 * Every status a route can answer: its own, plus what the shared middleware adds — 401 and 403 on
 * role-checked routes (403 only where some role is left out or teams scope it) and 400 for a body
 * that is not what it says it is.
 */
function responsesOf(r: RouteSpec): Record<number, string | ResponseSpec> {
  const added: Record<number, string> = {};
  if (r.roles !== 'anyone') {
    added[401] = 'no valid bearer token';
    if (r.teamScoped || roles.some((role) => !(r.roles as Role[]).includes(role)))
      added[403] = 'not for this role (or not your team)';
  }
  if (r.body) added[400] = 'invalid request';
  return { ...added, ...r.responses };
}

function responseObject(status: number, spec: string | ResponseSpec) {
  const { description, schema, contentType, alternatives } = typeof spec === 'string' ? { description: spec } : spec;
  // Errors are problem+json unless the route says otherwise (the ADT feed answers in HL7).
  const body = schema ?? (status >= 400 ? problemSchema : undefined);
  const type = contentType ?? (schema ? 'application/json' : 'application/problem+json');
  if (!body) return { description };
  return {
    description,
    content: {
      [type]: { schema: body },
      ...Object.fromEntries(Object.entries(alternatives ?? {}).map(([t, s]) => [t, { schema: s }])),
    },
  };
}

/** The OpenAPI 3.1 document, built from the table and the zod schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(r.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      ...(r.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: false,
        description: h.description,
        schema: { type: 'string', pattern: h.pattern },
      })),
    ];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      description:
        r.roles === 'anyone'
          ? 'No sign-in needed.'
          : `Roles: ${r.roles.join(', ')}${r.teamScoped ? ' (co-ordinators and team leads: their teams only)' : ''}.`,
      ...(r.roles === 'anyone' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                r.body.map((b) => [
                  b.contentType,
                  b.schema
                    ? { schema: stripSchemaKeyword(z.toJSONSchema(b.schema, { io: 'input', unrepresentable: 'any' })) }
                    : { schema: { type: 'string', description: b.description } },
                ]),
              ),
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(responsesOf(r)).map(([status, spec]) => [status, responseObject(Number(status), spec)]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'carepath',
      version: '0.1.0',
      description: 'Care co-ordination journeys: referrals, hospital events, co-ordinator actions, inbox and metrics.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

function stripSchemaKeyword(schema: Record<string, unknown>) {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
