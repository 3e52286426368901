/**
 * Journeys: a team's (or co-ordinator's) list, one journey in full or as a FHIR Bundle, and the
 * co-ordinators' and leads' commands, checked here and decided by the journey.
 *
 * Every read comes from the record in DynamoDB, never from Temporal (ADR 0009): a journey reads
 * the same while its worker is down, and years after its workflow history is gone. Temporal is
 * asked only what became of a command.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import * as c from '../../domain/commands.js';
import { parseJourneyId } from '../../domain/journeyIds.js';
import { checkCommand, commandPayloads, type CommandOutcome, type CommandType } from '../../domain/journeyCommands.js';
import { markedInError, stateOf, type EnteredInErrorMark, type JourneySnapshot } from '../../domain/record.js';
import { journeyDetail } from '../../domain/views.js';
import type { Role } from '../auth.js';
import { journeyBundle } from '../fhirExport.js';
import { measuresForExport } from '../measuresFhir.js';
import { JourneyNotAnswering } from '../journeyGateway.js';
import { personViewOf } from '../../domain/person.js';
import { withPeople } from '../people.js';
import { responses } from '../responses.js';
import { untilRecorded } from './recorded.js';
import {
  cursorsOf,
  canSeeTeam,
  isInvalidKey,
  json,
  pageLimit,
  problem,
  STAFF,
  TEAM_SCOPED,
  validationProblem,
  type Ctx,
  type Route,
  type RouteDeps,
} from './shared.js';

/** Why a journey refused a command, as HTTP statuses. */
const failureStatus: Record<string, number> = { phase: 409, 'not-found': 404, invalid: 422, capacity: 409 };
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

function refused(ctx: Ctx, rejection: Extract<CommandOutcome, { ok: false }>) {
  const status = failureStatus[rejection.type] ?? 422;
  return problem(
    ctx,
    status,
    status === 409 ? 'Conflict' : status === 404 ? 'Not found' : 'Unprocessable',
    rejection.message,
  );
}

/**
 * Reads a journey the caller may see from the record, or answers 404/403 for them. A journey
 * recorded before the record kept state has only its summary (`snapshot` undefined).
 *
 * Every request naming a journey is logged in the access log (the one IG leads audit) under
 * `route`, written while the record is read, so that logging costs a read no extra round trip. A
 * request then refused (403, 404) gets a second entry saying so. A request whose log cannot be
 * written is not answered.
 */
export async function journeyFor(
  ctx: Ctx,
  deps: RouteDeps,
  route: string,
): Promise<
  | { response: Response }
  | {
      id: string;
      patientId: string;
      snapshot: JourneySnapshot | undefined;
      enteredInError: EnteredInErrorMark[];
      closed: boolean;
    }
> {
  const id = ctx.req.param('id') ?? '';
  // Not the shape of a journey id: nothing to look up (and no over-long key to send DynamoDB).
  const ids = parseJourneyId(id);
  if (!ids) return { response: problem(ctx, 404, 'Not found', `No journey ${id.slice(0, 200)}.`) };
  // The workflow id is `<programme>.<patient id>` (domain/journeyIds.ts); patient ids have no dot.
  const patientId = ids.workflowId.slice(ids.workflowId.lastIndexOf('.') + 1);
  const caller = ctx.get('caller');
  const log = (outcome: 'requested' | 'refused') =>
    deps.read.recordAccess({
      patientId,
      journeyId: id,
      by: caller.sub,
      role: caller.role,
      route,
      outcome,
      at: deps.now().toISOString(),
    });
  const [recorded] = await Promise.all([deps.read.recordedJourney(id), log('requested')]);
  const summary = recorded ? undefined : await deps.read.getJourney(id);
  // Referred, but not yet recorded (its worker has not run it yet): known, so not a 404.
  const referred = recorded || summary ? undefined : await deps.read.patientJourney(patientId, id);
  const teamId = recorded?.snapshot.teamId ?? summary?.teamId ?? referred?.teamId;
  if (!teamId || !canSeeTeam(caller, teamId)) {
    await log('refused');
    return {
      response: teamId
        ? problem(ctx, 403, 'Forbidden', `Journey ${id} belongs to a team you are not in.`)
        : problem(ctx, 404, 'Not found', `No journey ${id}.`),
    };
  }
  if (referred) {
    ctx.header('retry-after', '5');
    return {
      response: problem(
        ctx,
        503,
        'Not recorded yet',
        `Journey ${id} has its referral but has not recorded it yet (its worker is busy or restarting). Look again shortly.`,
      ),
    };
  }
  return {
    id,
    patientId: recorded?.snapshot.patientId ?? patientId,
    snapshot: recorded?.snapshot,
    enteredInError: recorded?.enteredInError ?? [],
    closed: (recorded?.snapshot.phase ?? summary?.phase) === 'closed',
  };
}

/** The journey view from the record, with its corrections. */
const viewOf = (snapshot: JourneySnapshot, marks: EnteredInErrorMark[], now: number) =>
  markedInError(journeyDetail(stateOf(snapshot), now), marks);

/** A journey as answered: the person named as the caller's role may see them (lambdas/people.ts). */
async function named<T extends object>(ctx: Ctx, deps: RouteDeps, journey: T) {
  const [shown] = await withPeople(deps.read, ctx.get('caller'), [journey], deps.now(), undefined, ctx.get('person'));
  return ctx.json(shown);
}

/**
 * Reads the person a journey is about while the journey itself is read: the pseudonym is in the
 * journey's id, so the read of one journey costs no more time for naming them (bench: read).
 */
function prefetchPerson(ctx: Ctx, deps: RouteDeps): void {
  const ids = parseJourneyId(ctx.req.param('id') ?? '');
  if (!ids || personViewOf(ctx.get('caller').role) === 'none') return;
  const patientId = ids.workflowId.slice(ids.workflowId.lastIndexOf('.') + 1);
  const person = deps.read.getPatient(patientId).then((p) => (p ? new Map([[patientId, p]]) : new Map()));
  person.catch(() => undefined); // awaited (and its error met) by `named`; never left unhandled
  ctx.set('person', person);
}

/**
 * The journey as recorded at `revision` or later: the answer to whoever produced that revision.
 * 503 if the record has not caught up within its wait (the change is made; it shows shortly).
 */
async function detailAtRevision(ctx: Ctx, deps: RouteDeps, found: { id: string }, revision: number) {
  const id = found.id;
  // Polled on the summary's revision (a small read), then the record read once.
  const caughtUp = await untilRecorded(
    () => deps.read.recordedSoFar(id),
    (r) => r.revision >= revision,
  );
  const recorded = caughtUp && (await deps.read.recordedJourney(id));
  if (!recorded) {
    ctx.header('retry-after', '5');
    return problem(
      ctx,
      503,
      'Not recorded yet',
      `Journey ${id} has made your change but has not recorded it yet. Look at the journey in a few seconds; do not send it again.`,
    );
  }
  return named(ctx, deps, viewOf(recorded.snapshot, recorded.enteredInError, deps.now().getTime()));
}

const closedProblem = (ctx: Ctx, id: string) =>
  problem(ctx, 409, 'Journey closed', `Journey ${id} has closed; refer again to open a new episode.`);

/** A co-ordinator's or lead's command: checked against the journey here, decided by the journey. */
function journeyAction(
  path: string,
  summary: string,
  roles: Role[],
  type: CommandType,
  /** The body as documented, when some of the command comes from the path. */
  body: z.ZodType = commandPayloads[type],
  fromPath?: (ctx: Ctx) => Record<string, string>,
  /** What the API itself adds to the command (the programme's current rules). */
  fromServer?: (deps: RouteDeps, journeyId: string) => Record<string, unknown>,
): Route {
  const schema = commandPayloads[type];
  return {
    method: 'POST',
    path: `/journeys/{id}/${path}`,
    summary,
    roles,
    teamScoped: true,
    body: [{ contentType: 'application/json', schema: body }],
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Names the command so that sending it again (after a timeout) returns the first answer and does nothing twice.',
        pattern: IDEMPOTENCY_KEY.source,
      },
    ],
    responses: {
      200: json('the updated journey', responses.journeyDetail),
      400: 'invalid body or Idempotency-Key',
      404: 'no such journey (or action)',
      409: 'does not fit the journey now; nothing changed',
      422: 'refused by the journey; nothing changed',
      503: 'the journey has the command but has not confirmed it yet (its worker is down), or has made the change but not recorded it yet: look before sending it again, or send it with the same Idempotency-Key',
    },
    handler: async (ctx, deps) => {
      const now = deps.now;
      // Who may touch this journey is settled before anything about the request is said.
      const route = `POST /journeys/{id}/${path}`;
      const found = await journeyFor(ctx, deps, route);
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
      const earlier = key ? await deps.gateway.outcome(found.id, commandId) : undefined;
      if (earlier?.ok) return detailAtRevision(ctx, deps, found, earlier.revision);
      if (earlier) return refused(ctx, earlier);
      if (found.closed) return closedProblem(ctx, found.id);
      const command = {
        ...(parsed.data as object),
        ...fromServer?.(deps, found.id),
        by: { sub: caller.sub, role: caller.role },
      };
      // Most commands that do not fit are refused here, from the record, without troubling the
      // journey (which checks again: it may have moved on since it was recorded).
      const checked = found.snapshot
        ? checkCommand(stateOf(found.snapshot), type, command, now().getTime())
        : { command };
      if ('rejected' in checked) return refused(ctx, checked.rejected);
      // A command goes only to a journey a worker is running: asked first (as with a key above), a
      // journey whose worker is down answers 503 and is sent nothing. A command signalled to a
      // journey with no worker lands in one workflow task with whatever else waits there, which
      // sdk-core can apply in two activations live and one on replay after a restart — the chaos
      // run's stuck journeys (docs/reliability.md).
      if (!key) await deps.gateway.outcome(found.id, commandId);
      const result = await deps.gateway.command(found.id, type, checked.command, commandId).catch((error: unknown) => {
        if (error instanceof JourneyNotAnswering) return { notAnswering: true as const };
        if (error instanceof WorkflowNotFoundError) return { gone: true as const };
        throw error;
      });
      if ('gone' in result) return closedProblem(ctx, found.id);
      if ('notAnswering' in result) {
        ctx.header('retry-after', '5');
        return problem(
          ctx,
          503,
          'Not confirmed yet',
          `Journey ${found.id} has your request but has not confirmed it yet. Look at the journey before sending it again.`,
        );
      }
      if (!result.ok) return refused(ctx, result);
      return detailAtRevision(ctx, deps, found, result.revision);
    },
  };
}

export const journeyRoutes: Route[] = [
  {
    method: 'GET',
    path: '/journeys',
    summary: 'Journeys of a team (or co-ordinator), soonest due first',
    roles: STAFF,
    teamScoped: true,
    query: ['team', 'coordinator', 'phase', 'overdue', 'programme', 'limit', 'cursor'],
    responses: {
      200: json('{items: JourneySummary[], nextCursor?}', responses.journeyPage),
      400: 'no team or co-ordinator given, or a bad cursor',
      403: 'not your team',
    },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const q = ctx.req.query();
      const limit = pageLimit(q.limit);
      const teamId =
        q.team ?? (TEAM_SCOPED.includes(caller.role) && caller.teams.length === 1 ? caller.teams[0] : undefined);
      if (teamId && !canSeeTeam(caller, teamId))
        return problem(ctx, 403, 'Forbidden', `You are not in team ${teamId}.`);
      // A cursor opens only for the caller and the list it was given for (lambdas/cursors.ts).
      const list = `GET /journeys ${caller.sub} ${JSON.stringify([q.coordinator, teamId, q.overdue, q.phase])}`;
      const cursor = cursorsOf(deps).open(q.cursor, list);
      if (cursor === false) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
      if (!q.coordinator && !teamId)
        return problem(ctx, 400, 'Invalid request', 'Give a team (or coordinator): lists are per team.');
      let page;
      try {
        if (q.coordinator) page = await deps.read.journeysByCoordinator(q.coordinator, limit, cursor);
        else if (q.overdue === 'true') page = await deps.read.overdueByTeam(teamId!, deps.now(), limit, cursor);
        else if (q.phase) page = await deps.read.journeysByTeamPhase(teamId!, q.phase, limit, cursor);
        else page = await deps.read.openByTeam(teamId!, limit, cursor);
      } catch (error) {
        if (isInvalidKey(error))
          return problem(ctx, 400, 'Invalid request', 'The cursor or a filter is not valid for this list.');
        throw error;
      }
      const at = deps.now().getTime();
      const items = page.items
        .filter(
          (j) =>
            canSeeTeam(caller, j.teamId) &&
            (!q.programme || j.programme === q.programme) &&
            (!q.phase || j.phase === q.phase),
        )
        .map((j) => ({
          ...j,
          overdue: j.phase !== 'closed' && j.nextDueAt !== null && Date.parse(j.nextDueAt) <= at,
        }));
      return ctx.json({
        items: await withPeople(deps.read, caller, items, deps.now()),
        ...(page.nextCursor ? { nextCursor: cursorsOf(deps).seal(page.nextCursor, list) } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/journeys/{id}',
    summary: 'One journey in full',
    roles: STAFF,
    teamScoped: true,
    responses: { 200: json('the journey', responses.journeyDetail), 404: 'no such journey' },
    handler: async (ctx, deps) => {
      prefetchPerson(ctx, deps);
      const found = await journeyFor(ctx, deps, 'GET /journeys/{id}');
      if ('response' in found) return found.response;
      if (found.snapshot) return named(ctx, deps, viewOf(found.snapshot, found.enteredInError, deps.now().getTime()));
      // Recorded before the record kept journeys in full: its summary, and the audit trail its story.
      const summary = (await deps.read.getJourney(found.id))!;
      const timeline = (await deps.read.auditTrail(found.id, 500)).items;
      return named(ctx, deps, { ...summary, patientId: found.patientId, timeline });
    },
  },
  journeyAction('triage', 'Accept or decline a referral', ['coordinator', 'team-lead'], 'triage'),
  // A co-ordinator's own work may be done by a team lead covering an absence, audited as cover
  // (domain/journeyCommands.ts, `coordinatorWork`; HAZ-07).
  journeyAction(
    'assessment',
    'Record the holistic assessment (including the carer)',
    ['coordinator', 'team-lead'],
    'assessment',
  ),
  journeyAction('care-plan', 'Agree (or revise) the personalised care plan', ['coordinator', 'team-lead'], 'care-plan'),
  journeyAction(
    'actions/{actionId}/complete',
    'Complete a care-plan action',
    ['coordinator', 'team-lead'],
    'complete-action',
    c.completeActionCommand.omit({ actionId: true }),
    (ctx) => ({ actionId: ctx.req.param('actionId') ?? '' }),
  ),
  // The owner marks it done, or anyone in the team for them: the deadline is met, its ladder stops.
  journeyAction(
    'mdt-actions/{actionId}/done',
    'Mark an action agreed at an MDT meeting done',
    ['coordinator', 'team-lead'],
    'complete-mdt-action',
    c.completeMdtActionCommand.omit({ actionId: true }),
    (ctx) => ({ actionId: ctx.req.param('actionId') ?? '' }),
  ),
  journeyAction('reviews', 'Record a review', ['coordinator', 'team-lead'], 'review'),
  journeyAction(
    'contacts',
    'Record a contact (a post-discharge contact meets that deadline)',
    ['coordinator', 'team-lead'],
    'contact',
  ),
  journeyAction(
    'measures',
    'Record an outcome measure the programme takes (PHQ-9, IPOS …): the journey scores it and schedules the next',
    ['coordinator', 'team-lead'],
    'record-measure',
  ),
  journeyAction('coordinator', 'Reassign the named co-ordinator', ['team-lead'], 'reassign'),
  journeyAction('close', 'Close the journey with its outcome', ['coordinator', 'team-lead'], 'close'),
  journeyAction(
    'rules',
    "Move the journey to its programme's current rules (calendar, ladder, deadline and risk policy): open deadlines keep their due times, and their ladders go on under the new ladder",
    ['team-lead'],
    'adopt-rules',
    commandPayloads['adopt-rules'],
    undefined,
    (deps, journeyId) => ({
      programme: deps.programmes.find((p) => journeyId.startsWith(`${p.id}.`)),
    }),
  ),
  journeyAction(
    'reported-discharge',
    "Record a discharge (or a death) the hospital's feed will not send, as someone reported it",
    ['coordinator', 'team-lead'],
    'reported-discharge',
  ),
  {
    method: 'GET',
    path: '/journeys/{id}/fhir',
    summary: 'The journey as a FHIR R4 Bundle',
    roles: ['coordinator', 'team-lead', 'admin'],
    teamScoped: true,
    responses: {
      200: { description: 'FHIR Bundle', contentType: 'application/fhir+json', schema: responses.fhirBundle },
      404: 'no such journey',
    },
    handler: async (ctx, deps) => {
      const found = await journeyFor(ctx, deps, 'GET /journeys/{id}/fhir');
      if ('response' in found) return found.response;
      if (!found.snapshot)
        return problem(
          ctx,
          404,
          'Not found',
          `Journey ${found.id} was recorded before journeys were kept in full; it has no FHIR export.`,
        );
      const state = stateOf(found.snapshot);
      // The journey keeps each measure's scores; its answers are in the record, read only when there are any.
      const [patient, entries] = await Promise.all([
        deps.read.getPatient(state.patientId),
        state.measures?.length ? deps.read.recordEntries(found.id) : [],
      ]);
      const measures = measuresForExport(state, entries);
      return ctx.body(JSON.stringify(journeyBundle(state, patient, deps.now(), measures)), 200, {
        'content-type': 'application/fhir+json',
      });
    },
  },
];
