/**
 * Moving a caseload: all of one co-ordinator's open journeys (or a filtered set of them) to the
 * team's other co-ordinators, balanced by capacity. It is a workflow of its own, so a move of
 * hundreds of journeys is never left half-done: killed part-way, it carries on where it was.
 *
 * Each journey is reassigned by its own `reassign` command, so each journey records who moved it
 * and when, as any reassignment. The activity that sends it names the command after the move and
 * the attempt, and looks at the journey before sending, so a retried activity never moves a
 * journey twice (activities/caseloadMove.ts).
 */
import { defineQuery, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CaseloadMoveActivities } from '../activities/caseloadMove.js';
import type { CaseloadMoveInput, CaseloadMoveProgress, MoveOutcome } from '../domain/caseloadMove.js';
import { refusedBecause } from '../temporal/journeyMessages.js';

export const caseloadMoveProgressQuery = defineQuery<CaseloadMoveProgress>('caseloadMoveProgress');

/** Journeys moved at once: enough to be quick, few enough not to crowd the journeys' own work. */
const AT_ONCE = 10;

const acts = proxyActivities<CaseloadMoveActivities>({
  // A move waits for the journey's decision (up to 15 s, moveJourney's wait): a worker killed
  // mid-move holds a journey's move this long before another takes it up.
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function caseloadMove(input: CaseloadMoveInput): Promise<CaseloadMoveProgress> {
  // Started by someone other than carepath (the codec refused its input, ADR 0014): it ends at once,
  // moving nothing, rather than failing its task on input it cannot read, again and again.
  const startRefused = refusedBecause(input);
  if (startRefused !== undefined) {
    log.warn('caseload move refused: carepath did not send it', {
      workflowId: workflowInfo().workflowId,
      reason: startRefused,
    });
    return {
      moveId: '',
      teamId: '',
      from: '',
      by: '',
      requestedAt: '',
      total: 0,
      moved: 0,
      movedTo: {},
      skipped: [],
      notMoved: [],
      done: true,
      updatedAt: new Date().toISOString(),
    };
  }
  const progress: CaseloadMoveProgress = {
    moveId: input.moveId,
    teamId: input.teamId,
    from: input.from,
    by: input.by.sub,
    requestedAt: input.requestedAt,
    total: input.journeyIds.length,
    moved: 0,
    movedTo: {},
    skipped: [],
    notMoved: [],
    done: false,
    updatedAt: new Date().toISOString(),
  };
  setHandler(caseloadMoveProgressQuery, () => progress);
  const record = () => acts.recordCaseloadMove({ ...progress, updatedAt: new Date().toISOString() });
  await record();

  // Planned against the caseloads as they are; a place taken meanwhile (someone else's referral)
  // sends that journey round again, planned afresh. Two rounds: then it stays, with the reason.
  let pending = input.journeyIds;
  for (let round = 0; round < 2 && pending.length > 0; round += 1) {
    const plan = await acts.planCaseloadMove({
      teamId: input.teamId,
      from: input.from,
      journeyIds: pending,
      ...(input.to ? { to: input.to } : {}),
    });
    const again: string[] = [];
    for (let i = 0; i < plan.assignments.length; i += AT_ONCE) {
      const batch = plan.assignments.slice(i, i + AT_ONCE);
      const outcomes = await Promise.all(
        batch.map((a) =>
          acts.moveJourney({
            moveId: input.moveId,
            attempt: round,
            journeyId: a.journeyId,
            from: input.from,
            to: a.to,
            by: input.by,
          }),
        ),
      );
      batch.forEach((a, k) => note(progress, a.journeyId, outcomes[k]!, again));
      await record();
    }
    const last = round === 1;
    for (const journeyId of plan.unplaceable)
      if (last) progress.notMoved.push({ journeyId, why: 'no other co-ordinator has room' });
      else again.push(journeyId);
    if (last)
      for (const journeyId of again) progress.notMoved.push({ journeyId, why: 'no other co-ordinator has room' });
    pending = last ? [] : again;
  }
  progress.done = true;
  await record();
  return progress;
}

function note(progress: CaseloadMoveProgress, journeyId: string, outcome: MoveOutcome, again: string[]): void {
  if (outcome.result === 'moved') {
    progress.moved += 1;
    progress.movedTo[outcome.to] = (progress.movedTo[outcome.to] ?? 0) + 1;
  } else if (outcome.result === 'full') again.push(journeyId);
  else if (outcome.result === 'skipped') progress.skipped.push({ journeyId, why: outcome.why });
  else progress.notMoved.push({ journeyId, why: outcome.why });
}
