/**
 * The directory: the configured programmes and their teams, and each team's caseload against
 * its co-ordinators' capacity.
 */
import { programmeDirectory } from '../directory.js';
import { responses } from '../responses.js';
import { json, STAFF, teamAsked, type Route } from './shared.js';

/** How far back the Team page lists alerts that reached no one: long enough to be seen after leave. */
const UNROUTED_SHOWN_MS = 30 * 86_400_000;

export const programmeRoutes: Route[] = [
  {
    method: 'GET',
    path: '/programmes',
    summary: 'The configured programmes, their teams, co-ordinators (with capacity), leads and service managers',
    // Referrers too: the referral form offers the programmes, and "My referrals" names them.
    roles: [...STAFF, 'referrer'],
    responses: { 200: json('{items: Programme[]}', responses.programmes) },
    handler: (ctx, deps) => ctx.json({ items: programmeDirectory(deps.programmes) }),
  },
  {
    method: 'GET',
    path: '/caseloads',
    summary:
      "A team's caseload per co-ordinator against capacity (the staff directory's co-ordinators now), with who is away",
    roles: STAFF,
    teamScoped: true,
    query: ['team'],
    responses: {
      200: json(
        '{teamId, items[{coordinatorId, name, caseload, capacity, away?}], unrouted[alerts of the last 30 days that reached no one]}',
        responses.caseloads,
      ),
      400: 'no team given',
      403: 'not your team',
      404: 'no such team',
    },
    handler: async (ctx, deps) => {
      const asked = teamAsked(ctx, deps);
      if ('response' in asked) return asked.response;
      const { teamId } = asked;
      const team = deps.programmes.flatMap((p) => p.teams).find((t) => t.id === teamId)!;
      const now = deps.now();
      const [loads, staff, unrouted] = await Promise.all([
        deps.read.caseloads(teamId),
        deps.read.staff.teamView(teamId, now.getTime()),
        deps.read.unrouted(teamId, new Date(now.getTime() - UNROUTED_SHOWN_MS)),
      ]);
      const counts = new Map(loads.map((c) => [c.coordinatorId, c.count]));
      // The staff directory's co-ordinators now (the programme file's while it does not know the team).
      const coordinators = staff.members.length
        ? staff.members
            .filter((m) => !m.leftAt && m.roles.includes('coordinator') && m.teams.includes(teamId))
            .map((m) => ({ id: m.staffId, name: m.name, maxCaseload: m.maxCaseload ?? 0 }))
        : team.coordinators;
      return ctx.json({
        teamId,
        items: coordinators.map((c) => {
          const away = staff.away.get(c.id);
          return {
            coordinatorId: c.id,
            name: c.name,
            caseload: counts.get(c.id) ?? 0,
            capacity: c.maxCaseload,
            ...(away ? { away: { until: away.to, ...(away.coverId ? { coverId: away.coverId } : {}) } } : {}),
          };
        }),
        unrouted: unrouted.map((n) => ({
          notificationId: n.id,
          journeyId: n.journeyId,
          kind: n.kind,
          level: n.level,
          deadline: n.deadline,
          message: n.message,
          createdAt: n.createdAt,
        })),
      });
    },
  },
];
