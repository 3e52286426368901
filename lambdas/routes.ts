/**
 * Every route of the API in one table: who may call it, what it takes and what it answers. The app
 * takes its role checks from here, `/openapi.json` is generated from here (request bodies from the
 * same zod schemas that validate them), and the role × route test walks it.
 */
import { z } from 'zod';
import * as c from '../domain/commands.js';
import { referralSchema } from '../domain/referral.js';
import { devTokenRequest, type Role } from './auth.js';

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** OpenAPI-style path: `/journeys/{id}`. */
  path: string;
  summary: string;
  /** `anyone` needs no token. */
  roles: Role[] | 'anyone';
  /** Coordinators and team leads reach only their teams' journeys here. */
  teamScoped?: boolean;
  body?: { contentType: string; schema?: z.ZodType; description?: string }[];
  query?: string[];
  responses: Record<number, string>;
}

/** Temporal's JSON form of payloads: metadata values and data as base64. */
export const codecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') })).max(1000),
});

const STAFF: Role[] = ['coordinator', 'team-lead', 'service-manager', 'ops', 'admin'];
const EVERYONE_SIGNED_IN: Role[] = ['referrer', 'coordinator', 'team-lead', 'service-manager', 'discharge-team', 'integration', 'ops', 'admin'];
const journeyAction = (path: string, summary: string, roles: Role[], schema: z.ZodType): RouteSpec => ({
  method: 'POST',
  path: `/journeys/{id}/${path}`,
  summary,
  roles,
  teamScoped: true,
  body: [{ contentType: 'application/json', schema }],
  responses: { 200: 'the updated journey', 400: 'invalid body', 404: 'no such journey (or action)', 409: 'does not fit the journey now; nothing changed', 422: 'refused by the journey; nothing changed' },
});

export const routes: RouteSpec[] = [
  { method: 'GET', path: '/health', summary: 'Health of the API and its dependencies', roles: 'anyone', responses: { 200: 'all up', 503: 'a dependency is down' } },
  { method: 'GET', path: '/openapi.json', summary: 'This document', roles: 'anyone', responses: { 200: 'OpenAPI 3.1 document' } },
  {
    method: 'POST',
    path: '/auth/dev-token',
    summary: 'Development sign-in (only with CAREPATH_DEV_AUTH=1)',
    roles: 'anyone',
    body: [{ contentType: 'application/json', schema: devTokenRequest }],
    responses: { 200: '{token}', 404: 'development sign-in is off' },
  },
  {
    method: 'POST',
    path: '/referrals',
    summary: 'Refer a person into a programme (merged into their open journey if they have one)',
    roles: ['referrer', 'coordinator', 'team-lead', 'integration', 'admin'],
    body: [
      { contentType: 'application/json', schema: referralSchema },
      { contentType: 'application/fhir+json', description: 'FHIR R4 ServiceRequest with the Patient contained, or a Bundle holding both' },
    ],
    responses: { 202: '{journeyId, merged, phase}', 400: 'invalid referral', 413: 'body too large', 422: 'unknown programme or no team covers the person' },
  },
  {
    method: 'POST',
    path: '/adt',
    summary: 'Hospital admission, transfer and discharge events',
    roles: ['integration', 'discharge-team'],
    body: [
      { contentType: 'application/hl7-v2', description: 'HL7 v2.3–2.5 ADT (A01, A02, A03, A08, A11, A13), ER7 with CR, LF or CRLF' },
      { contentType: 'application/fhir+json', description: 'FHIR R4 Encounter' },
    ],
    responses: { 200: 'HL7 ACK (MSA|AA)', 202: 'Encounter accepted', 400: 'negative ACK (AE/AR) or invalid Encounter' },
  },
  {
    method: 'GET',
    path: '/journeys',
    summary: 'Journeys of a team (or co-ordinator), soonest due first',
    roles: STAFF,
    teamScoped: true,
    query: ['team', 'coordinator', 'phase', 'overdue', 'programme', 'limit', 'cursor'],
    responses: { 200: '{items: JourneySummary[], nextCursor?}', 400: 'no team or co-ordinator given' },
  },
  { method: 'GET', path: '/journeys/{id}', summary: 'One journey in full', roles: STAFF, teamScoped: true, responses: { 200: 'the journey', 404: 'no such journey' } },
  journeyAction('triage', 'Accept or decline a referral', ['coordinator', 'team-lead'], c.triageCommand),
  journeyAction('assessment', 'Record the holistic assessment (including the carer)', ['coordinator'], c.assessmentCommand),
  journeyAction('care-plan', 'Agree (or revise) the personalised care plan', ['coordinator'], c.carePlanCommand),
  { ...journeyAction('actions/{actionId}/complete', 'Complete a care-plan action', ['coordinator'], c.completeActionCommand.omit({ actionId: true })) },
  journeyAction('reviews', 'Record a review', ['coordinator', 'team-lead'], c.reviewCommand),
  journeyAction('contacts', 'Record a contact (a post-discharge contact meets that deadline)', ['coordinator'], c.contactCommand),
  journeyAction('coordinator', 'Reassign the named co-ordinator', ['team-lead'], c.reassignCommand),
  journeyAction('close', 'Close the journey with its outcome', ['coordinator', 'team-lead'], c.closeCommand),
  { method: 'GET', path: '/journeys/{id}/fhir', summary: 'The journey as a FHIR R4 Bundle', roles: ['coordinator', 'team-lead', 'admin'], teamScoped: true, responses: { 200: 'FHIR Bundle', 404: 'no such journey' } },
  { method: 'GET', path: '/inbox', summary: "The caller's reminders, overdue notices and escalations", roles: EVERYONE_SIGNED_IN, query: ['limit', 'cursor'], responses: { 200: '{items, nextCursor?}' } },
  { method: 'POST', path: '/inbox/{id}/ack', summary: 'Acknowledge an inbox item', roles: EVERYONE_SIGNED_IN, responses: { 204: 'acknowledged', 404: 'no such item' } },
  ...(['decode', 'encode'] as const).map(
    (op): RouteSpec => ({
      method: 'POST',
      path: `/codec/${op}`,
      summary: `Temporal remote codec: ${op} payloads (for the Temporal Web UI and CLI)`,
      roles: ['ops', 'admin'],
      body: [{ contentType: 'application/json', schema: codecBody }],
      responses: { 200: '{payloads}', 400: 'not a payloads document', 404: 'payload encryption is off', 422: 'a payload could not be opened' },
    }),
  ),
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Evaluation metrics per programme, team and period',
    roles: ['team-lead', 'service-manager', 'ops', 'admin'],
    teamScoped: true,
    query: ['programme', 'team', 'from', 'to'],
    responses: { 200: 'metrics', 400: 'bad period', 403: 'not your team' },
  },
];

export function rolesFor(method: RouteSpec['method'], path: string): Role[] {
  const spec = routes.find((r) => r.method === method && r.path === path);
  if (!spec || spec.roles === 'anyone') throw new Error(`no role-checked route ${method} ${path} in routes.ts`);
  return spec.roles;
}

const problemSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } },
};

/** The OpenAPI 3.1 document, built from the table and the zod schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(r.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
    ];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      description: r.roles === 'anyone' ? 'No sign-in needed.' : `Roles: ${r.roles.join(', ')}${r.teamScoped ? ' (co-ordinators and team leads: their teams only)' : ''}.`,
      ...(r.roles === 'anyone' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                r.body.map((b) => [b.contentType, b.schema ? { schema: stripSchemaKeyword(z.toJSONSchema(b.schema, { io: 'input', unrepresentable: 'any' })) } : { schema: { type: 'string', description: b.description } }]),
              ),
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, description]) => [
          status,
          { description, ...(Number(status) >= 400 && r.path !== '/adt' ? { content: { 'application/problem+json': { schema: problemSchema } } } : {}) },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'carepath', version: '0.1.0', description: 'Care co-ordination journeys: referrals, hospital events, co-ordinator actions, inbox and metrics.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

function stripSchemaKeyword(schema: Record<string, unknown>) {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
