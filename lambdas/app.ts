/**
 * The carepath HTTP API (docs/interfaces.md): one Hono app, served by Node locally and by
 * Lambda in AWS. Every route comes from the route table (routes.ts, assembled from the modules in
 * routes/), registered here with its role check. Handlers validate with the domain's zod schemas,
 * check role and team, and talk to journeys only through the gateway (Temporal client calls).
 * Errors are problem+json.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { CODEC_SESSION_MINUTES } from './codecSessions.js';
import { codecCors } from './cors.js';
import type { EncryptionCodec } from '../temporal/payloadCodec.js';
import type { ReadModel } from '../activities/readModel.js';
import type { Programme } from '../domain/programme.js';
import type { Authenticator, Role } from './auth.js';
import type { JourneyGateway } from './journeyGateway.js';
import { openApiDocument, routes, type Route } from './routes.js';
import { CODEC_COOKIE } from './routes/session.js';
import {
  bearer,
  bodyLimitOf,
  codecSessionsOf,
  kib,
  problem,
  withManagedTeams,
  type Env,
  type RouteDeps,
} from './routes/shared.js';
import { securityHeaders, serveDashboard, type DashboardSite } from './dashboardSite.js';
import type { RateLimits, SharedCounts } from './rateLimits.js';
import { builtInHospitalFeeds } from '../domain/builtInHospitalFeeds.js';
import { builtInReferralsSharedWithin } from '../domain/builtInProgrammes.js';
import type { HospitalFeeds } from '../domain/hospitalFeeds.js';
import { isDependencyUnavailable } from './unavailable.js';
import { requireOriginSecret } from './originLock.js';
import { REQUEST_BUDGET_MS, withRequestBudget } from './requestBudget.js';

export { CODEC_COOKIE, problem };

export interface AppDeps {
  programmes: Programme[];
  gateway: JourneyGateway;
  read: ReadModel;
  auth: Authenticator;
  pseudonymKey: Buffer;
  /** Payload encryption; the codec endpoints answer 404 without it. */
  codec?: EncryptionCodec;
  /** Origin of the Temporal Web UI, allowed to call the codec endpoints from the browser. */
  temporalUiOrigin?: string;
  /** Reports whether Temporal and DynamoDB answer, for /health. */
  health: () => Promise<{ temporal: boolean; dynamodb: boolean }>;
  /** Per-caller limits on referral intake and the ADT feed; none when absent (appDepsFromEnv always sets them). */
  rateLimits?: RateLimits;
  /** Where the limits are counted, shared by every instance; in this process when absent (appDepsFromEnv sets it). */
  rateLimitCounts?: SharedCounts;
  /**
   * Who may send hospital events for which facilities, and each facility's codes. The built-in
   * examples' when absent, for tests; appDepsFromEnv always sets it from the configuration.
   */
  hospitalFeeds?: HospitalFeeds;
  /** Referrer organisations whose referrers follow all the organisation's referrals; none when absent. */
  referralsSharedWithin?: string[];
  /**
   * Metrics shown to anyone outside the teams they cover give counts under this as "<n"
   * (domain/metrics.ts); 5 when absent, and 0 or 1 shows every count.
   */
  smallNumbersBelow?: number;
  /** The built dashboard, served by this app: on Node locally, and in AWS by the Lambda it is bundled with. */
  dashboard?: DashboardSite;
  now?: () => Date;
  /** The whole request's time budget for Temporal (lambdas/requestBudget.ts); REQUEST_BUDGET_MS when absent. */
  requestBudgetMs?: number;
  /**
   * The value CloudFront sends in ORIGIN_CHECK_HEADER; when set, every request without it is
   * refused before anything else runs (lambdas/originLock.ts). Unset locally and in tests.
   */
  originSecret?: string;
}

export function createApp(deps: AppDeps) {
  const { dashboard, temporalUiOrigin, now, requestBudgetMs, originSecret, ...rest } = deps;
  const routeDeps: RouteDeps = {
    ...rest,
    hospitalFeeds: rest.hospitalFeeds ?? builtInHospitalFeeds,
    referralsSharedWithin: rest.referralsSharedWithin ?? builtInReferralsSharedWithin,
    now: now ?? (() => new Date()),
    document: openApiDocument(),
  };
  const app = new Hono<Env>();

  app.onError((error, ctx) => {
    if (isDependencyUnavailable(error)) {
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: 'dependency unavailable',
          path: ctx.req.path,
          error: (error as Error).message,
        }),
      );
      ctx.header('retry-after', '5');
      return (
        ctx.get('whenUnavailable')?.(ctx) ??
        problem(
          ctx,
          503,
          'Service unavailable',
          'A service carepath depends on is not answering just now. Try again shortly.',
        )
      );
    }
    console.error(
      JSON.stringify({ level: 'error', msg: 'unhandled', path: ctx.req.path, error: (error as Error).message }),
    );
    return problem(ctx, 500, 'Internal error', 'Something went wrong; it has been logged.');
  });
  app.notFound((ctx) => problem(ctx, 404, 'Not found', `No route for ${ctx.req.method} ${ctx.req.path}`));
  // First of all: a request that went around the WAF (straight to execute-api) goes no further.
  if (originSecret) app.use('*', requireOriginSecret(originSecret));
  // One time budget for the whole request: every Temporal call it makes draws on it (issue 19).
  app.use('*', (_ctx, next) => withRequestBudget(requestBudgetMs ?? REQUEST_BUDGET_MS, next));
  // API answers are JSON only: nothing they carry may run, frame or load anything. The dashboard's
  // pages get a policy that lets them run their own scripts and call this API.
  app.use('*', securityHeaders(dashboard));
  if (dashboard) serveDashboard(app, dashboard);
  // The Temporal Web UI decodes history through the codec routes, from its own origin (cors.ts).
  app.use('*', codecCors(temporalUiOrigin));

  /**
   * Authenticates, then lets through only the given roles: a sign-in's bearer token, or on the
   * codec routes a break-glass codec session (bearer or cookie) and nothing else.
   */
  const allow =
    (allowed: Role[], codecSession: boolean): MiddlewareHandler<Env> =>
    async (ctx, next) => {
      const caller = codecSession
        ? codecSessionsOf(routeDeps).open(bearer(ctx) ?? getCookie(ctx, CODEC_COOKIE), routeDeps.now())
        : await authenticated(bearer(ctx));
      if (!caller)
        return problem(
          ctx,
          401,
          'Unauthorised',
          codecSession
            ? `A break-glass codec session is required (POST /auth/codec-session); it lasts ${CODEC_SESSION_MINUTES} minutes.`
            : 'A valid bearer token is required.',
        );
      if (!allowed.includes(caller.role))
        return problem(ctx, 403, 'Forbidden', `The ${caller.role} role cannot do this.`);
      ctx.set('caller', withManagedTeams(caller, routeDeps.programmes));
      await next();
    };

  async function authenticated(token: string | undefined) {
    return token ? await deps.auth.verify(token) : undefined;
  }

  // Hono's overloads count handlers; the chain's length varies by route, so it is given as one.
  for (const route of routes) app.on(route.method, honoPath(route.path), ...(chain(route) as [MiddlewareHandler<Env>]));

  /** A route's middleware and handler, in order: its own answer when a dependency is down, the body limit, role check, rate limits. */
  function chain(route: Route): MiddlewareHandler<Env>[] {
    const { whenUnavailable } = route;
    return [
      ...(whenUnavailable
        ? [
            (async (ctx, next) => {
              ctx.set('whenUnavailable', whenUnavailable);
              await next();
            }) satisfies MiddlewareHandler<Env>,
          ]
        : []),
      ...(route.method === 'GET' ? [] : [limitBody(route)]),
      ...(route.roles === 'anyone' ? [] : [allow(route.roles, route.codecSession ?? false)]),
      ...(route.after?.(routeDeps) ?? []),
      async (ctx: Context<Env>) => route.handler(ctx, routeDeps),
    ];
  }

  return app;
}

/** Answers 413 to a body over the route's limit, counting as it streams (a Content-Length may lie). */
const limitBody = (route: Route) =>
  bodyLimit({
    maxSize: bodyLimitOf(route),
    onError: (ctx) =>
      route.tooLarge?.(ctx) ??
      problem(
        ctx,
        413,
        'Too large',
        `${route.method} ${route.path} takes a body of at most ${kib(bodyLimitOf(route))}.`,
      ),
  });

/** OpenAPI's `/journeys/{id}` is Hono's `/journeys/:id`. */
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
