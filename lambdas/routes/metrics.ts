/**
 * Evaluation metrics per programme, team and period, with each co-ordinator's caseload.
 */
import { withSmallNumbersSuppressed } from '../../domain/metrics.js';
import { metricsFor } from '../evaluation.js';
import { responses } from '../responses.js';
import { canSeeTeam, periodAsked, json, problem, TEAM_SCOPED, type Route } from './shared.js';

export const metricsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Evaluation metrics per programme, team and period',
    roles: ['team-lead', 'service-manager', 'ops', 'admin'],
    teamScoped: true,
    query: ['programme', 'team', 'from', 'to'],
    responses: {
      200: json('metrics', responses.metrics),
      400: 'bad period',
      403: 'not your team',
      404: 'no such programme or team',
    },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const q = ctx.req.query();
      const period = periodAsked(ctx, deps.now(), 30);
      if (period instanceof Response) return period;
      const { from, to } = period;
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
      const computed = await metricsFor(deps.read, {
        programmes: scope,
        teamIds,
        ...(q.programme ? { programmeId: q.programme } : {}),
        from,
        to,
      });
      // A team's own lead sees its counts as they are; everyone else (a service manager, ops, an
      // administrator) sees small ones as "<5", which cannot point at a person.
      const below = deps.smallNumbersBelow ?? 5;
      const ownTeams = TEAM_SCOPED.includes(caller.role) && teamIds.every((t) => caller.teams.includes(t));
      return ctx.json({
        programme: q.programme ?? null,
        teams: teamIds,
        ...(ownTeams || below <= 1 ? computed : withSmallNumbersSuppressed(computed, below)),
        ...(ownTeams || below <= 1 ? {} : { smallNumbersBelow: below }),
        caseload: caseload.flat(),
      });
    },
  },
];
