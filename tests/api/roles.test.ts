/**
 * Every route × every role, from the route table the app takes its checks from: 401 without a
 * token, 403 for a role the contract does not name, through for one it does; and team scoping on
 * every journey route. Plus the OpenAPI document built from the same table and schemas.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { roles, type Role } from '../../lambdas/auth.js';
import { codecSessionsSealedWith } from '../../lambdas/codecSessions.js';
import { routes } from '../../lambdas/routes.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

describe('role × route matrix', () => {
  it('answers 401, 403 or lets through exactly as the contract says, and keeps co-ordinators and leads to their teams', async () => {
    const { call, token: signIn, pseudonymKey } = api.get();
    // The codec routes take a break-glass codec session and nothing else: a sign-in of any role is
    // 401 there, and a session of a role the contract does not name is 403.
    const sessions = codecSessionsSealedWith(pseudonymKey);
    let codecSession = false;
    const token = async (sub: string, role: string, teams: string[] = []) =>
      codecSession ? sessions.issue({ sub, role: role as Role }, new Date()).token : await signIn(sub, role, teams);
    const made = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: {
          nhsNumber: '4010232137',
          givenName: 'Ann',
          familyName: 'Lee',
          birthDate: '1944-04-04',
          postcode: 'TQ5 9AA',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'frailty',
        urgency: 'routine',
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    const { journeyId } = made.body as { journeyId: string };
    const target = (path: string) =>
      path
        .replace('{id}', encodeURIComponent(journeyId))
        .replace('{actionId}', 'a1')
        .replace('{staffId}', 'coord-ana')
        .replace('{absenceId}', 'none')
        .replace('{teamId}', 'south-devon-1')
        .replace('{meetingId}', 'none') +
      (['/journeys', '/metrics', '/caseloads', '/staff', '/caseload-moves'].includes(path)
        ? '?team=south-devon-1'
        : path === '/reports/quarterly' || path === '/reports/measures.csv'
          ? '?programme=frailty-virtual-ward&team=south-devon-1'
          : '');
    const send = (route: (typeof routes)[number], bearer?: string) =>
      call(route.method, target(route.path), {
        ...(bearer ? { token: bearer } : {}),
        ...(route.method === 'POST' || route.method === 'PUT'
          ? route.path === '/adt'
            ? { body: 'not hl7' }
            : { json: {} }
          : {}),
      });

    let checked = 0;
    for (const route of routes) {
      if (route.roles === 'anyone') {
        expect((await send(route)).status, `${route.method} ${route.path} without a token`).not.toBe(401);
        continue;
      }
      expect((await send(route)).status, `${route.method} ${route.path} without a token`).toBe(401);
      codecSession = false;
      if (route.codecSession)
        for (const role of roles)
          expect(
            (await send(route, await token(`${role}-user`, role, ['south-devon-1']))).status,
            `${role}'s sign-in on ${route.method} ${route.path}`,
          ).toBe(401);
      codecSession = route.codecSession ?? false;
      for (const role of roles) {
        const status = (await send(route, await token(`${role}-user`, role, ['south-devon-1']))).status;
        if (route.roles.includes(role)) {
          expect([401, 403], `${role} on ${route.method} ${route.path} got ${status}`).not.toContain(status);
          expect(status, `${role} on ${route.method} ${route.path}`).toBeLessThan(500);
        } else expect(status, `${role} on ${route.method} ${route.path}`).toBe(403);
        checked += 1;
      }
      codecSession = false;
      if (route.teamScoped) {
        for (const role of (['coordinator', 'team-lead'] as const).filter((r) =>
          (route.roles as string[]).includes(r),
        )) {
          expect(
            (await send(route, await token(`${role}-elsewhere`, role, ['exeter-1']))).status,
            `${role} of another team on ${route.method} ${route.path}`,
          ).toBe(403);
        }
      }
    }
    expect(checked).toBe(routes.filter((r) => r.roles !== 'anyone').length * roles.length);
  });

  it('publishes an OpenAPI document with every route, generated from the validating schemas', async () => {
    const { call } = api.get();
    const r = await call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }>;
            };
          }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of routes)
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    const referral = doc.paths['/referrals']!.post!.requestBody!.content['application/json']!.schema;
    expect(referral.required).toEqual(
      expect.arrayContaining(['patient', 'programme', 'source', 'reason', 'urgency', 'consent']),
    );
    const triage = doc.paths['/journeys/{id}/triage']!.post!.requestBody!.content['application/json']!.schema;
    expect(triage.properties!.decision).toEqual({ type: 'string', enum: ['accept', 'decline'] });
    // No tuple (`prefixItems`): valid JSON Schema 2020-12, but schemathesis (the fuzzing test, as an
    // integration engine's own tooling might) rewrites it as draft-07 `items: [...]` and then refuses
    // the document. A pair is an array of two.
    const tuples: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
      else if (node && typeof node === 'object')
        for (const [key, value] of Object.entries(node)) {
          if (key === 'prefixItems' || (key === 'items' && Array.isArray(value))) tuples.push(at);
          walk(value, `${at}/${key}`);
        }
    };
    walk(doc.paths, '#/paths');
    expect(tuples).toEqual([]);
  });
});
