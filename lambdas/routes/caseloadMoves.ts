/**
 * Moving a caseload (workflows/caseloadMove.ts): a team lead moves all of one co-ordinator's open
 * journeys, or those in some phases or risk tiers, to the team's other co-ordinators, balanced by
 * capacity. The move runs as a workflow of its own; its progress is kept in DynamoDB, where the
 * dashboard reads it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { phases } from '../../domain/commands.js';
import { riskTiers } from '../../domain/risk.js';
import type { JourneySummary } from '../../domain/views.js';
import { responses } from '../responses.js';
import { canSeeTeam, json, problem, teamAsked, validationProblem, type Route } from './shared.js';

/** At most this many journeys in one move: a co-ordinator holds tens, a team a few hundred. */
const MOST_JOURNEYS = 2000;

export const caseloadMoveRequest = z.object({
  teamId: z.string().min(1).max(100),
  /** The co-ordinator whose journeys move. */
  from: z.string().min(1).max(100),
  /** Whom they may go to: every other co-ordinator of the team with room (not away) when left out. */
  to: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
  /** Only journeys in these phases… */
  phases: z.array(z.enum(phases)).min(1).optional(),
  /** …and of these risk tiers. */
  riskTiers: z
    .array(z.enum(riskTiers as unknown as ['high', 'medium', 'low']))
    .min(1)
    .optional(),
});

const IDEMPOTENCY_KEY = /^[\w.:-]{1,100}$/;

export const caseloadMoveRoutes: Route[] = [
  {
    method: 'POST',
    path: '/caseload-moves',
    summary:
      "Moves a co-ordinator's open journeys (or those in some phases or tiers) to the team's other co-ordinators, balanced by capacity; each is reassigned once, audited, and the move survives restarts",
    // As reassignment is: each journey is moved by the lead's own reassign command.
    roles: ['team-lead'],
    body: [{ contentType: 'application/json', schema: caseloadMoveRequest }],
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Names the move, so that sending the request again answers the same move and moves nothing twice.',
        pattern: IDEMPOTENCY_KEY.source,
      },
    ],
    responses: {
      202: json(
        'the move, started (or found, for a request sent again): follow it in GET /caseload-moves',
        responses.caseloadMoveStarted,
      ),
      400: 'invalid request, or no journeys to move',
      403: 'not your team',
      404: 'no such team',
    },
    handler: async (ctx, deps) => {
      const parsed = caseloadMoveRequest.safeParse(await ctx.req.json().catch(() => undefined));
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const r = parsed.data;
      const caller = ctx.get('caller');
      if (!deps.programmes.some((p) => p.teams.some((t) => t.id === r.teamId)))
        return problem(ctx, 404, 'Not found', `No team ${r.teamId}.`);
      if (!canSeeTeam(caller, r.teamId)) return problem(ctx, 403, 'Forbidden', `You are not in team ${r.teamId}.`);
      const key = ctx.req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
        return problem(ctx, 400, 'Bad request', 'Idempotency-Key must be 1 to 100 letters, digits, or _ . : -');
      // The key names the move for this caller; the id says nothing of them (a digest).
      const moveId = key
        ? createHash('sha256').update(`${caller.sub}\n${key}`).digest('hex').slice(0, 24)
        : randomUUID().replace(/-/g, '').slice(0, 24);

      // The journeys that are the co-ordinator's now, in this team, as the filters say.
      const chosen: JourneySummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.read.journeysByCoordinator(r.from, 200, cursor);
        chosen.push(
          ...page.items.filter(
            (j) =>
              j.teamId === r.teamId &&
              j.phase !== 'closed' &&
              (!r.phases || r.phases.includes(j.phase)) &&
              (!r.riskTiers || r.riskTiers.includes(j.riskTier)),
          ),
        );
        cursor = page.nextCursor;
      } while (cursor && chosen.length <= MOST_JOURNEYS);
      if (chosen.length === 0)
        return problem(ctx, 400, 'Nothing to move', `${r.from} holds no open journeys in ${r.teamId} that fit.`);
      if (chosen.length > MOST_JOURNEYS)
        return problem(
          ctx,
          400,
          'Too many',
          `At most ${MOST_JOURNEYS} journeys move at once; filter by phase or tier.`,
        );

      const requestedAt = deps.now().toISOString();
      const { started } = await deps.gateway.startCaseloadMove({
        moveId,
        teamId: r.teamId,
        from: r.from,
        journeyIds: chosen.map((j) => j.id),
        ...(r.to ? { to: r.to } : {}),
        by: { sub: caller.sub, role: 'team-lead' },
        requestedAt,
      });
      return ctx.json({ moveId, teamId: r.teamId, total: chosen.length, started }, 202);
    },
  },
  {
    method: 'GET',
    path: '/caseload-moves',
    summary: "A team's caseload moves, newest first, with how far each has got",
    roles: ['team-lead', 'service-manager', 'admin'],
    teamScoped: true,
    query: ['team'],
    responses: {
      200: json('{teamId, items: CaseloadMoveProgress[]}', responses.caseloadMoves),
      400: 'no team given',
      403: 'not your team',
      404: 'no such team',
    },
    handler: async (ctx, deps) => {
      const asked = teamAsked(ctx, deps);
      if ('response' in asked) return asked.response;
      return ctx.json({ teamId: asked.teamId, items: await deps.read.caseloadMoves(asked.teamId) });
    },
  },
];
