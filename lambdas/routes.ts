/**
 * Every route of the API in one table, assembled from the route modules in routes/ (each declares
 * its routes' specs with their handlers): who may call a route, what it takes and what it answers.
 * The app registers its routes from here, `/openapi.json` is generated from here (request bodies
 * from the same zod schemas that validate them, response bodies from responses.ts), and the role ×
 * route test walks it.
 */
import { z } from 'zod';
import { roles, type Role } from './auth.js';
import { jsonSchemaOf, problemResponse } from './responses.js';
import { adtRoutes } from './routes/adt.js';
import { codecRoutes } from './routes/codec.js';
import { inboxRoutes } from './routes/inbox.js';
import { journeyRoutes } from './routes/journeys.js';
import { mdtMeetingRoutes } from './routes/mdtMeetings.js';
import { metricsRoutes } from './routes/metrics.js';
import { reportRoutes } from './routes/reports.js';
import { programmeRoutes } from './routes/programmes.js';
import { recordRoutes } from './routes/record.js';
import { patientRoutes } from './routes/patients.js';
import { referralRoutes } from './routes/referrals.js';
import { sessionRoutes } from './routes/session.js';
import { staffRoutes } from './routes/staff.js';
import { caseloadMoveRoutes } from './routes/caseloadMoves.js';
import { bodyLimitOf, kib, type ResponseSpec, type Route, type RouteSpec } from './routes/shared.js';
import { systemRoutes } from './routes/system.js';

export type { ResponseSpec, Route, RouteSpec };

export const routes: Route[] = [
  ...systemRoutes,
  ...sessionRoutes,
  ...programmeRoutes,
  ...staffRoutes,
  ...caseloadMoveRoutes,
  ...referralRoutes,
  ...adtRoutes,
  ...journeyRoutes,
  ...mdtMeetingRoutes,
  ...patientRoutes,
  ...recordRoutes,
  ...inboxRoutes,
  ...codecRoutes,
  ...metricsRoutes,
  ...reportRoutes,
];

export function rolesFor(method: RouteSpec['method'], path: string): Role[] {
  const spec = routes.find((r) => r.method === method && r.path === path);
  if (!spec || spec.roles === 'anyone') throw new Error(`no role-checked route ${method} ${path} in the route table`);
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
  if (r.body) {
    added[400] = 'invalid request';
    added[413] = `body larger than ${kib(bodyLimitOf(r))}`;
  }
  return { ...added, ...r.responses };
}

function responseObject(status: number, spec: string | ResponseSpec) {
  const { description, schema, contentType, alternatives } = typeof spec === 'string' ? { description: spec } : spec;
  // Errors are problem+json unless the route says otherwise (the ADT feed answers in HL7).
  const body = schema ? jsonSchemaOf(schema) : status >= 400 ? jsonSchemaOf(problemResponse) : undefined;
  const type = contentType ?? (schema ? 'application/json' : 'application/problem+json');
  if (!body) return { description };
  return {
    description,
    content: {
      [type]: { schema: body },
      ...Object.fromEntries(Object.entries(alternatives ?? {}).map(([t, s]) => [t, { schema: jsonSchemaOf(s) }])),
    },
  };
}

/** The OpenAPI 3.1 document, built from the table and the zod schemas. */
export function openApiDocument(table: RouteSpec[] = routes) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of table) {
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
          : `Roles: ${r.roles.join(', ')}${r.teamScoped ? " (co-ordinators and team leads: their teams only; service managers: their programmes' teams)" : ''}.`,
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
