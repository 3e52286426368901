/**
 * Who is calling. In AWS: a Cognito access or ID token, verified against the user pool's keys
 * (aws-jwt-verify); the role is the user's Cognito group and `custom:teams` lists their teams.
 * Locally, only with CAREPATH_DEV_AUTH=1: `POST /auth/dev-token` signs an HS256 token with a
 * secret kept in the data directory. Never both: dev tokens are refused when Cognito is configured.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';
import { staffRoles } from '../domain/commands.js';
import { odsCode } from '../domain/referral.js';

export const roles = staffRoles.filter((r) => r !== 'system') as Exclude<(typeof staffRoles)[number], 'system'>[];
export type Role = (typeof roles)[number];

export interface Caller {
  sub: string;
  role: Role;
  teams: string[];
  /**
   * The organisation the caller works for, as an ODS code (a GP practice, a trust), when their
   * sign-in names one: a referrer's colleagues may follow its referrals (`referralsSharedWithin`).
   */
  organisation?: string;
}

export const devTokenRequest = z.object({
  sub: z.string().min(1).max(100),
  role: z.enum(roles as [Role, ...Role[]]),
  teams: z.array(z.string().min(1).max(100)).max(50).default([]),
  organisation: odsCode.optional(),
});

type CognitoJwtVerifierInstance = ReturnType<
  typeof CognitoJwtVerifier.create<{ userPoolId: string; tokenUse: null; clientId: string[] }>
>;

export interface Authenticator {
  /** The caller behind a bearer token, or undefined when the token is not acceptable. */
  verify(token: string): Promise<Caller | undefined>;
  /** Signs a development token; undefined when dev auth is off. */
  devToken?(request: z.output<typeof devTokenRequest>): Promise<string>;
}

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(roles as [Role, ...Role[]]),
  teams: z.array(z.string()),
  organisation: odsCode.optional(),
});

export function devAuthenticator(secret: string, issuer = 'carepath-dev'): Authenticator {
  return {
    async verify(token) {
      try {
        const payload = await verify(token, secret, 'HS256');
        if (payload.iss !== issuer) return undefined;
        const parsed = claims.safeParse(payload);
        if (!parsed.success) return undefined;
        const { organisation, ...caller } = parsed.data;
        return { ...caller, ...(organisation ? { organisation } : {}) };
      } catch {
        return undefined;
      }
    },
    async devToken({ sub, role, teams, organisation }) {
      const now = Math.floor(Date.now() / 1000);
      return sign(
        { sub, role, teams, ...(organisation ? { organisation } : {}), iss: issuer, iat: now, exp: now + 12 * 3600 },
        secret,
        'HS256',
      );
    },
  };
}

export function cognitoAuthenticator(opts: {
  userPoolId: string;
  /** The app clients whose tokens are accepted: the dashboard's, and the one integration engines sign in with. */
  clientId: string | string[];
  /** Pre-loaded signing keys (else fetched from Cognito). */ jwks?: Parameters<
    CognitoJwtVerifierInstance['cacheJwks']
  >[0];
}): Authenticator {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: opts.userPoolId,
    tokenUse: null,
    clientId: [opts.clientId].flat(),
  });
  if (opts.jwks) verifier.cacheJwks(opts.jwks);
  return {
    async verify(token) {
      try {
        const payload = await verifier.verify(token);
        const groups = (payload['cognito:groups'] as string[] | undefined) ?? [];
        const role = roles.find((r) => groups.includes(r));
        const teams = String(payload['custom:teams'] ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        const organisation = odsCode.safeParse(payload['custom:organisation']);
        return role
          ? { sub: payload.sub, role, teams, ...(organisation.success ? { organisation: organisation.data } : {}) }
          : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
