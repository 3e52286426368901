/** Co-ordinator actions used by several workflow tests, sent as the API would send them. */
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../../domain/commands.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { command, DAY } from './journeyTestEnv.js';

export const lead: Actor = { sub: 'lead-raj', role: 'team-lead' };
export const asCoordinator = (sub: string): Actor => ({ sub, role: 'coordinator' });

/**
 * The journey's state once it has named its co-ordinator. Assignment runs in the workflow's main
 * loop after acceptance and waits on the caseload store, so on a busy machine it takes a while:
 * wait in real time (a fixed number of queries can all come back before it is done).
 */
export async function assigned(handle: WorkflowHandle, withinMs = 30_000) {
  const until = Date.now() + withinMs;
  for (;;) {
    const s = await handle.query(journeyQuery);
    if (s.coordinatorId) return s;
    if (Date.now() > until)
      throw new Error(`no co-ordinator named within ${withinMs / 1000} s; the journey is in ${s.phase}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** From triage (or an auto-accepted referral) to an active journey with an agreed care plan. */
export async function activate(handle: WorkflowHandle, now: number, actions: { id: string; inDays: number }[] = []) {
  const s = await handle.query(journeyQuery);
  if (s.phase === 'triage') await command(handle, 'triage', { by: lead, decision: 'accept', reason: 'meets criteria' });
  const by = asCoordinator((await assigned(handle)).coordinatorId!);
  await command(handle, 'assessment', { by, summary: 'Holistic assessment with carer present', needs: [] });
  return command(handle, 'care-plan', {
    by,
    goals: [{ id: 'g1', description: 'Stay safely at home' }],
    actions: actions.map((a) => ({
      id: a.id,
      description: `do ${a.id}`,
      owner: by.sub,
      due: new Date(now + a.inDays * DAY).toISOString(),
    })),
    agreedWithPatient: true,
  });
}
