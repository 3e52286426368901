/**
 * What the route modules share: the route type (a route's spec for the table, `/openapi.json` and
 * the role × route test, together with its handler), what handlers are given, and the
 * problem+json answers they make.
 */
import { codecSessionsSealedWith, type CodecSessions } from '../codecSessions.js';
import { cursorsSealedWith, type Cursors } from '../cursors.js';
import type { PatientRecord } from '../../activities/readModel.js';
import type { HospitalFeeds } from '../../domain/hospitalFeeds.js';
import type { Programme } from '../../domain/programme.js';
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppDeps } from '../app.js';
import { roles, type Caller, type Role } from '../auth.js';

export type Env = {
  Variables: {
    caller: Caller;
    /** The route's own answer when a dependency is not answering (see `Route.whenUnavailable`). */
    whenUnavailable?: (ctx: Context) => Response | undefined;
    /** The person a journey route is about, read beside the journey (routes/journeys.ts). */
    person?: Promise<Map<string, PatientRecord>>;
  };
};
export type Ctx = Context<Env>;

export type JsonSchema = Record<string, unknown>;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI-style path: `/journeys/{id}`. */
  path: string;
  summary: string;
  /** `anyone` needs no token. */
  roles: Role[] | 'anyone';
  /** Coordinators and team leads reach only their teams' journeys here. */
  teamScoped?: boolean;
  body?: { contentType: string; schema?: z.ZodType; description?: string }[];
  query?: string[];
  /**
   * Opened by a break-glass codec session (lambdas/codecSessions.ts), as a bearer token or the codec
   * cookie the Temporal Web UI sends, and by nothing else: not even a sign-in of an allowed role.
   * API Gateway's JWT authorizer cannot read a cookie, so in AWS the app alone checks these routes.
   */
  codecSession?: boolean;
  /** Optional request headers the route reads. */
  headers?: { name: string; description: string; pattern: string }[];
  /** Status → description, or description with the body's schema (JSON unless `contentType`). */
  responses: Record<number, string | ResponseSpec>;
  /**
   * The largest body the route accepts, in bytes; anything larger is answered 413 before the body
   * is parsed or anyone is asked who they are. Every route that takes a body has one (HAZ-09):
   * COMMAND_BODY_LIMIT unless it says otherwise.
   */
  maxBodyBytes?: number;
}

/** A command's body: a note, a care plan, a correction. 64 KiB is many pages of text. */
export const COMMAND_BODY_LIMIT = 64 * 1024;
export const bodyLimitOf = (r: RouteSpec) => r.maxBodyBytes ?? COMMAND_BODY_LIMIT;
export const kib = (bytes: number) => `${bytes / 1024} KiB`;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** Further media types this status may answer with (the ADT feed answers HL7 or JSON). */
  alternatives?: Record<string, z.ZodType>;
}

/** What handlers are given: the app's dependencies, with the clock settled. */
export type RouteDeps = Omit<
  AppDeps,
  'now' | 'dashboard' | 'temporalUiOrigin' | 'hospitalFeeds' | 'referralsSharedWithin'
> & {
  hospitalFeeds: HospitalFeeds;
  referralsSharedWithin: string[];
  now: () => Date;
  /** The OpenAPI document, built once from the route table. */
  document: unknown;
};

/** A route: its spec and its handler, written once, registered by the app from the table. */
export interface Route extends RouteSpec {
  /** The route's own answer to a body over its limit; problem+json 413 when absent. */
  tooLarge?: (ctx: Context) => Response;
  /** Made once per app, runs after the role check: per-caller rate limits need the caller. */
  after?: (deps: RouteDeps) => MiddlewareHandler<Env>[];
  /** The route's own answer when a dependency is not answering; problem+json when absent or undefined. */
  whenUnavailable?: (ctx: Context) => Response | undefined;
  handler: (ctx: Ctx, deps: RouteDeps) => Response | Promise<Response>;
}

export const STAFF: Role[] = ['coordinator', 'team-lead', 'service-manager', 'ops', 'admin'];
/** Every role a person signs in with: a role added in auth.ts reaches its inbox and session. */
export const EVERYONE_SIGNED_IN: Role[] = [...roles];

/** Roles whose view is limited to the teams in their token. */
export const TEAM_SCOPED: Role[] = ['coordinator', 'team-lead'];
/**
 * Service managers see the teams of the programmes they manage: a programme is theirs when one of
 * their teams (their sign-in's) is in it, or one of its teams names them as its service manager
 * (the programme file). The caller they act as lists those teams (`withManagedTeams`).
 */
export const PROGRAMME_SCOPED: Role[] = ['service-manager'];
export const canSeeTeam = (caller: Caller, teamId: string) =>
  !(TEAM_SCOPED.includes(caller.role) || PROGRAMME_SCOPED.includes(caller.role)) || caller.teams.includes(teamId);

/** The caller as the routes see them: a service manager with every team of the programmes they manage. */
export function withManagedTeams(caller: Caller, programmes: readonly Programme[]): Caller {
  if (!PROGRAMME_SCOPED.includes(caller.role)) return caller;
  const managed = programmes.filter((p) =>
    p.teams.some((t) => caller.teams.includes(t.id) || t.serviceManagers.includes(caller.sub)),
  );
  return { ...caller, teams: [...new Set(managed.flatMap((p) => p.teams.map((t) => t.id)))] };
}

export const json = (description: string, schema: z.ZodType): ResponseSpec => ({ description, schema });

/**
 * The team a `?team=` route is about: one the programmes have, and the caller's to see; otherwise
 * the problem that answers (400 none given, 404 no such team, 403 not theirs).
 */
export function teamAsked(ctx: Ctx, deps: RouteDeps): { teamId: string } | { response: Response } {
  const teamId = ctx.req.query('team');
  if (!teamId) return { response: problem(ctx, 400, 'Invalid request', 'Give a team.') };
  if (!deps.programmes.some((p) => p.teams.some((t) => t.id === teamId)))
    return { response: problem(ctx, 404, 'Not found', `No team ${teamId}.`) };
  if (!canSeeTeam(ctx.get('caller'), teamId))
    return { response: problem(ctx, 403, 'Forbidden', `You are not in team ${teamId}.`) };
  return { teamId };
}

export const bearer = (ctx: Context) => /^Bearer (.+)$/i.exec(ctx.req.header('authorization') ?? '')?.[1];

export function problem(
  ctx: Context,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  return ctx.body(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }), status as 400, {
    'content-type': 'application/problem+json',
  });
}

export const validationProblem = (ctx: Context, error: z.ZodError) =>
  problem(
    ctx,
    400,
    'Invalid request',
    error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    {
      errors: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  );

const sealers = new WeakMap<Uint8Array, Cursors>();
/** Next-page cursors sealed with the API's secret (lambdas/cursors.ts). */
export function cursorsOf(deps: Pick<RouteDeps, 'pseudonymKey'>): Cursors {
  let cursors = sealers.get(deps.pseudonymKey);
  if (!cursors) sealers.set(deps.pseudonymKey, (cursors = cursorsSealedWith(deps.pseudonymKey)));
  return cursors;
}

const codecSessionSealers = new WeakMap<Buffer, CodecSessions>();

/** Break-glass codec sessions, sealed under a key derived from the API's secret like cursors are. */
export function codecSessionsOf(deps: Pick<RouteDeps, 'pseudonymKey'>): CodecSessions {
  let sessions = codecSessionSealers.get(deps.pseudonymKey);
  if (!sessions) codecSessionSealers.set(deps.pseudonymKey, (sessions = codecSessionsSealedWith(deps.pseudonymKey)));
  return sessions;
}

/** DynamoDB refuses a key it cannot use (a forged cursor, an over-long id) as a ValidationException. */
export const isInvalidKey = (error: unknown) => (error as { name?: string })?.name === 'ValidationException';

/** A list's page size: 50 unless asked, 1 to 200. */
export const pageLimit = (limit: string | undefined) =>
  Math.min(Math.max(Math.floor(Number(limit ?? 50)) || 50, 1), 200);

const DAY_MS = 86_400_000;

/**
 * The period a figures route is asked for (`from`, `to`: ISO dates; `to` defaults to now, `from` to
 * `days` before it), at most 400 days; or the problem that answers the request.
 */
export function periodAsked(ctx: Ctx, now: Date, days: number): { from: Date; to: Date } | Response {
  const q = ctx.req.query();
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - days * DAY_MS);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
    return problem(ctx, 400, 'Invalid request', 'from and to must be ISO dates with from before to.');
  if (to.getTime() - from.getTime() > 400 * DAY_MS)
    return problem(ctx, 400, 'Invalid request', 'A period is at most 400 days.');
  return { from, to };
}
