/** Co-ordinator actions used by several workflow tests, sent as the API would send them. */
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../../domain/commands.js';
import { journeyQuery } from '../../workflows/careJourney.js';
import { command, DAY } from './journeyTestEnv.js';

export const lead: Actor = { sub: 'lead-raj', role: 'team-lead' };
export const asCoordinator = (sub: string): Actor => ({ sub, role: 'coordinator' });

/** From triage (or an auto-accepted referral) to an active journey with an agreed care plan. */
export async function activate(handle: WorkflowHandle, now: number, actions: { id: string; inDays: number }[] = []) {
  let s = await handle.query(journeyQuery);
  if (s.phase === 'triage') s = await command(handle, 'triage', { by: lead, decision: 'accept', reason: 'meets criteria' });
  // Assignment runs in the workflow's main loop: wait for it.
  for (let i = 0; i < 50 && !s.coordinatorId; i += 1) s = await handle.query(journeyQuery);
  const by = asCoordinator(s.coordinatorId ?? 'coord-ana');
  await command(handle, 'assessment', { by, summary: 'Holistic assessment with carer present', needs: [] });
  return command(handle, 'care-plan', {
    by,
    goals: [{ id: 'g1', description: 'Stay safely at home' }],
    actions: actions.map((a) => ({ id: a.id, description: `do ${a.id}`, owner: by.sub, due: new Date(now + a.inDays * DAY).toISOString() })),
    agreedWithPatient: true,
  });
}
