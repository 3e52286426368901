/**
 * Sign-out from Cognito (the AWS path). A module of its own, with nothing imported, so that the
 * same code is tested outside the browser (tests/dashboard/cognitoSignOut.test.ts).
 */
/**
 * Signing out ends the Cognito session, not just this tab's: on a shared ward PC the next person
 * must not be signed in as the last. The refresh token is revoked (Cognito then refuses it, and the
 * tokens issued from it, on every Cognito API), and the browser goes to the hosted UI's logout,
 * which ends its sign-in cookie and comes back to the dashboard. An ID token already issued still
 * verifies offline until it expires, within the hour; the dashboard has dropped it.
 */
export async function endCognitoSession(
  auth: { domain: string; clientId: string },
  refreshToken: string | undefined,
  { fetchFn = fetch, go = (url: string) => location.assign(url), origin = location.origin } = {},
): Promise<void> {
  if (refreshToken)
    await fetchFn(`https://${auth.domain}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: auth.clientId }),
    }).catch(() => undefined); // the logout below still ends the session
  go(`https://${auth.domain}/logout?${new URLSearchParams({ client_id: auth.clientId, logout_uri: `${origin}/` })}`);
}
