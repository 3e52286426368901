/**
 * Moving a running journey to its programme's current rules (domain/adoptRules.ts): open
 * deadlines keep their due times; their ladders go on under the new ladder and calendar without a
 * burst of stale alerts; new deadlines follow the new policy; the change is on the timeline.
 */
import { describe, expect, it } from 'vitest';
import { calendarSchema } from '../../domain/workingCalendar.js';
import { nextStepAt } from '../../domain/deadlines.js';
import { checkCommand, commandRules } from '../../domain/journeyCommands.js';
import { fireDueSteps, nextStepFires, type JourneyState } from '../../domain/journeyState.js';
import type { Programme } from '../../domain/programme.js';
import { atAssessment, DAY, HOUR, coordinator, lead, notifications, programme, T0 } from './stageFixtures.js';

const adopt = (s: JourneyState, rules: Programme, now: number, reason = 'the programme board changed the ladder') => {
  const checked = checkCommand(s, 'adopt-rules', { reason, programme: rules, by: lead }, now);
  if ('rejected' in checked) return checked.rejected;
  commandRules['adopt-rules'].apply!(s, checked.command, now);
  return undefined;
};
const assessment = (s: JourneyState) => s.deadlines.find((d) => d.name === 'assessment')!;
const due = T0 + 10 * DAY; // Thursday 11 March 2027, 09:00Z

/** The test programme with the lead told an hour after due, not a day. */
const quickerLadder = programme((p) => {
  p.escalation = [
    { at: '-P1D', notify: 'coordinator', kind: 'reminder' },
    { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
    { at: 'PT1H', notify: 'team-lead', kind: 'escalation' },
    { at: 'P3D', notify: 'service-manager', kind: 'escalation' },
  ];
  p.deadlines.carePlan = 'P3D';
});

describe('adopting the current rules', () => {
  it('keeps an open deadline’s due time, and tells the lead once whom the new ladder says should have heard by now', () => {
    const s = atAssessment();
    const now = due + 2 * HOUR;
    fireDueSteps(s, now, 'when-due'); // the reminder and the overdue notice, to the co-ordinator
    s.outbox = [];
    expect(assessment(s).ladderStep).toBe(2);

    expect(adopt(s, quickerLadder, now)).toBeUndefined();
    expect(assessment(s).dueAt).toBe(new Date(due).toISOString());
    // Under the new ladder the lead should have heard an hour after due: told once, now. The
    // journey keeps only the rules, so the lead is whoever the staff directory has when it is sent.
    expect(notifications(s).map((n) => [n.kind, n.level, n.recipients, n.audience, n.createdAt])).toEqual([
      ['escalation', 1, [], { role: 'team-lead', teamId: s.teamId }, new Date(now).toISOString()],
    ]);
    expect(s.programme.teams.every((t) => !t.coordinators.length && !t.leads.length && !t.serviceManagers.length)).toBe(
      true,
    );
    expect(assessment(s).ladderStep).toBe(3);
    // The service manager's step is still three days after due.
    expect(nextStepAt(s.deadlines, s.programme.escalation)).toBe(due + 3 * DAY);
    expect(s.timeline.at(-1)).toMatchObject({
      type: 'programme.rules-adopted',
      by: 'lead-lou',
      data: { changed: 'deadlines, escalation', reason: 'the programme board changed the ladder' },
    });
  });

  it('sends nothing again that someone at least as senior has already been told', () => {
    const s = atAssessment();
    const now = due + 2 * DAY;
    fireDueSteps(s, now, 'when-due'); // …and the lead a day after due
    s.outbox = [];
    adopt(s, quickerLadder, now);
    expect(notifications(s)).toEqual([]);
    expect(assessment(s).ladderStep).toBe(3);
  });

  it('applies the new deadline policy to deadlines opened from then on', () => {
    const s = atAssessment();
    adopt(s, quickerLadder, T0 + DAY);
    const checked = checkCommand(s, 'assessment', { summary: 'at home', needs: [], by: coordinator }, T0 + 2 * DAY);
    if ('rejected' in checked) throw new Error(checked.rejected.message);
    commandRules.assessment.apply!(s, checked.command, T0 + 2 * DAY);
    expect(s.deadlines.find((d) => d.name === 'care-plan')?.dueAt).toBe(new Date(T0 + 5 * DAY).toISOString());
  });

  it('on a calendar with quiet hours, leaves the step due for the next working start, and sends nothing at the weekend', () => {
    const s = atAssessment();
    const saturday = due + 2 * DAY + 3 * HOUR; // Saturday 13 March 2027, 12:00Z
    fireDueSteps(s, due + 30 * 60_000, 'when-due'); // reminder and overdue only
    s.outbox = [];
    const onCalendar = programme((p) => {
      p.escalation = quickerLadder.escalation;
      p.calendar = calendarSchema.parse({ bankHolidays: 'none' });
    });
    adopt(s, onCalendar, saturday);
    expect(notifications(s)).toEqual([]);
    // Monday 15 March 2027 09:00 GMT: the lead's escalation goes then.
    expect(nextStepFires(s, saturday)).toBe(Date.parse('2027-03-15T09:00:00Z'));
    // Woken at the weekend (a command, a hospital event), it still sends nothing.
    fireDueSteps(s, saturday + HOUR, 'when-due');
    expect(notifications(s)).toEqual([]);
    // Monday 09:00: the lead's step, and the manager's, which fell due on the Sunday.
    fireDueSteps(s, Date.parse('2027-03-15T09:00:00Z'), 'when-due');
    expect(notifications(s).map((n) => [n.kind, n.level])).toEqual([
      ['escalation', 1],
      ['escalation', 2],
    ]);
  });

  it('refuses another programme’s rules, and rules without the journey’s team, changing nothing', () => {
    const s = atAssessment();
    const before = JSON.stringify(s);
    expect(adopt(s, { ...quickerLadder, id: 'other-programme' }, T0 + DAY)).toMatchObject({ type: 'invalid' });
    expect(
      adopt(s, { ...quickerLadder, teams: [{ ...quickerLadder.teams[0]!, id: 'team-b' }] }, T0 + DAY),
    ).toMatchObject({ type: 'invalid', message: expect.stringMatching(/no team team-a/) });
    expect(adopt(s, quickerLadder, T0 + DAY, '')).toMatchObject({ type: 'invalid' });
    expect(JSON.stringify(s)).toBe(before);
  });
});
