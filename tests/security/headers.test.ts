/**
 * Security headers on everything the Node server answers: the built dashboard (its pages, assets
 * and config) under a policy that runs only its own scripts and talks only to its API and sign-in,
 * and the API (JSON, HL7, errors) under one that lets nothing run, load or frame. Both forbid
 * framing, sniffing and referrers and pin HTTPS. Also: the static file server cannot be walked out
 * of its folder.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DashboardConfig } from '../../domain/dashboardConfig.js';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { buildDashboard } from '../../scripts/dashboardBuild.js';
import { closedDeps } from './stubDeps.js';

const cognito: DashboardConfig = {
  apiBaseUrl: 'https://api.carepath.example.nhs.uk',
  auth: {
    kind: 'cognito',
    region: 'eu-west-2',
    userPoolId: 'eu-west-2_abc',
    clientId: 'client',
    domain: 'carepath.auth.eu-west-2.amazoncognito.com',
  },
};

let root: string;
let script: string;
beforeAll(async () => {
  root = await buildDashboard();
  script = `/assets/${readdirSync(join(root, 'assets')).find((f) => f.endsWith('.js'))!}`;
});

const app = (config: DashboardConfig = { apiBaseUrl: '', auth: { kind: 'dev' } }) =>
  createApp(closedDeps(devAuthenticator('s'.repeat(40)), { dashboard: { root, config } }));

/** Directives of a CSP header, by name. */
const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );

function expectCommonHeaders(res: Response, what: string) {
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(['DENY', 'SAMEORIGIN'], what).toContain(res.headers.get('x-frame-options'));
  const hsts = res.headers.get('strict-transport-security') ?? '';
  expect(Number(/max-age=(\d+)/.exec(hsts)?.[1]), `${what}: HSTS ${hsts}`).toBeGreaterThanOrEqual(31_536_000);
  expect(hsts, what).toContain('includeSubDomains');
  expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(res.headers.get('x-powered-by'), what).toBeNull();
  expect(directives(res.headers.get('content-security-policy')).get('frame-ancestors'), what).toEqual(["'none'"]);
}

describe('security headers', () => {
  it('dashboard pages, assets and config: only their own scripts, styles and origins', async () => {
    for (const config of [{ apiBaseUrl: '', auth: { kind: 'dev' } } satisfies DashboardConfig, cognito]) {
      const site = app(config);
      for (const path of ['/', script, '/config.json', '/favicon.svg']) {
        const res = await site.request(path);
        expect(res.status, path).toBe(200);
        expectCommonHeaders(res, path);
        const csp = directives(res.headers.get('content-security-policy'));
        expect(csp.get('default-src'), path).toEqual(["'self'"]);
        expect(csp.get('script-src'), path).toEqual(["'self'"]); // no inline script, no eval
        expect(csp.get('object-src'), path).toEqual(["'none'"]);
        expect(csp.get('base-uri'), path).toEqual(["'self'"]);
        expect(csp.get('form-action'), path).toEqual(["'self'"]);
        const connect = csp.get('connect-src') ?? [];
        expect(connect[0]).toBe("'self'");
        if (config.auth.kind === 'cognito')
          expect(connect.slice(1).sort()).toEqual([
            'https://api.carepath.example.nhs.uk',
            'https://carepath.auth.eu-west-2.amazoncognito.com',
          ]);
        else expect(connect).toEqual(["'self'"]);
      }
    }
  });

  it('API answers (JSON, HL7, errors): nothing may run, load or frame', async () => {
    const site = app();
    const answers = [
      ['GET', '/health', 200],
      ['GET', '/openapi.json', 200],
      ['GET', '/no-such-route', 404],
      ['GET', '/journeys?team=south-devon-1', 401],
      ['POST', '/adt', 401],
      ['POST', '/auth/dev-token', 400],
      ['DELETE', '/auth/codec-session', 204],
    ] as const;
    for (const [method, path, status] of answers) {
      const res = await site.request(path, {
        method,
        ...(method === 'POST' ? { body: 'x', headers: { 'content-type': 'application/json', host: 'localhost' } } : {}),
      });
      expect(res.status, path).toBe(status);
      expectCommonHeaders(res, `${method} ${path}`);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src'), path).toEqual(["'none'"]);
      expect(csp.has('script-src'), path).toBe(false);
    }
    // The same without a dashboard (as the Lambda serves it in AWS).
    const lambdaLike = createApp(closedDeps(devAuthenticator('s'.repeat(40))));
    const res = await lambdaLike.request('/openapi.json');
    expectCommonHeaders(res, 'API without a dashboard');
    expect(directives(res.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });

  it('serves nothing outside the built dashboard folder', async () => {
    const site = app();
    for (const path of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2f.gitignore',
      '/assets//etc/passwd',
      '/assets/../index.html/../../../lambdas/app.ts',
    ]) {
      const res = await site.request(path);
      const text = await res.text();
      expect(text, path).not.toMatch(/"name": "carepath"|node_modules|createApp|root:x:0/);
      expect([200, 404], path).toContain(res.status);
      if (res.status === 200) expect(res.headers.get('content-type'), path).toMatch(/^text\/html/); // the dashboard's own page at most
    }
  });
});
