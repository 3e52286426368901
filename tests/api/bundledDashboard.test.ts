/**
 * The dashboard as the Lambda serves it (lambdas/dashboardSite.ts): the build bundled beside the
 * handler, at the API's own origin, signing in through Cognito — or nothing at all when the bundle
 * holds no build or Cognito is not configured, rather than a dashboard that cannot sign anyone in.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { bundledDashboard, COGNITO_DOMAIN_ENV } from '../../lambdas/dashboardSite.js';
import { closedDeps } from '../security/stubDeps.js';

const bundle = mkdtempSync(join(tmpdir(), 'carepath-bundled-dashboard-'));
mkdirSync(join(bundle, 'assets'));
writeFileSync(join(bundle, 'index.html'), '<!doctype html><title>carepath</title>');
writeFileSync(join(bundle, 'assets', 'index-3f2a1c.js'), 'fetch("/config.json")');

const env = {
  AWS_REGION: 'eu-west-2',
  COGNITO_USER_POOL_ID: 'eu-west-2_abc',
  COGNITO_CLIENT_ID: 'people-client,second-people-client',
  COGNITO_INTEGRATION_CLIENT_ID: 'engine-client',
  [COGNITO_DOMAIN_ENV]: 'carepath-prod.auth.eu-west-2.amazoncognito.com',
};

describe('the bundled dashboard', () => {
  it("is served at the API's origin, signing in with the people's first client through the hosted UI", async () => {
    const dashboard = bundledDashboard(bundle, env)!;
    expect(dashboard.config).toEqual({
      apiBaseUrl: '',
      auth: {
        kind: 'cognito',
        region: 'eu-west-2',
        userPoolId: 'eu-west-2_abc',
        clientId: 'people-client',
        domain: 'carepath-prod.auth.eu-west-2.amazoncognito.com',
      },
    });
    const app = createApp(closedDeps(devAuthenticator('s'.repeat(40)), { dashboard }));
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    // Same origin: the page may call only itself and the hosted UI.
    expect(page.headers.get('content-security-policy')).toContain(
      "connect-src 'self' https://carepath-prod.auth.eu-west-2.amazoncognito.com;",
    );
    expect(await (await app.request('/config.json')).json()).toEqual(dashboard.config);
    const asset = await app.request('/assets/index-3f2a1c.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The API is still the API beside it.
    expect((await app.request('/journeys?team=south-devon-1')).status).toBe(401);
  });

  it('is not served without a build in the bundle, or without everything Cognito sign-in needs', () => {
    expect(bundledDashboard(join(bundle, 'missing'), env)).toBeUndefined();
    for (const key of Object.keys(env).filter((k) => k !== 'COGNITO_INTEGRATION_CLIENT_ID'))
      expect(bundledDashboard(bundle, { ...env, [key]: '' }), key).toBeUndefined();
  });
});
