/**
 * Reports for people outside the team:
 * - the quarterly PDF for commissioners, always built from figures with small numbers hidden,
 *   whoever downloads it, because it is made to be sent on;
 * - the outcome measures as a CSV for analysts: one row per scale of each measure, named by
 *   journey id (pseudonymous: no name, NHS number or date of birth), so an analyst can follow a
 *   person's scores and do their own statistics. Row-level data, so for the team's own lead, the
 *   service manager and an administrator only, never published (docs/security/information-governance.md).
 */
import { z } from 'zod';
import { withSmallNumbersSuppressed, type AuditEvent } from '../../domain/metrics.js';
import { instrumentOf, type Programme } from '../../domain/programme.js';
import { lastCompleteQuarter, reportingQuarter } from '../../domain/reportingQuarter.js';
import { metricsFor } from '../evaluation.js';
import { quarterlyReportPdf } from '../quarterlyReport.js';
import { canSeeTeam, periodAsked, problem, type Ctx, type Route, type RouteDeps } from './shared.js';

/**
 * The programme a report is of, and the teams in it the caller may see (one, where `team` names
 * it): a team lead's report is of their own teams. Or the problem that answers the request.
 */
function programmeTeams(ctx: Ctx, deps: RouteDeps): { programme: Programme; teams: Programme['teams'] } | Response {
  const caller = ctx.get('caller');
  const q = ctx.req.query();
  if (!q.programme) return problem(ctx, 400, 'Invalid request', 'Say which programme: ?programme=<id>.');
  const programme = deps.programmes.find((p) => p.id === q.programme);
  if (!programme) return problem(ctx, 404, 'Not found', `No programme ${q.programme}.`);
  const asked = programme.teams.filter((t) => !q.team || t.id === q.team);
  if (asked.length === 0) return problem(ctx, 404, 'Not found', `No team ${q.team} in ${programme.name}.`);
  const teams = asked.filter((t) => canSeeTeam(caller, t.id));
  if (teams.length === 0) return problem(ctx, 403, 'Forbidden', 'None of the teams asked for is yours.');
  return { programme, teams };
}

/** What a report's file is called: the programme, the team if one was asked for, and what it holds. */
const fileName = (ctx: Ctx, programme: Programme, what: string) =>
  `attachment; filename="${programme.id}${ctx.req.query('team') ? `-${ctx.req.query('team')}` : ''}-${what}"`;

export const MEASURES_CSV_COLUMNS = [
  'journey_id',
  'programme',
  'team',
  'instrument',
  'scale',
  'occasion',
  'recorded_at',
  'score',
  'band',
  'higher_is',
  'baseline_score',
  'days_since_baseline',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe, so opening
 * the file runs nothing (OWASP's advice on CSV injection); numbers are written as numbers.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rows of the measures recorded in `events`, less those entered in error, oldest first. */
export function measureRows(
  events: AuditEvent[],
  programmes: RouteDeps['programmes'],
  enteredInError: ReadonlyMap<string, ReadonlySet<number>>,
): (string | number | null)[][] {
  return events
    .filter((e) => e.type === 'measure.recorded' && !enteredInError.get(e.journeyId)?.has(e.seq))
    .sort((a, b) => a.at.localeCompare(b.at) || a.journeyId.localeCompare(b.journeyId))
    .flatMap((e) => {
      const d = e.data ?? {};
      const programme = programmes.find((p) => p.id === e.programmeId);
      const instrument = programme && instrumentOf(programme, String(d.instrument));
      if (!instrument) return [];
      return instrument.scales
        .filter((scale) => typeof d[`score.${scale.id}`] === 'number')
        .map((scale) => {
          const score = d[`score.${scale.id}`] as number;
          const band = [...(scale.bands ?? [])].reverse().find((b) => score >= b.from)?.label ?? null;
          // A baseline entered in error is no baseline: the row is left unpaired, as evaluation leaves it (HAZ-39).
          const unpaired = typeof d.baselineSeq === 'number' && enteredInError.get(e.journeyId)?.has(d.baselineSeq);
          const baseline = unpaired ? null : d[`baseline.${scale.id}`];
          return [
            e.journeyId,
            e.programmeId,
            e.teamId,
            instrument.id,
            scale.id,
            String(d.occasion),
            String(d.at ?? e.at),
            score,
            band,
            scale.higherIs,
            typeof baseline === 'number' ? baseline : d.occasion === 'baseline' ? score : null,
            !unpaired && typeof d.daysSinceBaseline === 'number'
              ? d.daysSinceBaseline
              : d.occasion === 'baseline'
                ? 0
                : null,
          ];
        });
    });
}

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
      const scope = programmeTeams(ctx, deps);
      if (scope instanceof Response) return scope;
      const { programme, teams } = scope;
      const q = ctx.req.query();
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
        'content-disposition': fileName(ctx, programme, `${quarter.id}.pdf`),
      });
    },
  },
  {
    method: 'GET',
    path: '/reports/measures.csv',
    summary: "A programme's outcome measures as CSV for analysts, one row per scale of each measure",
    roles: ['team-lead', 'service-manager', 'admin'],
    teamScoped: true,
    query: ['programme', 'team', 'from', 'to'],
    responses: {
      200: {
        description: `CSV (RFC 4180) with a header row: ${MEASURES_CSV_COLUMNS.join(', ')}`,
        contentType: 'text/csv',
        schema: z.string().describe('CSV'),
      },
      400: 'no programme, or a bad period',
      403: 'none of its teams is yours',
      404: 'no such programme, or no such team in it',
    },
    handler: async (ctx, deps) => {
      const period = periodAsked(ctx, deps.now(), 365);
      if (period instanceof Response) return period;
      const { from, to } = period;
      const scope = programmeTeams(ctx, deps);
      if (scope instanceof Response) return scope;
      const { programme, teams } = scope;
      const events = (await Promise.all(teams.map((t) => deps.read.eventsOfTeam(t.id, from, to))))
        .flat()
        .filter((e) => e.programmeId === programme.id && e.type === 'measure.recorded');
      const marks =
        events.length > 0 ? await deps.read.entriesInErrorOf([...new Set(events.map((e) => e.journeyId))]) : new Map();
      const lines = [MEASURES_CSV_COLUMNS, ...measureRows(events, [programme], marks)].map((row) =>
        row.map(csvField).join(','),
      );
      return ctx.body(`${lines.join('\r\n')}\r\n`, 200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': fileName(ctx, programme, 'measures.csv'),
      });
    },
  },
];
