/**
 * A journey discussed at an MDT: its record says so (the decision kept as the entry's content, not
 * in the audit trail), each action agreed is a deadline whose ladder goes to the action's owner,
 * not the co-ordinator, then up the team as any ladder does; an owner away is covered, an owner
 * who left never holds an action alone (HAZ-35); marking an action done meets its deadline and
 * stops its ladder.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/commands.js';
import type * as J from '../../domain/journey.js';
import { checkCommand, commandRules, type CommandType } from '../../domain/journeyCommands.js';
import { fireDueSteps } from '../../domain/journeyState.js';
import { resolveAudience, type StaffMember, type TeamView } from '../../domain/staff.js';
import { atCarePlanning, DAY, HOUR, lead, notifications, programme, T0 } from './stageFixtures.js';

const teamId = 'team-a';
const { leads, serviceManagers } = programme().teams[0]!;

function send(s: J.JourneyState, type: CommandType, command: Record<string, unknown>, now: number, by = lead) {
  const checked = checkCommand(s, type, { by, ...command }, now);
  if ('rejected' in checked) return checked.rejected;
  commandRules[type].apply!(s, checked.command, now);
  return undefined;
}

/** Assessed, with co-ordinator coord-ana, and nothing waiting to be sent. */
function assessed(): J.JourneyState {
  const s = atCarePlanning();
  s.outbox = [];
  return s;
}

const MEETING = T0 + 3 * DAY; // Thursday 09:00
const discussion = (actions: { description: string; ownerId: string; due: string }[]) => ({
  meetingId: 'mtg-1',
  heldOn: '2027-03-04',
  presenterId: 'coord-ana',
  decision: 'Start a falls plan; GP to review sedating medicines.',
  actions,
});
const dueIn = (days: number) => new Date(MEETING + days * DAY).toISOString();

const sent = notifications;

/** Discussed at the meeting, with one action for gp-1 due a week later. */
function discussedWithAction() {
  const s = assessed();
  send(s, 'mdt-discussion', discussion([{ description: 'Review medicines', ownerId: 'gp-1', due: dueIn(7) }]), MEETING);
  return { s, id: s.mdtActions![0]!.id };
}

describe('a journey discussed at an MDT', () => {
  it('records the discussion, keeping the decision out of the audit trail, and opens a deadline per action', () => {
    const s = assessed();
    expect(
      send(
        s,
        'mdt-discussion',
        discussion([{ description: 'Review medicines', ownerId: 'gp-1', due: dueIn(7) }]),
        MEETING,
      ),
    ).toBeUndefined();
    const entry = s.timeline.find((e) => e.type === 'mdt.discussed')!;
    expect(entry.detail).toBe('discussed at the MDT on 2027-03-04, presented by coord-ana; 1 action agreed');
    expect(JSON.stringify(entry)).not.toContain('falls plan');
    expect(JSON.stringify(entry)).not.toContain('Review medicines');
    expect(s.mdtDiscussions).toEqual([
      expect.objectContaining({ meetingId: 'mtg-1', presenterId: 'coord-ana', seq: entry.seq }),
    ]);
    const action = s.mdtActions![0]!;
    expect(action).toMatchObject({ id: `${entry.seq}-1`, ownerId: 'gp-1', description: 'Review medicines' });
    expect(s.deadlines.find((d) => d.name === `mdt-action:${action.id}`)).toMatchObject({
      status: 'open',
      owner: 'gp-1',
      dueAt: dueIn(7),
    });
    // The same meeting again (a retry) changes nothing.
    expect(send(s, 'mdt-discussion', discussion([]), MEETING + HOUR)).toMatchObject({ ok: false, type: 'phase' });
  });

  it('refuses an action due in the past, whole', () => {
    const s = assessed();
    const before = structuredClone(s);
    expect(
      send(
        s,
        'mdt-discussion',
        discussion([
          { description: 'Fine', ownerId: 'gp-1', due: dueIn(7) },
          { description: 'Late', ownerId: 'gp-1', due: dueIn(-1) },
        ]),
        MEETING,
      ),
    ).toMatchObject({ ok: false, type: 'invalid' });
    expect(s).toEqual(before);
  });

  it("sends the action's reminder and overdue notice to its owner, then escalates to the lead and manager", () => {
    const { s, id } = discussedWithAction();
    fireDueSteps(s, MEETING + 12 * DAY);
    const ladder = sent(s).filter((n) => n.deadline === `mdt-action:${id}`);
    expect(ladder.map((n) => [n.kind, n.recipients, n.audience])).toEqual([
      ['reminder', ['gp-1'], { role: 'coordinator', teamId, coordinatorId: 'coord-ana', ownerId: 'gp-1' }],
      ['overdue', ['gp-1'], { role: 'coordinator', teamId, coordinatorId: 'coord-ana', ownerId: 'gp-1' }],
      ['escalation', leads, { role: 'team-lead', teamId }],
      ['escalation', serviceManagers, { role: 'service-manager', teamId }],
    ]);
    // The journey's other deadlines still go to the co-ordinator.
    expect(
      sent(s)
        .filter((n) => n.deadline !== `mdt-action:${id}` && n.level === 0)
        .map((n) => n.recipients),
    ).toContainEqual(['coord-ana']);
  });

  it('marking the action done meets its deadline and stops its ladder', () => {
    const { s, id } = discussedWithAction();
    const gp: Actor = { sub: 'gp-1', role: 'coordinator' };
    expect(
      send(s, 'complete-mdt-action', { actionId: id, notes: 'stopped zopiclone' }, MEETING + 2 * DAY, gp),
    ).toBeUndefined();
    expect(s.mdtActions![0]).toMatchObject({ completedBy: 'gp-1' });
    expect(s.deadlines.find((d) => d.name === `mdt-action:${id}`)).toMatchObject({ status: 'met' });
    fireDueSteps(s, MEETING + 30 * DAY);
    expect(sent(s).filter((n) => n.deadline === `mdt-action:${id}`)).toEqual([]);
    // Done once: again is refused, and an action the journey never had is not found.
    expect(send(s, 'complete-mdt-action', { actionId: id }, MEETING + 3 * DAY)).toMatchObject({ type: 'phase' });
    expect(send(s, 'complete-mdt-action', { actionId: '999-1' }, MEETING + 3 * DAY)).toMatchObject({
      type: 'not-found',
    });
  });
});

describe("an MDT action's owner, away or gone", () => {
  const person = (staffId: string, roles: StaffMember['roles'], extra: Partial<StaffMember> = {}): StaffMember => ({
    staffId,
    name: staffId,
    roles,
    teams: [teamId],
    ...extra,
  });
  const staff = [
    person('coord-ana', ['coordinator']),
    person('coord-joe', ['coordinator']),
    person('gp-1', ['coordinator']),
    person('lead-lou', ['team-lead']),
  ];
  const view = (members: StaffMember[], away: [string, string?][] = []): TeamView => ({
    members,
    away: new Map(
      away.map(([id, coverId]) => [
        id,
        {
          absenceId: `a-${id}`,
          staffId: id,
          from: '2027-03-01T00:00:00Z',
          to: '2027-03-20T00:00:00Z',
          ...(coverId ? { coverId } : {}),
          recordedBy: 'lead-lou',
          recordedAt: '2027-03-01T00:00:00Z',
        },
      ]),
    ),
  });
  const owned = { role: 'coordinator' as const, teamId, coordinatorId: 'coord-ana', ownerId: 'gp-1' };

  it('reaches the owner while they are there', () => {
    expect(resolveAudience(owned, view(staff))).toEqual([{ recipient: 'gp-1' }]);
  });

  it("reaches the owner's cover while they are away, else the journey's co-ordinator on their behalf", () => {
    expect(resolveAudience(owned, view(staff, [['gp-1', 'coord-joe']]))).toEqual([
      { recipient: 'coord-joe', onBehalfOf: 'gp-1' },
    ]);
    expect(resolveAudience(owned, view(staff, [['gp-1']]))).toEqual([{ recipient: 'coord-ana', onBehalfOf: 'gp-1' }]);
    // Owner and co-ordinator both away, no cover: the team's leads.
    expect(resolveAudience(owned, view(staff, [['gp-1'], ['coord-ana']]))).toEqual([
      { recipient: 'lead-lou', onBehalfOf: 'gp-1' },
    ]);
  });

  it('an MDT action whose owner has left never escalates only to the leaver', () => {
    const left = staff.map((m) => (m.staffId === 'gp-1' ? { ...m, leftAt: '2027-03-05T00:00:00Z' } : m));
    expect(resolveAudience(owned, view(left))).toEqual([{ recipient: 'coord-ana', onBehalfOf: 'gp-1' }]);
    // …nor to a co-ordinator who has left too: the leads hold it.
    const bothLeft = left.map((m) => (m.staffId === 'coord-ana' ? { ...m, leftAt: '2027-03-05T00:00:00Z' } : m));
    expect(resolveAudience(owned, view(bothLeft))).toEqual([{ recipient: 'lead-lou', onBehalfOf: 'gp-1' }]);
  });
});
