/**
 * CORS, route by route (lambdas/cors.ts): the dashboard's origin may call the API but never with
 * credentials, except to ask for the break-glass codec cookie; the Temporal Web UI may call the
 * codec, with credentials, and nothing else; any other origin is told nothing.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { closedDeps } from './stubDeps.js';

const dashboardOrigin = 'https://d111111abcdef8.cloudfront.net';
const temporalUiOrigin = 'https://cloud.temporal.io';
const evil = 'https://evil.example';

const app = createApp(closedDeps(devAuthenticator('s'.repeat(40)), { dashboardOrigin, temporalUiOrigin }));

/** What a browser's preflight from `origin` for `method path` is told. */
async function preflight(origin: string, method: string, path: string, headers = 'authorization,content-type') {
  const res = await app.request(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
  return {
    status: res.status,
    origin: res.headers.get('access-control-allow-origin'),
    credentials: res.headers.get('access-control-allow-credentials'),
    methods: res.headers.get('access-control-allow-methods') ?? '',
    headers: res.headers.get('access-control-allow-headers') ?? '',
  };
}

describe('CORS by route', () => {
  it('lets the dashboard call the API with its bearer header and the idempotency key, never with cookies', async () => {
    for (const [method, path] of [
      ['GET', '/journeys'],
      ['POST', '/journeys/x/contacts'],
      ['POST', '/referrals'],
      ['PUT', '/staff/coord-ana'],
    ] as const) {
      const p = await preflight(dashboardOrigin, method, path, 'authorization,content-type,idempotency-key');
      expect(p.status, path).toBe(204);
      expect(p.origin, path).toBe(dashboardOrigin);
      expect(p.credentials, path).toBeNull();
      expect(p.methods, path).toContain(method);
      expect(p.headers.toLowerCase(), path).toContain('idempotency-key');
    }
    const answer = await app.request('/health', { headers: { origin: dashboardOrigin } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(dashboardOrigin);
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the dashboard, and only it, ask for the codec cookie with credentials', async () => {
    const p = await preflight(dashboardOrigin, 'POST', '/auth/codec-session');
    expect([p.origin, p.credentials]).toEqual([dashboardOrigin, 'true']);
    expect((await preflight(temporalUiOrigin, 'POST', '/auth/codec-session')).origin).toBeNull();
    expect((await preflight(evil, 'POST', '/auth/codec-session')).origin).toBeNull();
  });

  it('lets the Temporal Web UI, and only it, call the codec with credentials', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const p = await preflight(temporalUiOrigin, 'POST', path, 'content-type,x-namespace');
      expect([p.origin, p.credentials], path).toEqual([temporalUiOrigin, 'true']);
      expect(p.headers.toLowerCase(), path).toContain('x-namespace');
      expect((await preflight(dashboardOrigin, 'POST', path)).origin, path).toBeNull();
      expect((await preflight(evil, 'POST', path)).origin, path).toBeNull();
    }
    // The Temporal UI is given nothing on any other route.
    expect((await preflight(temporalUiOrigin, 'GET', '/journeys')).origin).toBeNull();
  });

  it('tells any other origin nothing', async () => {
    for (const path of ['/journeys', '/referrals', '/adt', '/auth/dev-token']) {
      const p = await preflight(evil, 'POST', path);
      expect(p.origin, path).toBeNull();
      expect(p.credentials, path).toBeNull();
    }
  });

  it('locally, where the API serves the dashboard itself, opens only the codec to the Temporal UI', async () => {
    const local = createApp(
      closedDeps(devAuthenticator('s'.repeat(40)), { temporalUiOrigin: 'http://127.0.0.1:8233' }),
    );
    const codec = await local.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' },
    });
    expect(codec.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const other = await local.request('/journeys', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
