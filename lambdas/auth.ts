/**
 * Who is calling. In AWS, two kinds of Cognito token, each verified against the user pool's keys
 * (aws-jwt-verify) and pinned to its use:
 * - people sign in to the dashboard's app client and send its **ID token**: the role is their
 *   Cognito group and `custom:teams` lists their teams (only ID tokens carry it);
 * - integration engines (a trust's ADT feed, a referral system) use an app client of their own with
 *   the OAuth client-credentials grant, and send its **access token**, which must hold the scope
 *   `carepath/integration`: the caller is the app client, in the role `integration`.
 * A person's access token, an engine's ID token, or a token of another client is refused.
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

/** The scope an integration engine's access token must hold (resource server `carepath`, cdk/identity.ts). */
export const INTEGRATION_SCOPE = 'carepath/integration';

/** A user pool's JSON Web Key Set: the public keys its tokens are signed with. */
export type UserPoolKeys = Parameters<ReturnType<typeof CognitoJwtVerifier.create>['cacheJwks']>[0];

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
  /** The app clients people sign in through (the dashboard's): their ID tokens are accepted. */
  clientId: string | string[];
  /** The integration engines' client-credentials app clients: their access tokens, with the integration scope. */
  integrationClientId?: string | string[];
  /** Pre-loaded signing keys (else fetched from Cognito). */
  jwks?: UserPoolKeys;
}): Authenticator {
  const people = CognitoJwtVerifier.create({
    userPoolId: opts.userPoolId,
    tokenUse: 'id',
    clientId: [opts.clientId].flat(),
  });
  const engineClients = [opts.integrationClientId ?? []].flat();
  const engines =
    engineClients.length > 0
      ? CognitoJwtVerifier.create({
          userPoolId: opts.userPoolId,
          tokenUse: 'access',
          clientId: engineClients,
          scope: INTEGRATION_SCOPE,
        })
      : undefined;
  if (opts.jwks) {
    people.cacheJwks(opts.jwks);
    engines?.cacheJwks(opts.jwks);
  }
  const person = async (token: string): Promise<Caller | undefined> => {
    const payload = await people.verify(token).catch(() => undefined);
    if (!payload) return undefined;
    const groups = (payload['cognito:groups'] as string[] | undefined) ?? [];
    // An integration engine is never a person signed in: the role is an engine's client alone.
    const role = roles.find((r) => r !== 'integration' && groups.includes(r));
    const teams = String(payload['custom:teams'] ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const organisation = odsCode.safeParse(payload['custom:organisation']);
    return role
      ? { sub: payload.sub, role, teams, ...(organisation.success ? { organisation: organisation.data } : {}) }
      : undefined;
  };
  const engine = async (token: string): Promise<Caller | undefined> => {
    const payload = await engines?.verify(token).catch(() => undefined);
    // A client-credentials token's subject is its app client: each engine is a caller of its own.
    return payload ? { sub: payload.client_id, role: 'integration', teams: [] } : undefined;
  };
  return {
    async verify(token) {
      return (await person(token)) ?? (await engine(token));
    },
  };
}
