/**
 * Signing in: the development sign-in (only with CAREPATH_DEV_AUTH=1), and the codec session
 * that lets the Temporal Web UI decode history for the signed-in user.
 */
import { deleteCookie, setCookie } from 'hono/cookie';
import { devTokenRequest } from '../auth.js';
import { devDirectory } from '../directory.js';
import { responses } from '../responses.js';
import { CODEC_PREFIX } from './codec.js';
import { bearer, EVERYONE_SIGNED_IN, json, problem, validationProblem, type Ctx, type Route } from './shared.js';

/** Holds a signed-in user's token for the codec only, so the Temporal Web UI can send it. */
export const CODEC_COOKIE = 'carepath_codec';

const devSignInOff = (ctx: Ctx) =>
  problem(ctx, 404, 'Not found', 'Development sign-in is off (CAREPATH_DEV_AUTH is not 1).');

/**
 * Whether a request was addressed to this machine by a loopback name. A web page elsewhere can
 * point its own domain at 127.0.0.1 (DNS rebinding) and then call the local API as its own origin,
 * so CORS never stops it; but its requests still carry its domain in Host. Development sign-in
 * answers only requests addressed as localhost, 127.0.0.0/8 or [::1].
 */
export function addressedToLoopback(host: string | undefined): boolean {
  return host !== undefined && /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i.test(host);
}

const notLoopback = (ctx: Ctx) =>
  problem(
    ctx,
    403,
    'Forbidden',
    'Development sign-in answers only requests addressed to localhost, 127.0.0.1 or [::1] (see the Host header).',
  );

export const sessionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/auth/dev-token',
    summary: 'Development sign-in (only with CAREPATH_DEV_AUTH=1)',
    roles: 'anyone',
    body: [{ contentType: 'application/json', schema: devTokenRequest }],
    responses: {
      200: json('{token}', responses.token),
      400: 'invalid request',
      403: 'not addressed to a loopback host (localhost, 127.0.0.1, [::1])',
      404: 'development sign-in is off',
    },
    handler: async (ctx, deps) => {
      if (!deps.auth.devToken) return devSignInOff(ctx);
      if (!addressedToLoopback(ctx.req.header('host'))) return notLoopback(ctx);
      const parsed = devTokenRequest.safeParse(await ctx.req.json().catch(() => undefined));
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      return ctx.json({ token: await deps.auth.devToken(parsed.data) });
    },
  },
  {
    method: 'GET',
    path: '/auth/dev-directory',
    summary: 'Development sign-in: the people of the configured teams, to pick one (only with CAREPATH_DEV_AUTH=1)',
    roles: 'anyone',
    responses: {
      200: json('{users[{sub, name, role, teams}]}', responses.devDirectory),
      403: 'not addressed to a loopback host (localhost, 127.0.0.1, [::1])',
      404: 'development sign-in is off',
    },
    handler: (ctx, deps) => {
      if (!deps.auth.devToken) return devSignInOff(ctx);
      if (!addressedToLoopback(ctx.req.header('host'))) return notLoopback(ctx);
      return ctx.json({ users: devDirectory(deps.programmes) });
    },
  },
  // The Temporal Web UI cannot hold our tokens, but it can send cookies to the codec endpoint
  // ("include cross-origin credentials"): the dashboard hands the signed-in token over as one,
  // HttpOnly and scoped to /codec so that no script and no other route ever sees it.
  {
    method: 'POST',
    path: '/auth/session',
    summary:
      "Sets the caller's token as an HttpOnly cookie scoped to /codec, so the Temporal Web UI can decode history for them",
    roles: EVERYONE_SIGNED_IN,
    responses: { 204: 'cookie set' },
    handler: (ctx) => {
      const secure = new URL(ctx.req.url).protocol === 'https:';
      setCookie(ctx, CODEC_COOKIE, bearer(ctx)!, {
        path: CODEC_PREFIX,
        httpOnly: true,
        secure,
        sameSite: secure ? 'None' : 'Strict',
        maxAge: 12 * 3600,
      });
      return ctx.body(null, 204);
    },
  },
  {
    method: 'DELETE',
    path: '/auth/session',
    summary: 'Clears the codec cookie (sign-out)',
    roles: 'anyone',
    responses: { 204: 'cookie cleared' },
    handler: (ctx) => {
      deleteCookie(ctx, CODEC_COOKIE, { path: CODEC_PREFIX });
      return ctx.body(null, 204);
    },
  },
];
