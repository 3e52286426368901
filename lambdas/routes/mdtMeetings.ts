/**
 * A team's MDT meetings (issue 21; domain/mdtMeetings.ts): recorded by the team's co-ordinators
 * and leads, read by the team. Recording a meeting keeps it in DynamoDB as entered
 * (activities/mdtMeetings.ts), then tells each journey discussed (`mdt-discussion`), which opens a
 * deadline per action with its ladder to the action's owner; where the programme says whoever
 * presents a case becomes its co-ordinator, each journey is then reassigned to its presenter by
 * the reassign command, as a lead's reassignment is, so caseloads and notifications follow.
 *
 * Everything is checked before anything is kept or sent: an attendee, presenter or owner not in
 * the directory (or gone), a journey not in the team or closed, an action due in the past, a
 * presenter who is not a co-ordinator of the team or has no room — each is problem+json and
 * nothing changes (HAZ-35, HAZ-36).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { parseJourneyId } from '../../domain/journeyIds.js';
import { checkCommand, type CommandOutcome } from '../../domain/journeyCommands.js';
import { londonDate } from '../../domain/londonTime.js';
import {
  mdtAmendmentSchema,
  mdtMeetingSchema,
  presenterBecomes,
  type MdtAmendment,
  type MdtMeeting,
  type MdtMeetingInput,
} from '../../domain/mdtMeetings.js';
import { stateOf } from '../../domain/record.js';
import type { StaffMember } from '../../domain/staff.js';
import type { JourneyState } from '../../domain/journey.js';
import type { MdtMeetingRead } from '../../activities/mdtMeetings.js';
import { responses } from '../responses.js';
import { untilRecorded } from './recorded.js';
import { canSeeTeam, json, problem, STAFF, validationProblem, type Ctx, type Route, type RouteDeps } from './shared.js';

const IDEMPOTENCY_KEY = /^[\w.:-]{1,100}$/;
const RECORD_ROUTE = 'POST /teams/{teamId}/mdt-meetings';

/** The team in the path: one the programmes have, and the caller's. */
function teamOf(ctx: Ctx, deps: RouteDeps): { teamId: string } | { response: Response } {
  const teamId = ctx.req.param('teamId') ?? '';
  if (!deps.programmes.some((p) => p.teams.some((t) => t.id === teamId)))
    return { response: problem(ctx, 404, 'Not found', `No team ${teamId.slice(0, 100)}.`) };
  if (!canSeeTeam(ctx.get('caller'), teamId))
    return { response: problem(ctx, 403, 'Forbidden', `You are not in team ${teamId}.`) };
  return { teamId };
}

const programmeOf = (deps: RouteDeps, journeyId: string) =>
  deps.programmes.find((p) => journeyId.startsWith(`${p.id}.`));

/** The meeting in the path, in the team in the path, or the problem that answers (403, 404). */
async function meetingFor(ctx: Ctx, deps: RouteDeps): Promise<MdtMeetingRead | { response: Response }> {
  const team = teamOf(ctx, deps);
  if ('response' in team) return team;
  const meetingId = ctx.req.param('meetingId') ?? '';
  const found = /^[A-Za-z0-9-]{1,64}$/.test(meetingId)
    ? await deps.read.mdt.meeting(team.teamId, meetingId)
    : undefined;
  return (
    found ?? {
      response: problem(ctx, 404, 'Not found', `No meeting ${meetingId.slice(0, 64)} in team ${team.teamId}.`),
    }
  );
}

interface FieldError {
  path: string;
  message: string;
}
const unprocessable = (ctx: Ctx, errors: FieldError[]) =>
  problem(ctx, 422, 'Unprocessable', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

async function bodyOf<T extends z.ZodType>(ctx: Ctx, schema: T) {
  return schema.safeParse(await ctx.req.json().catch(() => undefined));
}

/** Why a journey refused, as HTTP statuses (as lambdas/routes/journeys.ts answers a command). */
const refusalStatus = (r: Extract<CommandOutcome, { ok: false }>) =>
  r.type === 'not-found' ? 422 : r.type === 'phase' || r.type === 'capacity' ? 409 : 422;

/** The people the meeting names, checked against the directory: who is not there (or has left). */
async function staffProblems(
  deps: RouteDeps,
  teamId: string,
  input: MdtMeetingInput,
): Promise<{ errors: FieldError[]; people: Map<string, StaffMember> }> {
  const ids = new Set([
    ...input.attendees,
    ...input.discussed.flatMap((d) => [d.presenterId, ...d.actions.map((a) => a.ownerId)]),
  ]);
  const found = await Promise.all([...ids].map(async (id) => [id, await deps.read.staff.member(id)] as const));
  const people = new Map(found.flatMap(([id, m]) => (m ? [[id, m] as const] : [])));
  const errors: FieldError[] = [];
  /** Why `id` cannot be named: not in the directory, or gone by `day` (any day at all, when none). */
  const current = (id: string, day?: string) => {
    const m = people.get(id);
    if (!m) return `${id} is not in the staff directory`;
    if (m.leftAt && (!day || londonDate(Date.parse(m.leftAt)) <= day)) return `${id} left on ${m.leftAt.slice(0, 10)}`;
    return undefined;
  };
  // Someone who attended and has left since is still an attendee: a meeting may be recorded late.
  input.attendees.forEach((id, i) => {
    const why = current(id, input.heldOn);
    if (why) errors.push({ path: `attendees.${i}`, message: why });
  });
  input.discussed.forEach((d, i) =>
    d.actions.forEach((a, k) => {
      // An action's reminders reach its owner through the team's directory: an owner outside the
      // team would be reminded by no one, and an owner who has left never could be (HAZ-35).
      const why =
        current(a.ownerId) ??
        (people.get(a.ownerId)!.teams.includes(teamId) ? undefined : `${a.ownerId} is not in team ${teamId}`);
      if (why) errors.push({ path: `discussed.${i}.actions.${k}.ownerId`, message: why });
    }),
  );
  return { errors, people };
}

interface Plan {
  journeyId: string;
  command: Record<string, unknown>;
  /** The presenter the journey is reassigned to, when the programme says so and they are not its co-ordinator. */
  reassignTo?: string;
}

/**
 * Each journey discussed, read from the record (and the read logged, as any read of a journey is)
 * and checked: in the team, open, taking the discussion and, where it applies, the reassignment.
 */
async function planJourneys(
  ctx: Ctx,
  deps: RouteDeps,
  teamId: string,
  meetingId: string,
  input: MdtMeetingInput,
  people: Map<string, StaffMember>,
): Promise<{ plans: Plan[] } | { response: Response }> {
  const caller = ctx.get('caller');
  const by = { sub: caller.sub, role: caller.role };
  const now = deps.now();
  const read = await Promise.all(
    input.discussed.map(async (d) => {
      // Not the shape of a journey id: nothing to look up, and no person's record read.
      const ids = parseJourneyId(d.journeyId);
      if (!ids) return undefined;
      const patientId = ids.workflowId.slice(ids.workflowId.lastIndexOf('.') + 1);
      const [recorded] = await Promise.all([
        deps.read.recordedJourney(d.journeyId),
        deps.read.recordAccess({
          patientId,
          journeyId: d.journeyId,
          by: caller.sub,
          role: caller.role,
          route: RECORD_ROUTE,
          outcome: 'requested',
          at: now.toISOString(),
        }),
      ]);
      return recorded;
    }),
  );
  const errors: FieldError[] = [];
  const refusedReads: { patientId: string; journeyId: string }[] = [];
  const plans: Plan[] = [];
  let conflict: string | undefined;
  // Places each presenter takes in this meeting, on top of the caseload they hold.
  const taking = new Map<string, number>();
  input.discussed.forEach((d, i) => {
    const recorded = read[i];
    const path = `discussed.${i}.journeyId`;
    if (!recorded || recorded.snapshot.teamId !== teamId) {
      // Another team's journey: its read is logged as refused, as any refused read of a journey is.
      if (recorded) refusedReads.push({ patientId: recorded.snapshot.patientId, journeyId: d.journeyId });
      errors.push({ path, message: `no journey ${d.journeyId.slice(0, 200)} in team ${teamId}` });
      return;
    }
    const s: JourneyState = stateOf(recorded.snapshot);
    const command = {
      meetingId,
      heldOn: input.heldOn,
      presenterId: d.presenterId,
      decision: d.decision,
      actions: d.actions,
      by,
    };
    const checked = checkCommand(s, 'mdt-discussion', command, now.getTime());
    if ('rejected' in checked) {
      if (refusalStatus(checked.rejected) === 409) conflict ??= `${d.journeyId}: ${checked.rejected.message}`;
      else errors.push({ path, message: checked.rejected.message });
      return;
    }
    const reassignTo = presenterBecomes(programmeOf(deps, d.journeyId), s.coordinatorId, d.presenterId);
    if (reassignTo) {
      const presenter = people.get(reassignTo);
      if (!presenter?.roles.includes('coordinator') || !presenter.teams.includes(teamId)) {
        errors.push({
          path: `discussed.${i}.presenterId`,
          message: `${reassignTo} presented, and so would become the co-ordinator, but is not a co-ordinator in team ${teamId}`,
        });
        return;
      }
      const reassign = checkCommand(s, 'reassign', { coordinatorId: reassignTo, by }, now.getTime());
      if ('rejected' in reassign) {
        if (refusalStatus(reassign.rejected) === 409) conflict ??= `${d.journeyId}: ${reassign.rejected.message}`;
        else errors.push({ path: `discussed.${i}.presenterId`, message: reassign.rejected.message });
        return;
      }
      taking.set(reassignTo, (taking.get(reassignTo) ?? 0) + 1);
    }
    plans.push({ journeyId: d.journeyId, command: checked.command as Record<string, unknown>, reassignTo });
  });
  await Promise.all(
    refusedReads.map((r) =>
      deps.read.recordAccess({
        ...r,
        by: caller.sub,
        role: caller.role,
        route: RECORD_ROUTE,
        outcome: 'refused',
        at: now.toISOString(),
      }),
    ),
  );
  if (errors.length > 0) return { response: unprocessable(ctx, errors) };
  if (conflict) return { response: problem(ctx, 409, 'Conflict', conflict) };
  // Room in each presenter's caseload, as the caseload store counts it (HAZ-36).
  if (taking.size > 0) {
    const held = new Map((await deps.read.caseloads(teamId)).map((c) => [c.coordinatorId, c.count]));
    for (const [id, places] of taking) {
      const max = people.get(id)?.maxCaseload ?? 0;
      const after = (held.get(id) ?? 0) + places;
      if (after > max)
        return {
          response: problem(
            ctx,
            409,
            'No capacity',
            `${id} presented ${places} case${places === 1 ? '' : 's'} and would become co-ordinator, but holds ${held.get(id) ?? 0} of at most ${max}: another co-ordinator must present, or the lead raise ${id}'s capacity.`,
          ),
        };
    }
  }
  return { plans };
}

/** What became of each journey once the meeting was kept: discussed, and reassigned where it applies. */
interface JourneyOutcome {
  journeyId: string;
  discussed: 'recorded' | 'not-confirmed' | 'refused';
  reassignedTo?: string;
  reassignment?: 'recorded' | 'not-confirmed' | 'refused';
  message?: string;
}

async function tell(deps: RouteDeps, meetingId: string, plan: Plan, by: object): Promise<JourneyOutcome> {
  let revision = 0;
  const send = async (type: 'mdt-discussion' | 'reassign', command: unknown, commandId: string) => {
    // As a journey's own command is: a repeat gets the first answer; a journey no worker runs is sent nothing.
    const earlier = await deps.gateway.outcome(plan.journeyId, commandId).catch(() => undefined);
    const result =
      earlier ?? (await deps.gateway.command(plan.journeyId, type, command, commandId).catch(() => undefined));
    if (!result) return { status: 'not-confirmed' as const };
    if (result.ok) revision = Math.max(revision, result.revision);
    return result.ok ? { status: 'recorded' as const } : { status: 'refused' as const, message: result.message };
  };
  const discussed = await send('mdt-discussion', plan.command, `mdt:${meetingId}:discussed`);
  let out: JourneyOutcome = {
    journeyId: plan.journeyId,
    discussed: discussed.status,
    ...(discussed.message ? { message: discussed.message } : {}),
  };
  if (plan.reassignTo && discussed.status !== 'refused') {
    const reassigned = await send('reassign', { coordinatorId: plan.reassignTo, by }, `mdt:${meetingId}:presenter`);
    out = {
      ...out,
      reassignedTo: plan.reassignTo,
      reassignment: reassigned.status,
      ...(reassigned.message ? { message: reassigned.message } : {}),
    };
  }
  // Answered once the record has it, so that whoever recorded the meeting reads each journey as it now is.
  if (revision > 0)
    await untilRecorded(
      () => deps.read.recordedSoFar(plan.journeyId),
      (r) => r.revision >= revision,
    );
  return out;
}

/**
 * The meeting sent again (after a timeout): each journey is told again as first entered. One that
 * had it answers with its first outcome and changes nothing; one whose worker was down gets it now,
 * so a decision kept in the meeting is never missing from the journey's record (HAZ-37).
 */
async function retell(ctx: Ctx, deps: RouteDeps, meeting: MdtMeeting): Promise<JourneyOutcome[]> {
  const caller = ctx.get('caller');
  const by = { sub: caller.sub, role: caller.role };
  return Promise.all(
    meeting.discussed.map(async (d) => {
      const recorded = await deps.read.recordedJourney(d.journeyId);
      const coordinatorId = recorded?.snapshot.coordinatorId ?? null;
      const command = {
        meetingId: meeting.meetingId,
        heldOn: meeting.heldOn,
        presenterId: d.presenterId,
        decision: d.decision,
        actions: d.actions,
        by,
      };
      const reassignTo = presenterBecomes(programmeOf(deps, d.journeyId), coordinatorId, d.presenterId);
      return tell(deps, meeting.meetingId, { journeyId: d.journeyId, command, reassignTo }, by);
    }),
  );
}

export const mdtMeetingRoutes: Route[] = [
  {
    method: 'POST',
    path: '/teams/{teamId}/mdt-meetings',
    summary:
      "Record an MDT meeting: attendees, each journey discussed with its presenter, decision and actions (each with an owner and a due date, chased up the ladder to that owner). Where the programme says so, each journey's presenter becomes its co-ordinator",
    roles: ['coordinator', 'team-lead'],
    teamScoped: true,
    body: [{ contentType: 'application/json', schema: mdtMeetingSchema }],
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Names the meeting, so that sending it again (after a timeout) answers the meeting already kept, tells any journey that missed it, and tells no journey twice.',
        pattern: IDEMPOTENCY_KEY.source,
      },
    ],
    responses: {
      200: json(
        'the same meeting sent again with its Idempotency-Key: the meeting kept, and each journey told again (a journey that had it changes nothing)',
        responses.mdtMeetingRecorded,
      ),
      201: json('the meeting as kept, and what became of each journey', responses.mdtMeetingRecorded),
      403: 'not your team',
      404: 'no such team',
      409: 'a journey cannot take it now (closed, being reassigned), or a presenter has no room in their caseload; nothing kept',
      422: 'an attendee, presenter or owner not in the directory (or gone), an owner outside the team, a journey not in the team, an action due in the past, or a presenter who cannot be co-ordinator; nothing kept',
    },
    handler: async (ctx, deps) => {
      const team = teamOf(ctx, deps);
      if ('response' in team) return team.response;
      const { teamId } = team;
      const parsed = await bodyOf(ctx, mdtMeetingSchema);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const input = parsed.data;
      const key = ctx.req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
        return problem(ctx, 400, 'Bad request', 'Idempotency-Key must be 1 to 100 letters, digits, or _ . : -');
      const caller = ctx.get('caller');
      const now = deps.now();
      if (input.heldOn > londonDate(now.getTime()))
        return unprocessable(ctx, [{ path: 'heldOn', message: `a meeting cannot be in the future (${input.heldOn})` }]);
      const meetingId = `${input.heldOn}-${
        key
          ? createHash('sha256').update(`${caller.sub}\n${key}`).digest('hex').slice(0, 16)
          : randomUUID().replace(/-/g, '').slice(0, 16)
      }`;
      if (key) {
        const kept = await deps.read.mdt.meeting(teamId, meetingId);
        if (kept) return ctx.json({ meeting: kept.meeting, journeys: await retell(ctx, deps, kept.meeting) }, 200);
      }
      const { errors, people } = await staffProblems(deps, teamId, input);
      if (errors.length > 0) return unprocessable(ctx, errors);
      const planned = await planJourneys(ctx, deps, teamId, meetingId, input, people);
      if ('response' in planned) return planned.response;
      const meeting: MdtMeeting = {
        ...input,
        meetingId,
        teamId,
        recordedBy: caller.sub,
        recordedAt: now.toISOString(),
      };
      if (!(await deps.read.mdt.record(meeting)))
        return problem(ctx, 409, 'Conflict', `Meeting ${meetingId} is already recorded.`);
      const by = { sub: caller.sub, role: caller.role };
      const journeys = await Promise.all(planned.plans.map((plan) => tell(deps, meetingId, plan, by)));
      return ctx.json({ meeting, journeys }, 201);
    },
  },
  {
    method: 'GET',
    path: '/teams/{teamId}/mdt-meetings',
    summary: "A team's MDT meetings, newest first, each as amended",
    roles: STAFF,
    teamScoped: true,
    responses: { 200: json('{items: MdtMeeting[]}', responses.mdtMeetings), 404: 'no such team' },
    handler: async (ctx, deps) => {
      const team = teamOf(ctx, deps);
      if ('response' in team) return team.response;
      const items = await deps.read.mdt.meetings(team.teamId);
      return ctx.json({ items: items.map((m) => ({ ...m.meeting, amendments: m.amendments })) });
    },
  },
  {
    method: 'GET',
    path: '/teams/{teamId}/mdt-meetings/{meetingId}',
    summary: 'One MDT meeting as amended, with its amendments (the meeting as first entered is kept)',
    roles: STAFF,
    teamScoped: true,
    responses: { 200: json('the meeting', responses.mdtMeeting), 404: 'no such team or meeting' },
    handler: async (ctx, deps) => {
      const found = await meetingFor(ctx, deps);
      if ('response' in found) return found.response;
      return ctx.json({ ...found.meeting, amendments: found.amendments });
    },
  },
  {
    method: 'POST',
    path: '/teams/{teamId}/mdt-meetings/{meetingId}/amendments',
    summary:
      "Correct a meeting's record (attendees, guests, a decision), saying why: kept beside the meeting, which is never overwritten",
    roles: ['coordinator', 'team-lead'],
    teamScoped: true,
    body: [{ contentType: 'application/json', schema: mdtAmendmentSchema }],
    responses: {
      201: json('the meeting as amended, with its amendments', responses.mdtMeeting),
      403: 'not your team',
      404: 'no such team or meeting',
      422: 'an attendee not in the directory, a journey the meeting did not discuss, or nothing to amend; nothing kept',
    },
    handler: async (ctx, deps) => {
      const team = teamOf(ctx, deps);
      if ('response' in team) return team.response;
      const parsed = await bodyOf(ctx, mdtAmendmentSchema);
      if (!parsed.success) return validationProblem(ctx, parsed.error);
      const found = await meetingFor(ctx, deps);
      if ('response' in found) return found.response;
      const { meetingId } = found.meeting;
      const a = parsed.data;
      const errors: FieldError[] = [];
      if (!a.attendees && !a.guests && !a.decisions?.length)
        errors.push({ path: '(body)', message: 'say what to amend: attendees, guests or decisions' });
      const members = await Promise.all((a.attendees ?? []).map((id) => deps.read.staff.member(id)));
      (a.attendees ?? []).forEach((id, i) => {
        if (!members[i]) errors.push({ path: `attendees.${i}`, message: `${id} is not in the staff directory` });
      });
      (a.decisions ?? []).forEach((d, i) => {
        if (!found.meeting.discussed.some((x) => x.journeyId === d.journeyId))
          errors.push({ path: `decisions.${i}.journeyId`, message: `the meeting did not discuss ${d.journeyId}` });
      });
      if (errors.length > 0) return unprocessable(ctx, errors);
      const amendment: MdtAmendment = {
        ...a,
        amendmentId: randomUUID(),
        meetingId,
        by: ctx.get('caller').sub,
        at: deps.now().toISOString(),
      };
      await deps.read.mdt.amend(team.teamId, amendment);
      const now = (await deps.read.mdt.meeting(team.teamId, meetingId))!;
      return ctx.json({ ...now.meeting, amendments: now.amendments }, 201);
    },
  },
];
