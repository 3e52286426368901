/**
 * Who a notification reaches, from the staff directory at the moment it is sent (domain/staff.ts):
 * the role's holders, cover for anyone away, the next role up when no one is there, and never
 * someone who has left.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import {
  absenceSchema,
  isAway,
  resolveAudience,
  staffFromProgrammes,
  type Absence,
  type StaffMember,
  type TeamView,
} from '../../domain/staff.js';

const T = 'team-1';
const person = (staffId: string, roles: StaffMember['roles'], extra: Partial<StaffMember> = {}): StaffMember => ({
  staffId,
  name: staffId,
  roles,
  teams: [T],
  ...extra,
});
const away = (staffId: string, coverId?: string): Absence => ({
  absenceId: `a-${staffId}`,
  staffId,
  from: '2026-12-01T00:00:00.000Z',
  to: '2026-12-15T00:00:00.000Z',
  ...(coverId ? { coverId } : {}),
  recordedBy: 'lead',
  recordedAt: '2026-11-30T09:00:00.000Z',
});
const team = (members: StaffMember[], absences: Absence[] = []): TeamView => ({
  members,
  away: new Map(absences.map((a) => [a.staffId, a])),
});

const staff = [
  person('ana', ['coordinator'], { maxCaseload: 30 }),
  person('joe', ['coordinator'], { maxCaseload: 30 }),
  person('raj', ['team-lead']),
  person('pat', ['team-lead']),
  person('kim', ['service-manager']),
];

describe('resolveAudience', () => {
  it('reaches the named co-ordinator, the team’s leads, or its service managers, as the step says', () => {
    const view = team(staff);
    expect(resolveAudience({ role: 'coordinator', teamId: T, coordinatorId: 'ana' }, view)).toEqual([
      { recipient: 'ana' },
    ]);
    expect(resolveAudience({ role: 'team-lead', teamId: T }, view)).toEqual([
      { recipient: 'raj' },
      { recipient: 'pat' },
    ]);
    expect(resolveAudience({ role: 'service-manager', teamId: T }, view)).toEqual([{ recipient: 'kim' }]);
    // A journey with no co-ordinator yet: its co-ordinator's work is the leads'.
    expect(resolveAudience({ role: 'coordinator', teamId: T, coordinatorId: null }, view)).toEqual([
      { recipient: 'raj' },
      { recipient: 'pat' },
    ]);
  });

  it('sends an absent co-ordinator’s work to their cover, saying whose it is; with no cover, to the leads', () => {
    expect(
      resolveAudience({ role: 'coordinator', teamId: T, coordinatorId: 'ana' }, team(staff, [away('ana', 'joe')])),
    ).toEqual([{ recipient: 'joe', onBehalfOf: 'ana' }]);
    expect(
      resolveAudience({ role: 'coordinator', teamId: T, coordinatorId: 'ana' }, team(staff, [away('ana')])),
    ).toEqual([
      { recipient: 'raj', onBehalfOf: 'ana' },
      { recipient: 'pat', onBehalfOf: 'ana' },
    ]);
    // A cover who is away too is no cover: the leads have it.
    expect(
      resolveAudience(
        { role: 'coordinator', teamId: T, coordinatorId: 'ana' },
        team(staff, [away('ana', 'joe'), away('joe')]),
      ).map((d) => d.recipient),
    ).toEqual(['raj', 'pat']);
  });

  it('never reaches someone who has left; a role no one is left in goes up to the next', () => {
    const raj = person('raj', ['team-lead'], { leftAt: '2026-11-01T00:00:00.000Z' });
    const pat = person('pat', ['team-lead'], { leftAt: '2026-11-01T00:00:00.000Z' });
    const ana = person('ana', ['coordinator'], { leftAt: '2026-11-01T00:00:00.000Z' });
    const view = team([ana, raj, pat, staff[1]!, staff[4]!]);
    expect(resolveAudience({ role: 'team-lead', teamId: T }, view)).toEqual([{ recipient: 'kim' }]);
    // The co-ordinator left, and so did both leads: the service manager hears, for the co-ordinator.
    expect(resolveAudience({ role: 'coordinator', teamId: T, coordinatorId: 'ana' }, view)).toEqual([
      { recipient: 'kim', onBehalfOf: 'ana' },
    ]);
  });

  it('covers an absent lead by their cover, beside the leads who are there', () => {
    expect(resolveAudience({ role: 'team-lead', teamId: T }, team(staff, [away('raj', 'kim')]))).toEqual([
      { recipient: 'pat' },
      { recipient: 'kim', onBehalfOf: 'raj' },
    ]);
  });

  it('counts only the holders of a role in this team', () => {
    const elsewhere = person('sam', ['team-lead'], { teams: ['team-2'] });
    expect(
      resolveAudience({ role: 'team-lead', teamId: T }, team([...staff, elsewhere])).map((d) => d.recipient),
    ).toEqual(['raj', 'pat']);
  });
});

describe('absences', () => {
  it('are away from their start up to (not including) their end', () => {
    const a = away('ana');
    expect(isAway(a, Date.parse('2026-11-30T23:59:59Z'))).toBe(false);
    expect(isAway(a, Date.parse('2026-12-01T00:00:00Z'))).toBe(true);
    expect(isAway(a, Date.parse('2026-12-15T00:00:00Z'))).toBe(false);
  });

  it('must end after they start', () => {
    expect(absenceSchema.safeParse({ from: '2026-12-10', to: '2026-12-01' }).success).toBe(false);
    expect(absenceSchema.safeParse({ from: '2026-12-01', to: '2026-12-10', coverId: 'joe' }).success).toBe(true);
  });
});

describe('staffFromProgrammes', () => {
  it('makes one entry per person, with every team and role the file gives them', () => {
    const people = staffFromProgrammes(parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));
    expect(people.find((p) => p.staffId === 'coord-ana')).toMatchObject({
      name: 'Ana Silva',
      roles: ['coordinator'],
      teams: ['south-devon-1'],
      maxCaseload: 40,
    });
    const ids = people.map((p) => p.staffId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(people.find((p) => p.staffId === 'lead-raj')?.roles).toEqual(['team-lead']);
  });
});
