/**
 * Sign-in with the Cognito hosted UI (authorisation code + PKCE): the dashboard is a public client,
 * so it holds no secret, and the code is useless to anyone without the verifier kept in this tab.
 * The API reads role and teams from the ID token (`cognito:groups`, `custom:teams`).
 */
import type { DashboardConfig, Role, User } from './types';

type CognitoAuth = Extract<DashboardConfig['auth'], { kind: 'cognito' }>;
const VERIFIER = 'carepath.pkce';
const ROLES: Role[] = [
  'admin',
  'ig-lead',
  'ops',
  'service-manager',
  'team-lead',
  'coordinator',
  'discharge-team',
  'integration',
  'referrer',
];

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=/g, ''); // base64 pads only at the end
const redirectUri = () => `${location.origin}${location.pathname}`;

export async function startCognitoSignIn(auth: CognitoAuth): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER, verifier);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`https://${auth.domain}/oauth2/authorize?${query}`);
}

/** After the hosted UI sends the person back with `?code=`: the ID token, the refresh token and who it names. */
export async function completeCognitoSignIn(
  auth: CognitoAuth,
  code: string,
): Promise<{ token: string; refreshToken?: string; user: User }> {
  const verifier = sessionStorage.getItem(VERIFIER);
  if (!verifier) throw new Error('This sign-in was not started in this tab; start again.');
  sessionStorage.removeItem(VERIFIER);
  const response = await fetch(`https://${auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`Cognito refused the sign-in (${response.status}).`);
  const { id_token: token, refresh_token: refreshToken } = (await response.json()) as {
    id_token: string;
    refresh_token?: string;
  };
  const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
    string,
    unknown
  >;
  const groups = (claims['cognito:groups'] as string[] | undefined) ?? [];
  const role = ROLES.find((r) => groups.includes(r));
  if (!role) throw new Error('Your account is in no carepath group yet; ask an administrator.');
  const teams = String(claims['custom:teams'] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const organisation = typeof claims['custom:organisation'] === 'string' ? claims['custom:organisation'] : '';
  return {
    token,
    ...(refreshToken ? { refreshToken } : {}),
    user: {
      sub: String(claims.sub),
      name: String(claims.name ?? claims.email ?? claims.sub),
      role,
      teams,
      ...(organisation ? { organisation } : {}),
    },
  };
}
