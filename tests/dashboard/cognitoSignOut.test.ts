/**
 * Signing out in AWS ends the Cognito session, not only the tab's: the refresh token is revoked and
 * the browser is sent to the hosted UI's logout, which returns to the dashboard. On a shared ward PC
 * the next person then meets the sign-in page, not the last person's session. (Cognito cannot be
 * reached from here, so what is sent to it is checked as sent.)
 */
import { describe, expect, it } from 'vitest';
import { endCognitoSession } from '../../dashboard/src/cognitoSignOut.js';

const auth = {
  kind: 'cognito' as const,
  region: 'eu-west-2',
  userPoolId: 'eu-west-2_abc',
  clientId: 'dashboardclient',
  domain: 'carepath.auth.eu-west-2.amazoncognito.com',
};

function recorder(fail = false) {
  const sent: { url: string; body: string }[] = [];
  let went: string | undefined;
  return {
    sent,
    went: () => went,
    options: {
      origin: 'https://dashboard.example.nhs.uk',
      go: (url: string) => void (went = url),
      fetchFn: (async (url: string, init: RequestInit) => {
        sent.push({ url, body: String(init.body) });
        if (fail) throw new Error('offline');
        return new Response(null, { status: 200 });
      }) as unknown as typeof fetch,
    },
  };
}

describe('signing out of Cognito', () => {
  it('revokes the refresh token, then goes to the hosted logout, back to the dashboard', async () => {
    const r = recorder();
    await endCognitoSession(auth, 'refresh-123', r.options);
    expect(r.sent).toEqual([
      {
        url: 'https://carepath.auth.eu-west-2.amazoncognito.com/oauth2/revoke',
        body: 'token=refresh-123&client_id=dashboardclient',
      },
    ]);
    const logout = new URL(r.went()!);
    expect(`${logout.origin}${logout.pathname}`).toBe('https://carepath.auth.eu-west-2.amazoncognito.com/logout');
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: 'dashboardclient',
      logout_uri: 'https://dashboard.example.nhs.uk/',
    });
  });

  it('still ends the hosted session when revoking fails or there is no refresh token', async () => {
    const failing = recorder(true);
    await endCognitoSession(auth, 'refresh-123', failing.options);
    expect(failing.went()).toContain('/logout?');
    const none = recorder();
    await endCognitoSession(auth, undefined, none.options);
    expect(none.sent).toEqual([]);
    expect(none.went()).toContain('/logout?');
  });
});
