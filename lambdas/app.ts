/**
 * The carepath HTTP API (docs/interfaces.md): one Hono app, served by Node locally and by
 * Lambda in AWS. Handlers validate with the domain's zod schemas, check role and team, and talk
 * to journeys only through the gateway (Temporal client calls). Errors are problem+json.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { z } from 'zod';
import type { ReadModel } from '../activities/readModel.js';
import { patientIdFor } from '../activities/pseudonym.js';
import type { Programme } from '../domain/programme.js';
import { routeToTeam } from '../domain/programme.js';
import { normaliseNhsNumber } from '../domain/nhsNumber.js';
import { ageOn, referralSchema } from '../domain/referral.js';
import { computeMetrics } from '../domain/metrics.js';
import { journeyDetail } from '../domain/views.js';
import { parseJourneyId } from '../domain/journeyIds.js';
import { checkCommand, commandPayloads, type CommandOutcome, type CommandType } from '../domain/journeyCommands.js';
import { devTokenRequest, type Authenticator, type Caller, type Role } from './auth.js';
import { journeyBundle } from './fhirExport.js';
import { hospitalEventFromEncounter, referralFromFhir } from './fhirIntake.js';
import { ack, parseAdt } from './hl7.js';
import { JourneyNotAnswering, type JourneyGateway } from './journeyGateway.js';
import { codecBody, openApiDocument, rolesFor } from './routes.js';
import { devDirectory, programmeDirectory } from './directory.js';
import { securityHeaders, serveDashboard, type DashboardSite } from './dashboardSite.js';
import { perCallerLimit, type RateLimits } from './rateLimits.js';
import { isDependencyUnavailable } from './unavailable.js';

export interface AppDeps {
  programmes: Programme[];
  gateway: JourneyGateway;
  read: ReadModel;
  auth: Authenticator;
  pseudonymKey: Buffer;
  /** Payload encryption; the codec endpoints answer 404 without it. */
  codec?: PayloadCodec;
  /** Origin of the Temporal Web UI, allowed to call the codec endpoints from the browser. */
  temporalUiOrigin?: string;
  /** Reports whether Temporal and DynamoDB answer, for /health. */
  health: () => Promise<{ temporal: boolean; dynamodb: boolean }>;
  /** Per-caller limits on referral intake and the ADT feed; none when absent (appDepsFromEnv always sets them). */
  rateLimits?: RateLimits;
  /** The built dashboard, served by the Node server; in AWS it is on CloudFront instead. */
  dashboard?: DashboardSite;
  now?: () => Date;
}

/** Holds a signed-in user's token for the codec only, so the Temporal Web UI can send it. */
export const CODEC_COOKIE = 'carepath_codec';

type Env = { Variables: { caller: Caller } };

/** Roles whose view is limited to the teams in their token. */
const TEAM_SCOPED: Role[] = ['coordinator', 'team-lead'];

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

const validationProblem = (ctx: Context, error: z.ZodError) =>
  problem(
    ctx,
    400,
    'Invalid request',
    error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    {
      errors: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  );

/**
 * A list cursor is the key a page ended on, as base64url JSON. Anything else (or a key longer than
 * DynamoDB allows) is the client's mistake and answers 400, never a 500 from deep in a query.
 */
function badCursor(cursor: string | undefined): boolean {
  if (cursor === undefined) return false;
  if (cursor.length > 4096) return true;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return (
      !key ||
      typeof key !== 'object' ||
      Array.isArray(key) ||
      !Object.values(key).every((v) => typeof v === 'string' || typeof v === 'number')
    );
  } catch {
    return true;
  }
}

/** DynamoDB refuses a key it cannot use (a forged cursor, an over-long id) as a ValidationException. */
const isInvalidKey = (error: unknown) => (error as { name?: string })?.name === 'ValidationException';

/** Why a journey refused a command, as HTTP statuses. */
const failureStatus: Record<string, number> = { phase: 409, 'not-found': 404, invalid: 422, capacity: 409 };
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

function refused(ctx: Context<Env>, rejection: Extract<CommandOutcome, { ok: false }>) {
  const status = failureStatus[rejection.type] ?? 422;
  return problem(
    ctx,
    status,
    status === 409 ? 'Conflict' : status === 404 ? 'Not found' : 'Unprocessable',
    rejection.message,
  );
}

export function createApp(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  const programme = (id: string) => deps.programmes.find((p) => p.id === id);
  const canSeeTeam = (caller: Caller, teamId: string) =>
    !TEAM_SCOPED.includes(caller.role) || caller.teams.includes(teamId);

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
      // An integration engine waits for an ACK: AE tells it to send the message again.
      if (ctx.req.path === '/adt' && !/json/.test(ctx.req.header('content-type') ?? ''))
        return ctx.body(ack(undefined, 'AE', 'temporarily unavailable: send again'), 503, {
          'content-type': 'application/hl7-v2; charset=utf-8',
        });
      return problem(
        ctx,
        503,
        'Service unavailable',
        'A service carepath depends on is not answering just now. Try again shortly.',
      );
    }
    console.error(
      JSON.stringify({ level: 'error', msg: 'unhandled', path: ctx.req.path, error: (error as Error).message }),
    );
    return problem(ctx, 500, 'Internal error', 'Something went wrong; it has been logged.');
  });
  app.notFound((ctx) => problem(ctx, 404, 'Not found', `No route for ${ctx.req.method} ${ctx.req.path}`));
  // API answers are JSON only: nothing they carry may run, frame or load anything. The dashboard's
  // pages get a policy that lets them run their own scripts and call this API.
  app.use('*', securityHeaders(deps.dashboard));
  if (deps.dashboard) serveDashboard(app, deps.dashboard);

  app.get('/health', async (ctx) => {
    const h = await deps.health().catch(() => ({ temporal: false, dynamodb: false }));
    const ok = h.temporal && h.dynamodb;
    return ctx.json(
      { status: ok ? 'ok' : 'degraded', temporal: h.temporal ? 'up' : 'down', dynamodb: h.dynamodb ? 'up' : 'down' },
      ok ? 200 : 503,
    );
  });

  const document = openApiDocument();
  app.get('/openapi.json', (ctx) => ctx.json(document));

  app.post('/auth/dev-token', async (ctx) => {
    if (!deps.auth.devToken)
      return problem(ctx, 404, 'Not found', 'Development sign-in is off (CAREPATH_DEV_AUTH is not 1).');
    const parsed = devTokenRequest.safeParse(await ctx.req.json().catch(() => undefined));
    if (!parsed.success) return validationProblem(ctx, parsed.error);
    return ctx.json({ token: await deps.auth.devToken(parsed.data) });
  });

  app.get('/auth/dev-directory', (ctx) => {
    if (!deps.auth.devToken)
      return problem(ctx, 404, 'Not found', 'Development sign-in is off (CAREPATH_DEV_AUTH is not 1).');
    return ctx.json({ users: devDirectory(deps.programmes) });
  });

  const bearer = (ctx: Context) => /^Bearer (.+)$/i.exec(ctx.req.header('authorization') ?? '')?.[1];
  /** Authenticates (bearer token; for the codec also its cookie), then lets through only the given roles. */
  const allow =
    (...allowed: Role[]) =>
    async (ctx: Context<Env>, next: () => Promise<void>) => {
      const token = bearer(ctx) ?? (ctx.req.path.startsWith('/codec/') ? getCookie(ctx, CODEC_COOKIE) : undefined);
      const caller = token ? await deps.auth.verify(token) : undefined;
      if (!caller) return problem(ctx, 401, 'Unauthorised', 'A valid bearer token is required.');
      if (!allowed.includes(caller.role))
        return problem(ctx, 403, 'Forbidden', `The ${caller.role} role cannot do this.`);
      ctx.set('caller', caller);
      await next();
    };

  // The Temporal Web UI cannot hold our tokens, but it can send cookies to the codec endpoint
  // ("include cross-origin credentials"): the dashboard hands the signed-in token over as one,
  // HttpOnly and scoped to /codec so that no script and no other route ever sees it.
  app.post('/auth/session', allow(...rolesFor('POST', '/auth/session')), (ctx) => {
    const secure = new URL(ctx.req.url).protocol === 'https:';
    setCookie(ctx, CODEC_COOKIE, bearer(ctx)!, {
      path: '/codec',
      httpOnly: true,
      secure,
      sameSite: secure ? 'None' : 'Strict',
      maxAge: 12 * 3600,
    });
    return ctx.body(null, 204);
  });
  app.delete('/auth/session', (ctx) => {
    deleteCookie(ctx, CODEC_COOKIE, { path: '/codec' });
    return ctx.body(null, 204);
  });

  // ---- Directory ------------------------------------------------------------------------------
  app.get('/programmes', allow(...rolesFor('GET', '/programmes')), (ctx) =>
    ctx.json({ items: programmeDirectory(deps.programmes) }),
  );
  app.get('/caseloads', allow(...rolesFor('GET', '/caseloads')), async (ctx) => {
    const teamId = ctx.req.query('team');
    if (!teamId) return problem(ctx, 400, 'Invalid request', 'Give a team.');
    const team = deps.programmes.flatMap((p) => p.teams).find((t) => t.id === teamId);
    if (!team) return problem(ctx, 404, 'Not found', `No team ${teamId}.`);
    if (!canSeeTeam(ctx.get('caller'), teamId)) return problem(ctx, 403, 'Forbidden', `You are not in team ${teamId}.`);
    const counts = new Map((await deps.read.caseloads(teamId)).map((c) => [c.coordinatorId, c.count]));
    return ctx.json({
      teamId,
      items: team.coordinators.map((c) => ({
        coordinatorId: c.id,
        name: c.name,
        caseload: counts.get(c.id) ?? 0,
        capacity: c.maxCaseload,
      })),
    });
  });

  const limits = deps.rateLimits ?? { intakePerMinute: 0, adtPerMinute: 0 };
  const intakeLimit = perCallerLimit<Env>(limits.intakePerMinute, (ctx, retryAfter) => {
    ctx.header('retry-after', String(retryAfter));
    return problem(
      ctx,
      429,
      'Too many requests',
      `At most ${limits.intakePerMinute} referrals a minute from one caller; try again in ${retryAfter} s.`,
    );
  });
  const adtLimit = perCallerLimit<Env>(limits.adtPerMinute, (ctx, retryAfter) =>
    ctx.body(
      ack(undefined, 'AR', `rate limited: at most ${limits.adtPerMinute} messages a minute; retry in ${retryAfter} s`),
      429,
      { 'content-type': 'application/hl7-v2; charset=utf-8', 'retry-after': String(retryAfter) },
    ),
  );

  // ---- Referrals ------------------------------------------------------------------------------
  app.post(
    '/referrals',
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (ctx) => problem(ctx, 413, 'Too large', 'Referral bodies are limited to 256 KiB.'),
    }),
    allow(...rolesFor('POST', '/referrals')),
    intakeLimit,
    async (ctx) => {
      let body: unknown = await ctx.req.json().catch(() => undefined);
      if (ctx.req.header('content-type')?.includes('application/fhir+json')) {
        const fhir = referralFromFhir(body);
        if (!fhir.ok)
          return problem(
            ctx,
            400,
            'Invalid FHIR referral',
            fhir.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
            { errors: fhir.errors },
          );
        body = fhir.value;
      }
      const parsed = referralSchema.safeParse(body);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const r = parsed.data;
      const p = programme(r.programme);
      if (!p)
        return problem(
          ctx,
          422,
          'Unknown programme',
          `There is no programme ${r.programme}; known: ${deps.programmes.map((x) => x.id).join(', ')}.`,
        );
      const team = routeToTeam(p, {
        ...(r.teamId ? { teamId: r.teamId } : {}),
        ...(r.patient.postcode ? { postcode: r.patient.postcode } : {}),
      });
      if (!team)
        return problem(
          ctx,
          422,
          'No team',
          r.teamId
            ? `Programme ${p.id} has no team ${r.teamId}.`
            : `No team of ${p.id} covers postcode ${r.patient.postcode ?? '(none given)'}; name a teamId.`,
        );
      const caller = ctx.get('caller');
      if (TEAM_SCOPED.includes(caller.role) && !caller.teams.includes(team.id))
        return problem(ctx, 403, 'Forbidden', `You are not in team ${team.id}.`);
      const receivedAt = r.referredAt
        ? new Date(Math.min(Date.parse(r.referredAt), now().getTime())).toISOString()
        : now().toISOString();
      const age = ageOn(r.patient.birthDate, receivedAt);
      if (age < 0 || age > 130)
        return problem(ctx, 400, 'Invalid request', 'patient.birthDate: not a plausible date of birth', {
          errors: [{ path: 'patient.birthDate', message: 'not a plausible date of birth' }],
        });
      const patientId = patientIdFor(r.patient.nhsNumber, deps.pseudonymKey);
      await deps.read.registerPatient({ patientId, ...r.patient, nhsNumber: normaliseNhsNumber(r.patient.nhsNumber)! });
      const accepted = await deps.gateway.refer(p, patientId, {
        referralId: randomUUID(),
        receivedAt,
        source: r.source,
        ...(r.referrer?.organisation ? { referrerOrganisation: r.referrer.organisation } : {}),
        reason: r.reason,
        urgency: r.urgency,
        age,
        teamId: team.id,
        conditions: r.conditions ?? [],
        ...(r.livesAlone !== undefined ? { livesAlone: r.livesAlone } : {}),
        ...(r.carer
          ? {
              carer: {
                ...(r.carer.relationship ? { relationship: r.carer.relationship } : {}),
                ...(r.carer.strain !== undefined ? { strain: r.carer.strain } : {}),
              },
            }
          : {}),
        ...(r.admissionsLast12Months !== undefined ? { admissionsLast12Months: r.admissionsLast12Months } : {}),
        consentGiven: r.consent.given,
      });
      return ctx.json(accepted, 202);
    },
  );

  // ---- Hospital ADT feed ----------------------------------------------------------------------
  app.post(
    '/adt',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (ctx) =>
        ctx.body(ack(undefined, 'AR', 'message too large'), 413, { 'content-type': 'application/hl7-v2' }),
    }),
    allow(...rolesFor('POST', '/adt')),
    adtLimit,
    async (ctx) => {
      if (/json/.test(ctx.req.header('content-type') ?? '')) {
        // The FHIR alternative: an Encounter.
        const encounter = hospitalEventFromEncounter(await ctx.req.json().catch(() => undefined));
        if (!encounter.ok)
          return problem(
            ctx,
            400,
            'Invalid Encounter',
            encounter.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
            { errors: encounter.errors },
          );
        const { nhsNumber, facility, event } = encounter.value;
        const nhs = normaliseNhsNumber(nhsNumber);
        if (!nhs)
          return problem(ctx, 400, 'Invalid Encounter', 'Encounter.subject.identifier: not a valid NHS number', {
            errors: [{ path: 'Encounter.subject.identifier', message: 'not a valid NHS number' }],
          });
        if (!(await deps.read.isNewAdtMessage(facility, event.controlId)))
          return ctx.json({ applied: 0, duplicate: true }, 202);
        const reached = await deps.gateway.hospitalEvent(deps.programmes, patientIdFor(nhs, deps.pseudonymKey), {
          ...event,
          controlId: `${facility}:${event.controlId}`,
        });
        await deps.read.recordAdtMessage(facility, event.controlId, now());
        return ctx.json({ applied: reached, duplicate: false }, 202);
      }
      const hl7 = (status: number, body: string) =>
        ctx.body(body, status as 200, { 'content-type': 'application/hl7-v2; charset=utf-8' });
      const parsed = parseAdt(await ctx.req.text());
      if (!parsed.ok) return hl7(400, ack(parsed.message, parsed.code, parsed.reason, parsed.controlId));
      const { adt } = parsed;
      const at = now();
      // A message we have processed before is acknowledged and changes nothing.
      if (!(await deps.read.isNewAdtMessage(adt.sendingFacility, adt.controlId)))
        return hl7(200, ack(adt.message, 'AA', 'duplicate: already processed'));
      const patientId = patientIdFor(adt.nhsNumber, deps.pseudonymKey);
      const reached = await deps.gateway.hospitalEvent(deps.programmes, patientId, {
        controlId: `${adt.sendingFacility}:${adt.controlId}`,
        event: adt.event,
        ...(adt.occurredAt ? { occurredAt: adt.occurredAt } : {}),
        ...(adt.location ? { location: adt.location } : {}),
      });
      await deps.read.recordAdtMessage(adt.sendingFacility, adt.controlId, at);
      return hl7(
        200,
        ack(
          adt.message,
          'AA',
          reached > 0 ? `applied to ${reached} journey(s)` : 'no open journey for this patient: nothing changed',
        ),
      );
    },
  );

  // ---- Journeys -------------------------------------------------------------------------------
  app.get('/journeys', allow(...rolesFor('GET', '/journeys')), async (ctx) => {
    const caller = ctx.get('caller');
    const q = ctx.req.query();
    const limit = Math.min(Math.max(Math.floor(Number(q.limit ?? 50)) || 50, 1), 200);
    const teamId =
      q.team ?? (TEAM_SCOPED.includes(caller.role) && caller.teams.length === 1 ? caller.teams[0] : undefined);
    if (teamId && !canSeeTeam(caller, teamId)) return problem(ctx, 403, 'Forbidden', `You are not in team ${teamId}.`);
    if (badCursor(q.cursor)) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
    if (!q.coordinator && !teamId)
      return problem(ctx, 400, 'Invalid request', 'Give a team (or coordinator): lists are per team.');
    let page;
    try {
      if (q.coordinator) page = await deps.read.journeysByCoordinator(q.coordinator, limit, q.cursor);
      else if (q.overdue === 'true') page = await deps.read.overdueByTeam(teamId!, now(), limit, q.cursor);
      else if (q.phase) page = await deps.read.journeysByTeamPhase(teamId!, q.phase, limit, q.cursor);
      else page = await deps.read.openByTeam(teamId!, limit, q.cursor);
    } catch (error) {
      if (isInvalidKey(error))
        return problem(ctx, 400, 'Invalid request', 'The cursor or a filter is not valid for this list.');
      throw error;
    }
    const at = now().getTime();
    const items = page.items
      .filter(
        (j) =>
          canSeeTeam(caller, j.teamId) &&
          (!q.programme || j.programme === q.programme) &&
          (!q.phase || j.phase === q.phase),
      )
      .map((j) => ({ ...j, overdue: j.phase !== 'closed' && j.nextDueAt !== null && Date.parse(j.nextDueAt) <= at }));
    return ctx.json({ items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  /** Loads a journey the caller may see, or answers 404/403 for them. */
  async function journeyFor(ctx: Context<Env>) {
    const id = ctx.req.param('id') ?? '';
    // Not the shape of a journey id: nothing to look up (and no over-long key to send DynamoDB).
    if (!parseJourneyId(id)) return { response: problem(ctx, 404, 'Not found', `No journey ${id.slice(0, 200)}.`) };
    const live = await deps.gateway.load(id);
    const teamId = live?.state.teamId ?? (await deps.read.getJourney(id))?.teamId;
    if (!teamId) return { response: problem(ctx, 404, 'Not found', `No journey ${id}.`) };
    if (!canSeeTeam(ctx.get('caller'), teamId))
      return { response: problem(ctx, 403, 'Forbidden', `Journey ${id} belongs to a team you are not in.`) };
    return { id, live };
  }

  app.get('/journeys/:id', allow(...rolesFor('GET', '/journeys/{id}')), async (ctx) => {
    const found = await journeyFor(ctx);
    if ('response' in found) return found.response;
    if (found.live) return ctx.json(journeyDetail(found.live.state, now().getTime()));
    // An earlier, closed episode: the read model keeps its summary and the audit trail its story.
    const summary = (await deps.read.getJourney(found.id))!;
    const timeline = (await deps.read.auditTrail(found.id, 500)).items;
    return ctx.json({ ...summary, timeline });
  });

  app.get('/journeys/:id/fhir', allow(...rolesFor('GET', '/journeys/{id}/fhir')), async (ctx) => {
    const found = await journeyFor(ctx);
    if ('response' in found) return found.response;
    if (!found.live)
      return problem(
        ctx,
        404,
        'Not found',
        `Journey ${found.id} is an earlier episode; its FHIR export is no longer held.`,
      );
    const patient = await deps.read.getPatient(found.live.state.patientId);
    return ctx.body(JSON.stringify(journeyBundle(found.live.state, patient, now())), 200, {
      'content-type': 'application/fhir+json',
    });
  });

  /** A co-ordinator's or lead's command: checked against the journey here, decided by the journey. */
  function action(path: string, type: CommandType, fromPath?: (ctx: Context<Env>) => Record<string, string>) {
    const schema = commandPayloads[type];
    app.post(
      `/journeys/:id/${path}`,
      allow(...rolesFor('POST', `/journeys/{id}/${path.replace(':actionId', '{actionId}')}`)),
      async (ctx) => {
        // Who may touch this journey is settled before anything about the request is said.
        const found = await journeyFor(ctx);
        if ('response' in found) return found.response;
        const body = await ctx.req.json().catch(() => undefined);
        const parsed = schema.safeParse({
          ...(typeof body === 'object' && body ? body : {}),
          ...(fromPath?.(ctx) ?? {}),
        });
        if (!parsed.success) return validationProblem(ctx, parsed.error);
        const caller = ctx.get('caller');
        // A client that may send the same command twice (a retry after a timeout) names it; the
        // second time it gets the first one's answer and nothing is done again.
        const key = ctx.req.header('idempotency-key');
        if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
          return problem(ctx, 400, 'Bad request', 'Idempotency-Key must be 1 to 100 letters, digits, or _ . : -');
        const commandId = key ? `${caller.sub}/${key}` : randomUUID();
        const earlier = key && found.live ? await deps.gateway.outcome(found.live.handle, commandId) : undefined;
        if (earlier?.ok) return ctx.json(journeyDetail(found.live!.state, now().getTime()));
        if (earlier) return refused(ctx, earlier);
        if (!found.live || found.live.state.phase === 'closed')
          return problem(
            ctx,
            409,
            'Journey closed',
            `Journey ${found.id} has closed; refer again to open a new episode.`,
          );
        const command = { ...(parsed.data as object), by: { sub: caller.sub, role: caller.role } };
        // Most commands that do not fit are refused here, without troubling the journey.
        const checked = checkCommand(found.live.state, type, command, now().getTime());
        const result =
          'rejected' in checked
            ? checked
            : await deps.gateway
                .command(found.live.handle, type, checked.command, commandId)
                .catch((error: unknown) => {
                  if (error instanceof JourneyNotAnswering) return { notAnswering: true as const };
                  throw error;
                });
        if ('notAnswering' in result) {
          ctx.header('retry-after', '5');
          return problem(
            ctx,
            503,
            'Not confirmed yet',
            `Journey ${found.id} has your request but has not confirmed it yet. Look at the journey before sending it again.`,
          );
        }
        if ('rejected' in result) return refused(ctx, result.rejected);
        return ctx.json(journeyDetail(result.state, now().getTime()));
      },
    );
  }
  action('triage', 'triage');
  action('assessment', 'assessment');
  action('care-plan', 'care-plan');
  action('actions/:actionId/complete', 'complete-action', (ctx) => ({ actionId: ctx.req.param('actionId') ?? '' }));
  action('reviews', 'review');
  action('contacts', 'contact');
  action('coordinator', 'reassign');
  action('close', 'close');

  // ---- Temporal remote codec ------------------------------------------------------------------
  // The Temporal Web UI decodes history through these, sending the signed-in user's token.
  app.use(
    '/codec/*',
    cors({
      origin: deps.temporalUiOrigin ?? 'http://127.0.0.1:8233',
      allowHeaders: ['authorization', 'content-type', 'x-namespace'],
      allowMethods: ['POST', 'OPTIONS'],
      credentials: true,
    }),
  );
  for (const op of ['decode', 'encode'] as const) {
    app.post(`/codec/${op}`, allow(...rolesFor('POST', `/codec/${op}`)), async (ctx) => {
      if (!deps.codec)
        return problem(ctx, 404, 'Not found', 'Payload encryption is off (CAREPATH_CODEC_KEYS is not set).');
      const parsed = codecBody.safeParse(await ctx.req.json().catch(() => undefined));
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const payloads = parsed.data.payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(p.data, 'base64'),
      }));
      let result: Payload[];
      try {
        result = await deps.codec[op](payloads);
      } catch (error) {
        return problem(ctx, 422, 'Unprocessable', `a payload could not be ${op}d: ${(error as Error).message}`);
      }
      console.log(
        JSON.stringify({ level: 'info', msg: 'codec', op, by: ctx.get('caller').sub, payloads: result.length }),
      );
      return ctx.json({
        payloads: result.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [
              k,
              Buffer.from(v ?? new Uint8Array()).toString('base64'),
            ]),
          ),
          data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
        })),
      });
    });
  }

  // ---- Evaluation metrics ---------------------------------------------------------------------
  app.get('/metrics', allow(...rolesFor('GET', '/metrics')), async (ctx) => {
    const caller = ctx.get('caller');
    const q = ctx.req.query();
    const to = q.to ? new Date(q.to) : now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
      return problem(ctx, 400, 'Invalid request', 'from and to must be ISO dates with from before to.');
    if (to.getTime() - from.getTime() > 400 * 86_400_000)
      return problem(ctx, 400, 'Invalid request', 'A period is at most 400 days.');
    const scope = q.programme ? deps.programmes.filter((p) => p.id === q.programme) : deps.programmes;
    if (q.programme && scope.length === 0) return problem(ctx, 404, 'Not found', `No programme ${q.programme}.`);
    const teams = scope
      .flatMap((p) => p.teams.map((t) => ({ programme: p, team: t })))
      .filter(({ team }) => !q.team || team.id === q.team);
    if (q.team && teams.length === 0)
      return problem(ctx, 404, 'Not found', `No team ${q.team}${q.programme ? ` in ${q.programme}` : ''}.`);
    const visible = teams.filter(({ team }) => canSeeTeam(caller, team.id));
    if (visible.length === 0) return problem(ctx, 403, 'Forbidden', 'None of these teams is yours.');
    const teamIds = [...new Set(visible.map((v) => v.team.id))];
    const events = (await Promise.all(teamIds.map((t) => deps.read.eventsOfTeam(t, from, to))))
      .flat()
      .filter((e) => !q.programme || e.programmeId === q.programme);
    const caseload = await Promise.all(
      visible.map(async ({ programme: p, team }) => {
        const counts = new Map((await deps.read.caseloads(team.id)).map((c) => [c.coordinatorId, c.count]));
        return team.coordinators.map((c) => ({
          programme: p.id,
          teamId: team.id,
          coordinatorId: c.id,
          caseload: counts.get(c.id) ?? 0,
          capacity: c.maxCaseload,
        }));
      }),
    );
    return ctx.json({
      programme: q.programme ?? null,
      teams: teamIds,
      ...computeMetrics(events, { from, to }),
      caseload: caseload.flat(),
    });
  });

  // ---- Inbox ----------------------------------------------------------------------------------
  const inboxId = (createdAt: string, notificationId: string) =>
    Buffer.from(`${createdAt}#${notificationId}`).toString('base64url');
  app.get('/inbox', allow(...rolesFor('GET', '/inbox')), async (ctx) => {
    const caller = ctx.get('caller');
    const cursor = ctx.req.query('cursor');
    if (badCursor(cursor)) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
    const page = await deps.read
      .inbox(caller.sub, Math.min(Math.max(Math.floor(Number(ctx.req.query('limit') ?? 50)) || 50, 1), 200), cursor)
      .catch((error: unknown) => {
        if (isInvalidKey(error)) return undefined;
        throw error;
      });
    if (!page) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
    return ctx.json({
      items: page.items.map((i) => ({
        id: inboxId(i.createdAt, i.id),
        journeyId: i.journeyId,
        kind: i.kind,
        deadline: i.deadline,
        level: i.level,
        dueAt: i.dueAt ?? null,
        createdAt: i.createdAt,
        message: i.message,
        ...(i.ackedAt ? { ackedAt: i.ackedAt } : {}),
      })),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });
  app.post('/inbox/:id/ack', allow(...rolesFor('POST', '/inbox/{id}/ack')), async (ctx) => {
    const decoded = Buffer.from(ctx.req.param('id') ?? '', 'base64url').toString();
    const split = decoded.indexOf('#');
    const ok =
      split > 0 &&
      decoded.length <= 1024 &&
      (await deps.read
        .acknowledge(ctx.get('caller').sub, decoded.slice(0, split), decoded.slice(split + 1), now())
        .catch((error: unknown) => {
          if (isInvalidKey(error)) return false;
          throw error;
        }));
    return ok ? ctx.body(null, 204) : problem(ctx, 404, 'Not found', 'You have no such inbox item.');
  });

  return app;
}
