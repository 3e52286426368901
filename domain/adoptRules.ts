/**
 * Moving a running journey to its programme's current rules: a new calendar, ladder, deadline or
 * risk policy, adopted by a person's decision (a team lead's, after the programme file changed),
 * never silently. A journey keeps the rules it started with until then, so what it did stays
 * explicable by the rules it had (pathway versioning).
 *
 * What happens to the deadlines already open:
 * - **Due times stay.** Work already due on a date keeps that date; the new deadline policy
 *   applies to every deadline opened from now on (the next review, a post-discharge call).
 * - **Ladders go on under the new ladder and calendar** from where they stand now: a step the new
 *   ladder puts in the past is not sent as a burst of stale alerts. If the new ladder says someone
 *   more senior should have heard by now than anyone the old one told, the most senior step due is
 *   sent once (in working hours, on a calendar with quiet hours).
 * - The risk score is worked out again by the new model (a tier a person set stays theirs).
 * - The change is on the timeline, with what changed and why.
 */
import type { AdoptRulesCommand, By } from './commands.js';
import { stepTime } from './deadlines.js';
import { findTeam, levelOf, rulesOf } from './programme.js';
import {
  deliverable,
  fireOnceNow,
  JourneyRuleError,
  record,
  rescore,
  touch,
  type JourneyState,
} from './journeyState.js';

/** The parts of a programme that are its rules (its teams are the staff directory's business). */
const RULES = [
  'eligibility',
  'risk',
  'deadlines',
  'escalation',
  'calendar',
  'readmissionWindow',
  'bereavement',
  'retention',
  'recordsPlaceOfDeath',
] as const;

export function checkAdoptRules(s: JourneyState, cmd: AdoptRulesCommand): void {
  if (cmd.programme.id !== s.programme.id)
    throw new JourneyRuleError('invalid', `these are ${cmd.programme.id}'s rules; the journey is in ${s.programme.id}`);
  if (!findTeam(cmd.programme, s.teamId))
    throw new JourneyRuleError('invalid', `the current rules of ${s.programme.id} have no team ${s.teamId}`);
}

export function adoptRules(s: JourneyState, cmd: By<AdoptRulesCommand>, now: number): void {
  const before = s.programme;
  const team = (p: typeof before) => findTeam(p, s.teamId);
  const changed = [
    ...RULES.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(cmd.programme[k])),
    ...(JSON.stringify(team(before)?.calendar) !== JSON.stringify(team(cmd.programme)?.calendar)
      ? ['team calendar']
      : []),
  ];
  const oldLadder = before.escalation;
  /** The most senior level each open deadline's ladder has reached under the old rules. */
  const heard = new Map(
    s.deadlines
      .filter((d) => d.status === 'open')
      .map((d) => [d.id, Math.max(-1, ...oldLadder.slice(0, d.ladderStep).map((step) => levelOf(step.notify)))]),
  );
  s.programme = rulesOf(cmd.programme);

  const ladder = s.programme.escalation;
  const at = deliverable(s);
  for (const d of s.deadlines) {
    if (d.status !== 'open') continue;
    let passed = 0;
    while (passed < ladder.length && stepTime(d, ladder[passed]!, at) <= now) passed += 1;
    d.ladderStep = passed;
    // Paused in hospital, nothing fires; the ladder takes up from here when the stay ends.
    if (passed === 0 || d.pausedSince) continue;
    if (levelOf(ladder[passed - 1]!.notify) > (heard.get(d.id) ?? -1)) fireOnceNow(s, d, passed - 1, now);
  }
  if (changed.includes('risk')) rescore(s);
  record(
    s,
    now,
    'programme.rules-adopted',
    cmd.by,
    `moved to ${s.programme.name}'s current rules (${changed.length ? changed.join(', ') : 'nothing changed'}): ${cmd.reason}`,
    { changed: changed.join(', '), reason: cmd.reason },
  );
  touch(s);
}
