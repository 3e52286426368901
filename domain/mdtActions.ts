/**
 * What an MDT meeting means for a journey it discussed (issue 21; the meeting itself is
 * domain/mdtMeetings.ts). The journey is sent an `mdt-discussion` command, so its own record says
 * it was discussed, and each action agreed becomes a deadline on it, `mdt-action:<id>`, whose
 * ladder goes to the action's owner where it would go to the co-ordinator (domain/staff.ts: to
 * their cover while they are away, to the journey's co-ordinator once they have left; HAZ-35).
 * An action is done by `complete-mdt-action`, which meets the deadline and stops its ladder.
 *
 * The decision and the actions' descriptions are the record entry's content: the audit trail says
 * only that the journey was discussed, by whom, and how many actions were agreed.
 */
import { iso, ms } from './durations.js';
import type { By, CompleteMdtActionCommand, MdtDiscussionCommand } from './commands.js';
import {
  JourneyRuleError,
  meet,
  openDeadlineNamed,
  record,
  type JourneyState,
  type MdtAction,
  type MdtDiscussion,
} from './journeyState.js';

/** Discussions a journey keeps in its state; the record keeps every one. */
export const MDT_DISCUSSIONS_KEPT = 50;
/** Done actions a journey keeps in its state (open ones are always kept). */
export const MDT_DONE_ACTIONS_KEPT = 50;

export const mdtActionDeadline = (actionId: string): string => `mdt-action:${actionId}`;

// ---------------------------------------------------------------------------------------------
// In a journey

export function checkMdtDiscussion(s: JourneyState, cmd: MdtDiscussionCommand, now: number): void {
  if (s.mdtDiscussions?.some((d) => d.meetingId === cmd.meetingId))
    throw new JourneyRuleError('phase', `this journey's discussion at meeting ${cmd.meetingId} is already recorded`);
  cmd.actions.forEach((a, i) => {
    if (ms(a.due) <= now)
      throw new JourneyRuleError('invalid', `action ${i + 1} ("${a.description.slice(0, 40)}") is due in the past`);
  });
}

export function recordMdtDiscussion(s: JourneyState, cmd: By<MdtDiscussionCommand>, now: number): void {
  checkMdtDiscussion(s, cmd, now);
  const n = cmd.actions.length;
  record(
    s,
    now,
    'mdt.discussed',
    cmd.by,
    `discussed at the MDT on ${cmd.heldOn}, presented by ${cmd.presenterId}; ${n} action${n === 1 ? '' : 's'} agreed`,
    { meetingId: cmd.meetingId, heldOn: cmd.heldOn, presenterId: cmd.presenterId, actions: n },
  );
  const seq = s.counters.seq;
  const discussion: MdtDiscussion = {
    meetingId: cmd.meetingId,
    heldOn: cmd.heldOn,
    presenterId: cmd.presenterId,
    at: iso(now),
    by: cmd.by.sub,
    seq,
  };
  s.mdtDiscussions = [...(s.mdtDiscussions ?? []), discussion].slice(-MDT_DISCUSSIONS_KEPT);
  const agreed: MdtAction[] = cmd.actions.map((a, i) => ({
    id: `${seq}-${i + 1}`,
    meetingId: cmd.meetingId,
    heldOn: cmd.heldOn,
    description: a.description,
    ownerId: a.ownerId,
    due: iso(ms(a.due)),
  }));
  for (const a of agreed)
    openDeadlineNamed(s, mdtActionDeadline(a.id), now, ms(a.due), mdtActionDeadline(a.id), a.ownerId);
  s.mdtActions = keptActions([...(s.mdtActions ?? []), ...agreed]);
}

/** Every open action, and the latest done ones. */
function keptActions(actions: MdtAction[]): MdtAction[] {
  let over = actions.filter((a) => a.completedAt).length - MDT_DONE_ACTIONS_KEPT;
  return actions.filter((a) => !a.completedAt || over-- <= 0);
}

export function checkCompleteMdtAction(s: JourneyState, cmd: CompleteMdtActionCommand): MdtAction {
  const action = s.mdtActions?.find((a) => a.id === cmd.actionId);
  if (!action) throw new JourneyRuleError('not-found', `no MDT action ${cmd.actionId} in this journey`);
  if (action.completedAt)
    throw new JourneyRuleError('phase', `MDT action ${cmd.actionId} was already done at ${action.completedAt}`);
  return action;
}

export function completeMdtAction(s: JourneyState, cmd: By<CompleteMdtActionCommand>, now: number): void {
  const action = checkCompleteMdtAction(s, cmd);
  action.completedAt = iso(now);
  action.completedBy = cmd.by.sub;
  record(s, now, 'mdt-action.done', cmd.by, `MDT action ${action.id} done (owner ${action.ownerId})`, {
    actionId: action.id,
    ownerId: action.ownerId,
    meetingId: action.meetingId,
  });
  meet(
    s,
    s.deadlines.find((d) => d.name === mdtActionDeadline(action.id) && d.status === 'open'),
    now,
    cmd.by,
  );
  s.mdtActions = keptActions(s.mdtActions!);
}
