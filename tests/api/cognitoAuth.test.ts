/**
 * Cognito token verification (the AWS path), with aws-jwt-verify and a key pair made here:
 * the user pool's JWKS is pre-loaded, since Cognito itself cannot be reached from this machine.
 */
import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cognitoAuthenticator, devAuthenticator, INTEGRATION_SCOPE } from '../../lambdas/auth.js';
import { authenticatorFromEnv } from '../../lambdas/wiring.js';

const userPoolId = 'eu-west-2_Carepath1';
const clientId = 'carepathwebclient';
const issuer = `https://cognito-idp.eu-west-2.amazonaws.com/${userPoolId}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' } as {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: string;
  use: string;
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function token(claims: Record<string, unknown>, opts: { alg?: string; key?: typeof privateKey; kid?: string } = {}) {
  const header = { alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'key-1', typ: 'JWT' };
  const body = `${b64(header)}.${b64(claims)}`;
  if (header.alg === 'none') return `${body}.`;
  return `${body}.${rsaSign('sha256', Buffer.from(body), opts.key ?? privateKey).toString('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const valid = {
  sub: 'u-123',
  iss: issuer,
  token_use: 'id',
  aud: clientId,
  iat: now - 10,
  exp: now + 3600,
  'cognito:groups': ['coordinator'],
  'custom:teams': 'south-devon-1, exeter-1',
};

describe('Cognito tokens', () => {
  const auth = cognitoAuthenticator({ userPoolId, clientId, jwks: { keys: [jwk] } });

  it('accepts a valid token and reads the role from the group and the teams from custom:teams', async () => {
    expect(await auth.verify(token(valid))).toEqual({
      sub: 'u-123',
      role: 'coordinator',
      teams: ['south-devon-1', 'exeter-1'],
    });
  });

  it('pins each token to its use: a person’s access token, or an ID token in the integration group, is refused', async () => {
    // A person's access token carries no custom:teams; a person is never an integration engine.
    expect(
      await auth.verify(
        token({ ...valid, token_use: 'access', aud: undefined, client_id: clientId, 'cognito:groups': ['team-lead'] }),
      ),
    ).toBeUndefined();
    expect(await auth.verify(token({ ...valid, 'cognito:groups': ['integration'] }))).toBeUndefined();
  });

  it('accepts an integration engine’s client-credentials access token with the integration scope, as the engine', async () => {
    const withEngines = cognitoAuthenticator({
      userPoolId,
      clientId,
      integrationClientId: ['trust-a-engine', 'trust-b-engine'],
      jwks: { keys: [jwk] },
    });
    const engine = {
      sub: 'trust-a-engine',
      client_id: 'trust-a-engine',
      iss: issuer,
      token_use: 'access',
      scope: INTEGRATION_SCOPE,
      iat: now - 10,
      exp: now + 3600,
    };
    expect(await withEngines.verify(token(engine))).toEqual({ sub: 'trust-a-engine', role: 'integration', teams: [] });
    expect(await withEngines.verify(token({ ...engine, scope: 'carepath/other' }))).toBeUndefined();
    expect(await withEngines.verify(token({ ...engine, client_id: 'unknown-engine' }))).toBeUndefined();
    expect(await withEngines.verify(token({ ...engine, token_use: 'id', aud: 'trust-a-engine' }))).toBeUndefined();
    expect(await withEngines.verify(token({ ...engine, exp: now - 60 }))).toBeUndefined();
    // An engine's client id is not a person's client, and the dashboard's client is not an engine's.
    expect(await withEngines.verify(token({ ...valid, aud: 'trust-a-engine' }))).toBeUndefined();
    expect(await withEngines.verify(token({ ...engine, client_id: clientId }))).toBeUndefined();
    expect(await auth.verify(token(engine))).toBeUndefined();
  });

  it('reads a referrer’s organisation from custom:organisation, and leaves out one that is not an ODS code', async () => {
    const gp = { ...valid, 'cognito:groups': ['referrer'], 'custom:teams': '' };
    expect(await auth.verify(token({ ...gp, 'custom:organisation': 'L83040' }))).toEqual({
      sub: 'u-123',
      role: 'referrer',
      teams: [],
      organisation: 'L83040',
    });
    expect(await auth.verify(token({ ...gp, 'custom:organisation': 'l83040; drop' }))).toEqual({
      sub: 'u-123',
      role: 'referrer',
      teams: [],
    });
  });

  it.each([
    ['expired', token({ ...valid, exp: now - 60 })],
    ['wrong issuer', token({ ...valid, iss: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other' })],
    ['wrong audience', token({ ...valid, aud: 'someone-else' })],
    ['alg none', token(valid, { alg: 'none' })],
    ['signed with another key', token(valid, { key: other.privateKey })],
    [
      'tampered claims',
      token(valid).replace(
        /^([^.]+)\.([^.]+)/,
        (_m, h: string) => `${h}.${b64({ ...valid, 'cognito:groups': ['admin'] })}`,
      ),
    ],
    ['no carepath group', token({ ...valid, 'cognito:groups': ['visitors'] })],
    ['garbage', 'not.a.jwt'],
  ])('refuses a token that is %s', async (_why, bad) => {
    expect(await auth.verify(bad)).toBeUndefined();
  });

  it('accepts ID tokens of every configured people’s app client, and no other', async () => {
    const both = cognitoAuthenticator({ userPoolId, clientId: [clientId, 'secondwebclient'], jwks: { keys: [jwk] } });
    expect(await both.verify(token(valid))).toMatchObject({ role: 'coordinator' });
    expect(await both.verify(token({ ...valid, aud: 'secondwebclient' }))).toMatchObject({ role: 'coordinator' });
    expect(await both.verify(token({ ...valid, aud: 'someone-else' }))).toBeUndefined();
    expect(await auth.verify(token({ ...valid, aud: 'secondwebclient' }))).toBeUndefined();
  });

  it('never mixes dev sign-in with Cognito, and dev tokens do not pass as Cognito ones', async () => {
    expect(() =>
      authenticatorFromEnv({
        CAREPATH_DEV_AUTH: '1',
        CAREPATH_DEV_AUTH_SECRET: 'x'.repeat(40),
        COGNITO_USER_POOL_ID: userPoolId,
      }),
    ).toThrow(/never allowed beside Cognito/);
    expect(() => authenticatorFromEnv({})).toThrow(/COGNITO_USER_POOL_ID/);
    const dev = devAuthenticator('y'.repeat(40));
    const devToken = await dev.devToken!({ sub: 'x', role: 'admin', teams: [] });
    expect(await auth.verify(devToken)).toBeUndefined();
    expect(await dev.verify(devToken)).toMatchObject({ role: 'admin' });
    expect(await devAuthenticator('z'.repeat(40)).verify(devToken)).toBeUndefined();
  });
});
