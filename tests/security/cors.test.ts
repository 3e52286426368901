/**
 * CORS (lambdas/cors.ts): the dashboard shares the API's origin, so no other origin is answered
 * anywhere, with one exception — the Temporal Web UI may call the codec, with credentials (the
 * break-glass cookie), and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { LOCAL_TEMPORAL_UI_ORIGIN } from '../../lambdas/cors.js';
import { closedDeps } from './stubDeps.js';

const temporalUiOrigin = 'https://cloud.temporal.io';
const evil = 'https://evil.example';

const app = createApp(closedDeps(devAuthenticator('s'.repeat(40)), { temporalUiOrigin }));

/** What a browser's preflight from `origin` for `method path` is told. */
async function preflight(origin: string, method: string, path: string, on = app) {
  const res = await on.request(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type,x-namespace',
    },
  });
  return {
    origin: res.headers.get('access-control-allow-origin'),
    credentials: res.headers.get('access-control-allow-credentials'),
    headers: res.headers.get('access-control-allow-headers') ?? '',
  };
}

describe('CORS', () => {
  it('lets the Temporal Web UI, and only it, call the codec with credentials', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const p = await preflight(temporalUiOrigin, 'POST', path);
      expect([p.origin, p.credentials], path).toEqual([temporalUiOrigin, 'true']);
      expect(p.headers.toLowerCase(), path).toContain('x-namespace');
      expect((await preflight(evil, 'POST', path)).origin, path).toBeNull();
      const answer = await app.request(path, { method: 'POST', headers: { origin: evil } });
      expect(answer.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('answers no other origin anywhere else, the Temporal UI included: the dashboard is same-origin', async () => {
    for (const [method, path] of [
      ['GET', '/journeys'],
      ['POST', '/referrals'],
      ['POST', '/adt'],
      ['POST', '/auth/codec-session'],
      ['POST', '/auth/dev-token'],
      ['GET', '/health'],
    ] as const) {
      for (const origin of [evil, temporalUiOrigin]) {
        const p = await preflight(origin, method, path);
        expect([p.origin, p.credentials], `${origin} ${method} ${path}`).toEqual([null, null]);
      }
      const answer = await app.request(path, { headers: { origin: evil } });
      expect(answer.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it("allows the dev server's Temporal UI when no other is configured", async () => {
    const local = createApp(closedDeps(devAuthenticator('s'.repeat(40))));
    expect((await preflight(LOCAL_TEMPORAL_UI_ORIGIN, 'POST', '/codec/decode', local)).origin).toBe(
      LOCAL_TEMPORAL_UI_ORIGIN,
    );
    expect((await preflight(temporalUiOrigin, 'POST', '/codec/decode', local)).origin).toBeNull();
  });
});
