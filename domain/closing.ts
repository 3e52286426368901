/**
 * The last stage of a journey: closing it, from any phase, by a person, a review or a declined
 * triage. Closing cancels every open deadline and releases the co-ordinator's place. It is
 * separate because other stages close the journey too: they import it, and it imports no stage.
 */
import { iso } from './durations.js';
import type { By, CloseCommand } from './commands.js';
import { cancel, JourneyRuleError, phaseError, record, setPhase, type JourneyState } from './journeyState.js';
import { checkClosureMeasures, recordClosureMeasures } from './measuresDue.js';

// ---------------------------------------------------------------------------------------------
// Closing

export function checkClose(s: JourneyState, cmd: CloseCommand): void {
  if (s.phase === 'closed') throw phaseError(s, 'close the journey');
  if (cmd.reason === 'deceased' && s.programme.recordsPlaceOfDeath && cmd.outcome.placeOfDeathAchieved === undefined) {
    throw new JourneyRuleError(
      'invalid',
      'this programme records whether the person died in their preferred place: set outcome.placeOfDeathAchieved',
    );
  }
  // Closing would cancel the one call still owed after a death: the carer's (HAZ-22).
  const bereavement = s.deadlines.find((d) => d.name === 'bereavement-contact' && d.status === 'open');
  if (bereavement)
    throw new JourneyRuleError(
      'invalid',
      `a bereavement contact with the carer is due by ${bereavement.dueAt}: record it (reached, or declined by the carer) before closing`,
    );
  checkClosureMeasures(s, cmd);
}

export function close(s: JourneyState, cmd: By<CloseCommand>, now: number): void {
  checkClose(s, cmd);
  // The measures taken at closure go in first: they meet the measure then due, not cancel it.
  recordClosureMeasures(s, cmd, now);
  for (const d of s.deadlines) cancel(s, d, 'journey closed');
  s.closure = { reason: cmd.reason, outcome: cmd.outcome, at: iso(now), by: cmd.by.sub };
  if (s.coordinatorId) s.outbox.push({ type: 'release', coordinatorId: s.coordinatorId });
  setPhase(s, 'closed');
  record(s, now, 'journey.closed', cmd.by, `closed: ${cmd.reason}`, {
    reason: cmd.reason,
    goalsMet: cmd.outcome.goalsMet ?? null,
    placeOfDeathAchieved: cmd.outcome.placeOfDeathAchieved ?? null,
  });
}
