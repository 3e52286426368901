/**
 * DNS rebinding: a page on another domain points that domain at 127.0.0.1 and calls the local API
 * as its own origin, where CORS cannot stop it. Development sign-in answers only requests addressed
 * to a loopback name, so such a page mints no token and reads no directory.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { addressedToLoopback } from '../../lambdas/routes/session.js';
import { closedDeps } from './stubDeps.js';

const app = createApp(closedDeps(devAuthenticator('s'.repeat(40))));
const signIn = (host: string) =>
  app.request('/auth/dev-token', {
    method: 'POST',
    headers: { host, 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] }),
  });

describe('development sign-in and the Host header', () => {
  it.each(['localhost:8080', 'LOCALHOST', '127.0.0.1:3000', '127.1.2.3', '[::1]:8080', '[::1]'])(
    'answers a request addressed to %s',
    async (host) => {
      const res = await signIn(host);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { token: string }).token).toMatch(/^ey/);
    },
  );

  it.each([
    'attacker.example',
    'localhost.attacker.example',
    '127.0.0.1.nip.io:8080',
    'rebind.attacker.example:8080',
    '10.0.0.5:8080',
    '',
  ])('refuses a request addressed to "%s", with no token', async (host) => {
    const res = await signIn(host);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.text()).not.toMatch(/"token"/);
    const directory = await app.request('/auth/dev-directory', { headers: { host } });
    expect(directory.status).toBe(403);
  });

  it('reads loopback names exactly', () => {
    expect(addressedToLoopback(undefined)).toBe(false);
    expect(addressedToLoopback('127.0.0.1')).toBe(true);
    expect(addressedToLoopback('127.0.0.1:80:80')).toBe(false);
    expect(addressedToLoopback('[::1]evil')).toBe(false);
    expect(addressedToLoopback('[::ffff:127.0.0.1]')).toBe(false);
  });
});
