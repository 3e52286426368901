/**
 * The API behind CloudFront answers only what came through CloudFront (and so through the WAF):
 * a request sent straight to the execute-api address lacks the origin header and is refused
 * before anything is read, with a log line that says nothing about who sent it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import {
  ORIGIN_SECRET_ARN_ENV,
  ORIGIN_SECRET_ENV,
  ORIGIN_CHECK_HEADER,
  withOriginSecret,
} from '../../lambdas/originLock.js';
import { closedDeps, touched } from '../security/stubDeps.js';

const auth = devAuthenticator('x'.repeat(40));
const originSecret = 'Z3vq8TnW2kLr5YpB7xHc9MfJ4sDa6GeU1oQi0RtV';
const journeyId = 'frailty-virtual-ward.p0a1b2c3d4e5f6a7b8c9d0e1f.0123456789ab';
const arn = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:carepath-dev-origin';

afterEach(() => vi.restoreAllMocks());

describe('requests that went around CloudFront', () => {
  const app = createApp(closedDeps(auth, { originSecret }));

  it('are refused 403 as problem+json before the caller is even asked who they are, and the log names nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const lead = await auth.devToken!({ sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] });
    touched.length = 0;
    for (const sent of [undefined, '', 'guess', `${originSecret}x`, originSecret.slice(0, -1)]) {
      const r = await app.request(`/journeys/${journeyId}?nhsNumber=9434765919`, {
        headers: {
          authorization: `Bearer ${lead}`,
          'x-forwarded-for': '203.0.113.7',
          ...(sent === undefined ? {} : { [ORIGIN_CHECK_HEADER]: sent }),
        },
      });
      expect(r.status, String(sent)).toBe(403);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(await r.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    expect(touched).toEqual([]);
    const logged = JSON.stringify(warn.mock.calls);
    expect(warn).toHaveBeenCalledTimes(5);
    for (const identifying of ['203.0.113.7', journeyId, '9434765919', 'lead-raj', lead, 'guess'])
      expect(logged).not.toContain(identifying);
  });

  it('include the unauthenticated routes (health, the API description)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const path of ['/health', '/openapi.json']) expect((await app.request(path)).status, path).toBe(403);
  });
});

describe('requests that came through CloudFront', () => {
  it('carry the secret and are answered as usual', async () => {
    const app = createApp(closedDeps(auth, { originSecret }));
    const r = await app.request('/health', { headers: { [ORIGIN_CHECK_HEADER]: originSecret } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok' });
  });
});

describe('without an origin secret configured (npm start, tests)', () => {
  it('lets requests through with no header at all', async () => {
    const r = await createApp(closedDeps(auth)).request('/health');
    expect(r.status).toBe(200);
  });
});

describe('withOriginSecret', () => {
  it('leaves the environment alone when no secret is named', async () => {
    const fetch = vi.fn();
    const env = { CAREPATH_TABLE: 'carepath-dev' };
    expect(await withOriginSecret(env, fetch)).toBe(env);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('reads the named secret into the environment at cold start', async () => {
    const fetch = vi.fn(async () => originSecret);
    const env = await withOriginSecret({ [ORIGIN_SECRET_ARN_ENV]: arn, CAREPATH_TABLE: 'carepath-dev' }, fetch);
    expect(fetch).toHaveBeenCalledWith(arn);
    expect(env).toMatchObject({ [ORIGIN_SECRET_ENV]: originSecret, CAREPATH_TABLE: 'carepath-dev' });
  });

  it('refuses to start with an empty or short secret rather than guard weakly', async () => {
    await expect(withOriginSecret({ [ORIGIN_SECRET_ARN_ENV]: arn }, async () => undefined)).rejects.toThrow(
      ORIGIN_SECRET_ARN_ENV,
    );
    await expect(withOriginSecret({ [ORIGIN_SECRET_ARN_ENV]: arn }, async () => 'short')).rejects.toThrow(/32\+/);
  });
});
