/**
 * Reports for people outside the team: the quarterly PDF for commissioners. It is always built
 * from figures with small numbers hidden, whoever downloads it, because it is made to be sent on.
 */
import { z } from 'zod';
import { withSmallNumbersSuppressed } from '../../domain/metrics.js';
import { lastCompleteQuarter, reportingQuarter } from '../../domain/reportingQuarter.js';
import { metricsFor } from '../evaluation.js';
import { quarterlyReportPdf } from '../quarterlyReport.js';
import { canSeeTeam, problem, type Route } from './shared.js';

export const reportRoutes: Route[] = [
  {
    method: 'GET',
    path: '/reports/quarterly',
    summary: "A programme's quarterly report for commissioners (PDF)",
    roles: ['team-lead', 'service-manager', 'admin'],
    teamScoped: true,
    query: ['programme', 'team', 'quarter'],
    responses: {
      200: {
        description: 'The report: a tagged PDF, small numbers hidden',
        contentType: 'application/pdf',
        schema: z.string().describe('PDF'),
      },
      400: 'no programme, or a quarter not named like 2026-27-Q1',
      403: 'none of its teams is yours',
      404: 'no such programme, or no such team in it',
    },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const q = ctx.req.query();
      if (!q.programme) return problem(ctx, 400, 'Invalid request', 'Say which programme: ?programme=<id>.');
      const programme = deps.programmes.find((p) => p.id === q.programme);
      if (!programme) return problem(ctx, 404, 'Not found', `No programme ${q.programme}.`);
      const quarter = q.quarter ? reportingQuarter(q.quarter) : lastCompleteQuarter(deps.now());
      if (!quarter)
        return problem(
          ctx,
          400,
          'Invalid request',
          `${q.quarter} is not a quarter: name one like 2026-27-Q1 (the financial year, then Q1 April to June … Q4 January to March).`,
        );
      if (quarter.from >= deps.now())
        return problem(ctx, 400, 'Invalid request', `${quarter.label} has not begun; there is nothing to report.`);
      const asked = programme.teams.filter((t) => !q.team || t.id === q.team);
      if (asked.length === 0) return problem(ctx, 404, 'Not found', `No team ${q.team} in ${programme.name}.`);
      // Of those, the teams this caller may see: a team lead's report is of their own teams.
      const teams = asked.filter((t) => canSeeTeam(caller, t.id));
      if (teams.length === 0) return problem(ctx, 403, 'Forbidden', `None of the teams asked for is yours.`);
      const metrics = await metricsFor(deps.read, {
        programmes: [programme],
        teamIds: teams.map((t) => t.id),
        programmeId: programme.id,
        from: quarter.from,
        to: quarter.to,
      });
      const below = Math.max(deps.smallNumbersBelow ?? 5, 1);
      const pdf = await quarterlyReportPdf({
        programme: { id: programme.id, name: programme.name },
        teams: teams.map((t) => ({ id: t.id, name: t.name ?? t.id })),
        quarter,
        metrics: withSmallNumbersSuppressed(metrics, below),
        smallNumbersBelow: below,
        generatedAt: deps.now(),
      });
      return ctx.body(new Uint8Array(pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${programme.id}${q.team ? `-${q.team}` : ''}-${quarter.id}.pdf"`,
      });
    },
  },
];
