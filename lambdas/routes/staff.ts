/**
 * The staff directory (activities/staffDirectory.ts), read by the team and managed here: an
 * administrator adds people, changes their roles, teams and capacity, and records that someone
 * left; a team lead (or an administrator) records an absence and who covers it. Journeys never
 * hold any of this: they ask the directory when they notify or assign (domain/staff.ts).
 */
import type { z } from 'zod';
import { StaffDirectoryError } from '../../activities/staffDirectory.js';
import { absenceSchema, staffIdSchema, staffMemberSchema, type StaffMember } from '../../domain/staff.js';
import type { Caller } from '../auth.js';
import { responses } from '../responses.js';
import { json, problem, STAFF, teamAsked, validationProblem, type Ctx, type Route, type RouteDeps } from './shared.js';

async function bodyOf<T extends z.ZodType>(ctx: Ctx, schema: T) {
  const body: unknown = await ctx.req.json().catch(() => undefined);
  return schema.safeParse(body);
}

/** The person named in the path, or the problem that answers a bad id. */
function staffIdOf(ctx: Ctx): { id: string } | { response: Response } {
  const parsed = staffIdSchema.safeParse(ctx.req.param('staffId'));
  return parsed.success
    ? { id: parsed.data }
    : { response: problem(ctx, 400, 'Invalid request', 'staffId: letters, digits and . _ @ - only.') };
}

const directoryProblem = (ctx: Ctx, error: unknown) => {
  if (!(error instanceof StaffDirectoryError)) throw error;
  return error.kind === 'not-found'
    ? problem(ctx, 404, 'Not found', error.message)
    : problem(ctx, 422, 'Unprocessable', error.message, { errors: [{ path: 'coverId', message: error.message }] });
};

/** A team lead manages absences in their own teams only; an administrator in any. */
const mayManage = (caller: Caller, person: StaffMember) =>
  caller.role === 'admin' || person.teams.some((t) => caller.teams.includes(t));

async function personFor(
  ctx: Ctx,
  deps: RouteDeps,
  id: string,
): Promise<{ person: StaffMember } | { response: Response }> {
  const person = await deps.read.staff.member(id);
  if (!person) return { response: problem(ctx, 404, 'Not found', `No one in the directory is ${id}.`) };
  if (!mayManage(ctx.get('caller'), person))
    return { response: problem(ctx, 403, 'Forbidden', `${id} works in none of your teams.`) };
  return { person };
}

export const staffRoutes: Route[] = [
  {
    method: 'GET',
    path: '/staff',
    summary:
      "A team's staff now: each person's roles and capacity, and their absences (current and to come) with cover",
    roles: STAFF,
    teamScoped: true,
    query: ['team'],
    responses: {
      200: json('{teamId, items[{staffId, name, roles, maxCaseload?, away?, absences[]}]}', responses.teamStaff),
      400: 'no team given',
      403: 'not your team',
      404: 'no such team',
    },
    handler: async (ctx, deps) => {
      const asked = teamAsked(ctx, deps);
      if ('response' in asked) return asked.response;
      const { teamId } = asked;
      const now = deps.now().getTime();
      const [view, absences] = await Promise.all([
        deps.read.staff.teamView(teamId, now),
        deps.read.staff.teamAbsences(teamId, now),
      ]);
      const items = view.members
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((m) => {
          const away = view.away.get(m.staffId);
          return {
            ...m,
            ...(away ? { away } : {}),
            absences: absences.filter((a) => a.staffId === m.staffId).sort((a, b) => a.from.localeCompare(b.from)),
          };
        });
      return ctx.json({ teamId, items });
    },
  },
  {
    method: 'PUT',
    path: '/staff/{staffId}',
    summary:
      'Adds a person to the directory, or changes their name, email, roles, teams or capacity (a leaver put again has rejoined)',
    roles: ['admin'],
    body: [{ contentType: 'application/json', schema: staffMemberSchema }],
    responses: {
      200: json('the person as the directory now holds them', responses.staffMember),
      400: 'invalid person',
      422: 'a team no programme has',
    },
    handler: async (ctx, deps) => {
      const id = staffIdOf(ctx);
      if ('response' in id) return id.response;
      const parsed = await bodyOf(ctx, staffMemberSchema);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      // A team the programmes do not have would be a membership no journey ever asks about.
      const known = new Set(deps.programmes.flatMap((p) => p.teams.map((t) => t.id)));
      const unknown = parsed.data.teams.filter((t) => !known.has(t));
      if (unknown.length)
        return problem(ctx, 422, 'Unprocessable', `teams: no programme has ${unknown.join(', ')}.`, {
          errors: [{ path: 'teams', message: `no programme has ${unknown.join(', ')}` }],
        });
      return ctx.json(await deps.read.staff.putMember(id.id, parsed.data, ctx.get('caller').sub, deps.now()));
    },
  },
  {
    method: 'POST',
    path: '/staff/{staffId}/left',
    summary: 'Records that a person left: from now nothing reaches them and no journey is given to them',
    roles: ['admin'],
    responses: {
      200: json('the person, with leftAt', responses.staffMember),
      400: 'not a staff id',
      404: 'no such person',
    },
    handler: async (ctx, deps) => {
      const id = staffIdOf(ctx);
      if ('response' in id) return id.response;
      try {
        return ctx.json(await deps.read.staff.markLeft(id.id, ctx.get('caller').sub, deps.now()));
      } catch (error) {
        return directoryProblem(ctx, error);
      }
    },
  },
  {
    method: 'POST',
    path: '/staff/{staffId}/absences',
    summary:
      "Records a period away (from, to) and who covers; meanwhile the person's notifications go to the cover, or to the team's leads",
    roles: ['team-lead', 'admin'],
    body: [{ contentType: 'application/json', schema: absenceSchema }],
    responses: {
      201: json('the absence', responses.absence),
      400: 'invalid absence',
      403: 'the person works in none of your teams',
      404: 'no such person',
      422: 'the cover does not work in any of their teams',
    },
    handler: async (ctx, deps) => {
      const id = staffIdOf(ctx);
      if ('response' in id) return id.response;
      const parsed = await bodyOf(ctx, absenceSchema);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const found = await personFor(ctx, deps, id.id);
      if ('response' in found) return found.response;
      try {
        return ctx.json(await deps.read.staff.addAbsence(id.id, parsed.data, ctx.get('caller').sub, deps.now()), 201);
      } catch (error) {
        return directoryProblem(ctx, error);
      }
    },
  },
  {
    method: 'DELETE',
    path: '/staff/{staffId}/absences/{absenceId}',
    summary: 'Takes an absence back',
    roles: ['team-lead', 'admin'],
    responses: {
      204: 'taken back',
      400: 'not a staff id',
      403: 'the person works in none of your teams',
      404: 'no such absence',
    },
    handler: async (ctx, deps) => {
      const id = staffIdOf(ctx);
      if ('response' in id) return id.response;
      const found = await personFor(ctx, deps, id.id);
      if ('response' in found) return found.response;
      try {
        await deps.read.staff.cancelAbsence(id.id, ctx.req.param('absenceId') ?? '');
        return ctx.body(null, 204);
      } catch (error) {
        return directoryProblem(ctx, error);
      }
    },
  },
];
