/**
 * Bearer tokens at the door, for both authenticators: the development one (HS256, `npm start`) and
 * Cognito (AWS). Each broken token — expired, not yet valid, wrong issuer or audience, `alg: none`,
 * tampered signature or claims, missing teams — is refused by the authenticator and answered 401
 * by the API before anything behind it is touched. A missing teams claim on Cognito (where it is a
 * user attribute that may simply be unset) signs the user in with no teams, which opens no team.
 *
 * tests/api/cognitoAuth.test.ts covers the Cognito cases on the verifier alone; here they are
 * taken through the app, with the ones it lacks (not yet valid, missing teams).
 */
import { createHmac, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { sign } from 'hono/jwt';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { cognitoAuthenticator, devAuthenticator, type Authenticator } from '../../lambdas/auth.js';
import { closedDeps, touched } from './stubDeps.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
/** Replaces one character of the signature with another, keeping it valid base64url. */
const tamperSignature = (token: string) => {
  const [h, p, s] = token.split('.') as [string, string, string];
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
};
/** Swaps the claims for others while keeping the original signature. */
const swapClaims = (token: string, claims: Record<string, unknown>) => {
  const [h, , s] = token.split('.') as [string, string, string];
  return `${h}.${b64(claims)}.${s}`;
};

/** Every way a token can be refused must be refused everywhere: a staff route, intake, the ADT feed, the codec. */
async function expectRefusedByApp(auth: Authenticator, token: string) {
  const app = createApp(closedDeps(auth));
  for (const [method, path, body] of [
    ['GET', '/journeys?team=south-devon-1'],
    ['GET', '/journeys/frailty-virtual-ward.p0123456789abcdef01234567.0123456789ab'],
    ['POST', '/referrals', '{}'],
    ['POST', '/adt', 'MSH|^~\\&|PAS|RBZ|C|I|20261123||ADT^A01|M1|P|2.4'],
    ['GET', '/inbox'],
    ['POST', '/codec/decode', '{"payloads":[]}'],
  ] as const) {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body } : {}),
    });
    expect(res.status, `${method} ${path}`).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  }
}

beforeEach(() => {
  touched.length = 0;
});

describe('development tokens (HS256)', () => {
  const secret = randomBytes(32).toString('hex');
  const auth = devAuthenticator(secret);
  const claims = () => ({
    sub: 'coord-ana',
    role: 'coordinator',
    teams: ['south-devon-1'],
    iss: 'carepath-dev',
    iat: now() - 10,
    exp: now() + 3600,
  });

  it('accepts a token it signed (the baseline the refusals are measured against)', async () => {
    const good = await sign(claims(), secret, 'HS256');
    expect(await auth.verify(good)).toEqual({ sub: 'coord-ana', role: 'coordinator', teams: ['south-devon-1'] });
    const app = createApp(closedDeps(auth));
    // Gets past the door: the only dependency it reaches is the (untouchable) read model.
    const res = await app.request('/journeys?team=south-devon-1', { headers: { authorization: `Bearer ${good}` } });
    expect(res.status).toBe(500);
    expect(touched[0]).toMatch(/^read\./);
  });

  const none = () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
  const hs512 = () => {
    const head = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims())}`;
    return `${head}.${createHmac('sha512', secret).update(head).digest('base64url')}`;
  };
  it.each([
    ['expired', async () => sign({ ...claims(), exp: now() - 5 }, secret, 'HS256')],
    ['not yet valid (nbf in the future)', async () => sign({ ...claims(), nbf: now() + 600 }, secret, 'HS256')],
    ['issued in the future', async () => sign({ ...claims(), iat: now() + 600 }, secret, 'HS256')],
    ['from another issuer', async () => sign({ ...claims(), iss: 'someone-else' }, secret, 'HS256')],
    ['without an issuer', async () => sign({ ...claims(), iss: undefined }, secret, 'HS256')],
    ['alg: none', async () => none()],
    [
      'alg: none, with the real signature kept',
      async () => `${none().slice(0, -1)}${(await sign(claims(), secret, 'HS256')).split('.')[2]}`,
    ],
    ['another algorithm (HS512) with the same secret', async () => hs512()],
    ['tampered signature', async () => tamperSignature(await sign(claims(), secret, 'HS256'))],
    [
      'tampered claims (role raised to admin)',
      async () => swapClaims(await sign(claims(), secret, 'HS256'), { ...claims(), role: 'admin' }),
    ],
    ['signed with another secret', async () => sign(claims(), randomBytes(32).toString('hex'), 'HS256')],
    ['missing teams', async () => sign({ ...claims(), teams: undefined }, secret, 'HS256')],
    ['teams not a list', async () => sign({ ...claims(), teams: 'south-devon-1' }, secret, 'HS256')],
    ['unknown role', async () => sign({ ...claims(), role: 'superuser' }, secret, 'HS256')],
    ['missing sub', async () => sign({ ...claims(), sub: undefined }, secret, 'HS256')],
    ['not a JWT', async () => 'garbage'],
  ])('refuses a token that is %s, and the API answers 401 touching nothing', async (_why, make) => {
    const token = await make();
    expect(await auth.verify(token)).toBeUndefined();
    await expectRefusedByApp(auth, token);
    expect(touched).toEqual([]);
  });
});

describe('Cognito tokens, through the app', () => {
  const userPoolId = 'eu-west-2_Carepath9';
  const clientId = 'carepathdashboard';
  const issuer = `https://cognito-idp.eu-west-2.amazonaws.com/${userPoolId}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' } as {
    kty: 'RSA';
    n: string;
    e: string;
    kid: string;
    alg: string;
    use: string;
  };
  const auth = cognitoAuthenticator({ userPoolId, clientId, jwks: { keys: [jwk] } });
  const claims = () => ({
    sub: 'u-1',
    iss: issuer,
    token_use: 'id',
    aud: clientId,
    iat: now() - 10,
    exp: now() + 3600,
    'cognito:groups': ['coordinator'],
    'custom:teams': 'south-devon-1',
  });
  const rs256 = (body: Record<string, unknown>, key = privateKey, alg = 'RS256') => {
    const head = `${b64({ alg, kid: 'k1', typ: 'JWT' })}.${b64(body)}`;
    return `${head}.${rsaSign('sha256', Buffer.from(head), key).toString('base64url')}`;
  };

  it('accepts a valid token (the baseline)', async () => {
    expect(await auth.verify(rs256(claims()))).toEqual({ sub: 'u-1', role: 'coordinator', teams: ['south-devon-1'] });
  });

  it.each([
    ['expired', () => rs256({ ...claims(), exp: now() - 5 })],
    ['not yet valid (nbf in the future)', () => rs256({ ...claims(), nbf: now() + 600 })],
    [
      'from another user pool',
      () => rs256({ ...claims(), iss: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other' }),
    ],
    ['for another app client', () => rs256({ ...claims(), aud: 'someone-else' })],
    ['alg: none', () => `${b64({ alg: 'none', kid: 'k1' })}.${b64(claims())}.`],
    [
      'HS256 signed with the public key as secret',
      () => {
        const head = `${b64({ alg: 'HS256', kid: 'k1', typ: 'JWT' })}.${b64(claims())}`;
        return `${head}.${createHmac('sha256', publicKey.export({ format: 'pem', type: 'spki' }))
          .update(head)
          .digest('base64url')}`;
      },
    ],
    ['tampered signature', () => tamperSignature(rs256(claims()))],
    [
      'tampered claims (group raised to admin)',
      () => swapClaims(rs256(claims()), { ...claims(), 'cognito:groups': ['admin'] }),
    ],
    ['signed with another key', () => rs256(claims(), other.privateKey)],
  ])('refuses a token that is %s, and the API answers 401 touching nothing', async (_why, make) => {
    const token = make();
    expect(await auth.verify(token)).toBeUndefined();
    await expectRefusedByApp(auth, token);
    expect(touched).toEqual([]);
  });

  it('signs a user whose custom:teams is unset in with no teams, which opens no team', async () => {
    const { 'custom:teams': _unset, ...noTeams } = claims();
    const token = rs256(noTeams);
    expect(await auth.verify(token)).toEqual({ sub: 'u-1', role: 'coordinator', teams: [] });
    const app = createApp(closedDeps(auth));
    const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('/journeys?team=south-devon-1')).status).toBe(403);
    expect((await get('/caseloads?team=south-devon-1')).status).toBe(403);
    // No team of its own to default to: the list asks for one rather than showing anyone's.
    expect((await get('/journeys')).status).toBe(400);
    expect(touched).toEqual([]);
  });
});
