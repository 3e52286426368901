/**
 * Signing in: the development sign-in (only with CAREPATH_DEV_AUTH=1), and the break-glass codec
 * session that lets the Temporal Web UI decode history for a quarter of an hour.
 */
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { devTokenRequest } from '../auth.js';
import { CODEC_SESSION_MINUTES } from '../codecSessions.js';
import { devDirectory } from '../directory.js';
import { responses } from '../responses.js';
import { CODEC_PREFIX, CODEC_ROLES } from './codec.js';
import { codecSessionsOf, json, problem, validationProblem, type Ctx, type Route } from './shared.js';

/** Holds a break-glass codec session (never a sign-in), so the Temporal Web UI can send it. */
export const CODEC_COOKIE = 'carepath_codec';

/** The log line the break-glass alarm counts (cdk/monitoring.ts). */
export const BREAK_GLASS_LOG = 'break-glass codec session';

export const breakGlassRequest = z
  .object({
    /** Why, in words the IG lead can check later: an incident number, the journey's trouble. */
    reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(500),
  })
  .strict();

const breakGlassPeriod = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((p) => Date.parse(p.from) < Date.parse(p.to), { message: '`from` must be before `to`', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 86_400_000, {
    message: 'a period of at most a year',
    path: ['to'],
  });

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
  // ("include cross-origin credentials"). Decoding is break-glass: asked for with a reason, kept,
  // alerted on, and answered with a short codec-only session (lambdas/codecSessions.ts) as an
  // HttpOnly cookie scoped to /codec, so no script and no other route ever sees it.
  {
    method: 'POST',
    path: '/auth/codec-session',
    summary:
      'Break-glass: lets the caller decode Temporal history for 15 minutes, saying why (kept for the IG lead and alerted on)',
    roles: CODEC_ROLES,
    body: [{ contentType: 'application/json', schema: breakGlassRequest }],
    responses: {
      201: json(
        '{until, token}: the codec cookie is set too; the token is for the Temporal CLI (--codec-auth)',
        responses.codecSession,
      ),
      400: 'no reason given',
    },
    handler: async (ctx, deps) => {
      const parsed = breakGlassRequest.safeParse(await ctx.req.json().catch(() => undefined));
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const caller = ctx.get('caller');
      const now = deps.now();
      const session = codecSessionsOf(deps).issue(caller, now);
      // Kept before it is handed out: a session nobody can account for never exists.
      await deps.read.recordBreakGlass({
        by: caller.sub,
        role: caller.role,
        reason: parsed.data.reason,
        at: now.toISOString(),
        until: session.until,
      });
      // The alarm on this line (cdk/monitoring.ts) tells whoever watches the service. The reason
      // stays out of the log: it may describe a person.
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: BREAK_GLASS_LOG,
          by: caller.sub,
          role: caller.role,
          until: session.until,
        }),
      );
      const secure = new URL(ctx.req.url).protocol === 'https:';
      setCookie(ctx, CODEC_COOKIE, session.token, {
        path: CODEC_PREFIX,
        httpOnly: true,
        secure,
        sameSite: secure ? 'None' : 'Strict',
        maxAge: CODEC_SESSION_MINUTES * 60,
      });
      return ctx.json(session, 201);
    },
  },
  {
    method: 'DELETE',
    path: '/auth/codec-session',
    summary: 'Ends the codec session in this browser (sign-out)',
    roles: 'anyone',
    responses: { 204: 'cookie cleared' },
    handler: (ctx) => {
      deleteCookie(ctx, CODEC_COOKIE, { path: CODEC_PREFIX });
      return ctx.body(null, 204);
    },
  },
  {
    method: 'GET',
    path: '/break-glass-sessions',
    summary: 'Who asked to decode Temporal history, when and why, in a period (at most a year)',
    roles: ['ig-lead', 'admin'],
    query: ['from', 'to'],
    responses: { 200: json('{items}', responses.breakGlassSessions), 400: 'not a period of at most a year' },
    handler: async (ctx, deps) => {
      const parsed = breakGlassPeriod.safeParse({ from: ctx.req.query('from'), to: ctx.req.query('to') });
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const [from, to] = [new Date(parsed.data.from).toISOString(), new Date(parsed.data.to).toISOString()];
      return ctx.json({ items: await deps.read.breakGlassIn(from, to) });
    },
  },
];
