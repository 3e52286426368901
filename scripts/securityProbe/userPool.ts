/**
 * A Cognito user pool made up on this machine, for the security probe: a key pair whose public half
 * the API is given as the pool's JWKS (lambdas/wiring.ts), and tokens shaped as Cognito issues them
 * (ID tokens for people, client-credentials access tokens for engines). The API verifies them with
 * aws-jwt-verify exactly as it does in AWS; only the fetch of the keys is skipped.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { UserPoolKeys } from '../../lambdas/auth.js';

export const PROBE_USER_POOL_ID = 'eu-west-2_CarepathProbe';
export const PROBE_DASHBOARD_CLIENT = 'carepathprobedashboard';
const issuer = `https://cognito-idp.eu-west-2.amazonaws.com/${PROBE_USER_POOL_ID}`;
const KEY_ID = 'probe-key-1';

export interface Person {
  sub: string;
  role: string;
  teams?: string[];
}

export interface UserPool {
  /** What the API is given instead of fetching the pool's keys. */
  keys: UserPoolKeys;
  /** The environment that points the API at this pool (and turns development sign-in off). */
  env: Record<string, string>;
  /** A person's ID token, as the dashboard sends it; `claims` overrides any claim (an expired `exp`, another `aud`). */
  idToken(person: Person, claims?: Record<string, unknown>): string;
  /** The same token signed with a key the pool never published, under the pool's key id. */
  idTokenSignedElsewhere(person: Person): string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signed(claims: Record<string, unknown>, key: KeyObject): string {
  const body = `${b64({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
}

export function makeUserPool(): UserPool {
  const pool = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const elsewhere = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pool.publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  const claimsOf = (person: Person) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: person.sub,
      iss: issuer,
      token_use: 'id',
      aud: PROBE_DASHBOARD_CLIENT,
      iat: now - 5,
      auth_time: now - 5,
      exp: now + 3600,
      'cognito:groups': [person.role],
      'custom:teams': (person.teams ?? []).join(','),
    };
  };
  return {
    keys: { keys: [jwk as UserPoolKeys['keys'][number]] },
    env: { COGNITO_USER_POOL_ID: PROBE_USER_POOL_ID, COGNITO_CLIENT_ID: PROBE_DASHBOARD_CLIENT },
    idToken: (person, claims = {}) => signed({ ...claimsOf(person), ...claims }, pool.privateKey),
    idTokenSignedElsewhere: (person) => signed(claimsOf(person), elsewhere.privateKey),
  };
}
