/**
 * The named co-ordinator: the outcome of the assignment triage asks for (someone with capacity,
 * or nobody and an escalation to the team lead) and moving the journey to another co-ordinator.
 * It is separate because it is not a stage the journey passes through but runs alongside every
 * stage from assessment to closing, driven by the caseload store rather than by a person's command.
 */
import type { Actor, By, ReassignCommand } from './commands.js';
import { systemActor } from './commands.js';
import {
  audienceFor,
  JourneyRuleError,
  notify,
  phaseError,
  record,
  ruleInForce,
  team,
  type JourneyState,
} from './journeyState.js';

// ---------------------------------------------------------------------------------------------
// The named co-ordinator

export function assigned(s: JourneyState, coordinatorId: string | null, now: number, by: Actor = systemActor): void {
  if (s.phase === 'closed') {
    // Closed while the assignment was in flight: give the place straight back.
    if (coordinatorId) s.outbox.push({ type: 'release', coordinatorId });
    return;
  }
  if (!coordinatorId) {
    s.assignment = 'unassigned';
    record(s, now, 'coordinator.unassigned', by, 'no co-ordinator in the team has capacity');
    notify(s, now, {
      key: 'assignment',
      kind: 'escalation',
      level: 1,
      deadline: 'assignment',
      recipients: team(s).leads,
      audience: audienceFor(s, 'team-lead'),
      message: `A journey in ${s.programme.name} needs a co-ordinator: nobody in the team has capacity.`,
    });
    return;
  }
  s.coordinatorId = coordinatorId;
  s.assignment = 'assigned';
  record(s, now, 'coordinator.assigned', by, `named co-ordinator ${coordinatorId}`, { coordinatorId });
}

export function checkReassign(s: JourneyState, cmd: ReassignCommand): void {
  if (s.phase === 'closed' || s.communityPhase === 'triage' || s.communityPhase === 'referred')
    throw phaseError(s, 'assign a co-ordinator');
  if (s.assignment === 'pending')
    throw new JourneyRuleError('phase', 'a co-ordinator is being assigned; try again in a moment');
  if (s.outbox.some((e) => e.type === 'reassign'))
    throw new JourneyRuleError('phase', 'a reassignment is under way; try again in a moment');
  // Since `staff-from-directory` the staff directory decides, when the caseload place is taken (a
  // co-ordinator who joined after the journey started may be given it); before, the team the
  // journey started with did.
  if (!ruleInForce(s, 'staff-from-directory') && !team(s).coordinators.some((c) => c.id === cmd.coordinatorId)) {
    throw new JourneyRuleError('invalid', `${cmd.coordinatorId} is not a co-ordinator in team ${s.teamId}`);
  }
  if (cmd.coordinatorId === s.coordinatorId)
    throw new JourneyRuleError('invalid', `${cmd.coordinatorId} is already the named co-ordinator`);
}

/** After the caseload store has moved the place: the previous co-ordinator's is released there too. */
export function reassigned(s: JourneyState, cmd: By<ReassignCommand>, now: number): void {
  const previous = s.coordinatorId;
  s.coordinatorId = cmd.coordinatorId;
  s.assignment = 'assigned';
  record(s, now, 'coordinator.reassigned', cmd.by, `named co-ordinator ${previous ?? 'none'} → ${cmd.coordinatorId}`, {
    from: previous,
    coordinatorId: cmd.coordinatorId,
  });
}
