/**
 * The staff directory's rules: who holds a role in a team now, who covers for someone away, and so
 * who a notification reaches when it is sent. The directory itself lives in DynamoDB
 * (activities/staffDirectory.ts); a journey never holds it. Its notifications say whom they are
 * for by role (an `Audience`), and the notify activity asks the directory at the moment it sends,
 * so a co-ordinator who joined, a lead who left, or a cover arranged yesterday is reflected in the
 * next reminder without touching any running journey.
 *
 * Pure, so the rules are tested without a table, and the same in the API and the worker.
 */
import { z } from 'zod';
import { recipientRoles, type Programme, type RecipientRole } from './programme.js';
import { isoDate } from './referral.js';

const staffId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.@-]+$/, 'letters, digits and . _ @ - only');

/** A person in the directory: what the admin API takes and the directory keeps. */
export const staffMemberSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).optional(),
  /** The roles they hold in every one of their teams (a lead who also carries a caseload holds both). */
  roles: z.array(z.enum(recipientRoles)).min(1),
  // At most 40: a change writes the profile and a membership per team joined or left in one transaction (100 items).
  teams: z.array(z.string().min(1).max(100)).min(1).max(40),
  /** The most open journeys they should hold, as a co-ordinator. */
  maxCaseload: z.number().int().min(0).max(1000).optional(),
});
export type StaffMemberInput = z.output<typeof staffMemberSchema>;

export interface StaffMember extends StaffMemberInput {
  staffId: string;
  /** When they left: they hold no role from then on, and nothing reaches them. */
  leftAt?: string;
}

/** A period away: annual leave, sickness, training. `to` is exclusive. */
export const absenceSchema = z
  .object({
    from: z.iso.datetime({ offset: true }).or(isoDate),
    to: z.iso.datetime({ offset: true }).or(isoDate),
    /** Who takes their work meanwhile; absent that, the team's leads. */
    coverId: staffId.optional(),
    reason: z.string().trim().max(200).optional(),
  })
  .refine((a) => Date.parse(a.from) < Date.parse(a.to), { message: 'must end after it starts', path: ['to'] });

export interface Absence {
  absenceId: string;
  staffId: string;
  /** Instants, ISO 8601 UTC: a date alone is read as midnight UTC at its start. */
  from: string;
  to: string;
  coverId?: string;
  reason?: string;
  recordedBy: string;
  recordedAt: string;
}

export const staffIdSchema = staffId;

/**
 * Whom a notification is for, by role, resolved when it is sent: the journey's co-ordinator (or
 * its team's leads while it has none), or the team's leads or service managers.
 */
export interface Audience {
  role: RecipientRole;
  teamId: string;
  /** For `coordinator`: the journey's named co-ordinator when the notification was made. */
  coordinatorId?: string | null;
  /**
   * For `coordinator`: the person who owns the work instead (an MDT action's owner). It reaches
   * them, their cover while they are away, and otherwise the journey's co-ordinator on their behalf:
   * never a leaver alone (HAZ-35).
   */
  ownerId?: string;
}

/** One delivery: to whom, and for whom they stand in when it is cover. */
export interface Delivery {
  recipient: string;
  /** The person it was for, away or gone, whose work this is. */
  onBehalfOf?: string;
}

/** What the directory knows of a team at a moment: its members (with roles) and who is away. */
export interface TeamView {
  members: StaffMember[];
  /** Absences current at the moment, by the absent person's id. */
  away: Map<string, Absence>;
}

const holds = (m: StaffMember, role: RecipientRole, teamId: string) =>
  !m.leftAt && m.teams.includes(teamId) && m.roles.includes(role);

export const isAway = (a: Pick<Absence, 'from' | 'to'>, at: number): boolean =>
  Date.parse(a.from) <= at && at < Date.parse(a.to);

/**
 * Who receives a notification for `audience` now. A person away is replaced by their named cover
 * (when the cover is there), else by the next role up: a co-ordinator's work goes to the team's
 * leads, a lead's to the remaining leads or else the service managers. Someone who has left is
 * never a recipient. Empty only when the team has no one at all in the directory; the caller then
 * falls back to what the journey knew.
 */
export function resolveAudience(audience: Audience, team: TeamView): Delivery[] {
  const present = (id: string) => {
    const m = team.members.find((x) => x.staffId === id);
    return m && !m.leftAt && !team.away.has(id) ? m : undefined;
  };
  const coverFor = (id: string): Delivery | undefined => {
    const cover = team.away.get(id)?.coverId;
    return cover && present(cover) ? { recipient: cover, onBehalfOf: id } : undefined;
  };
  const holders = (role: RecipientRole) =>
    team.members.filter((m) => holds(m, role, audience.teamId)).map((m) => m.staffId);

  /** Everyone holding `role`: those there themselves, those away by their cover; else the next role up. */
  const byRole = (role: RecipientRole, forWhom?: string): Delivery[] => {
    const all = holders(role);
    const there = all
      .filter((id) => present(id))
      .map((id) => ({ recipient: id, ...(forWhom ? { onBehalfOf: forWhom } : {}) }));
    const covered = all.flatMap((id) => (present(id) ? [] : (coverFor(id) ?? [])));
    const out = dedupe([...there, ...covered]);
    if (out.length > 0 || role === 'service-manager') return out;
    return byRole(role === 'coordinator' ? 'team-lead' : 'service-manager', forWhom);
  };

  /** The journey's co-ordinator, their cover, else the team's leads; on behalf of `forWhom` when it is not theirs. */
  const coordinator = (named: string | null | undefined, forWhom?: string): Delivery[] => {
    if (!named) return byRole('team-lead', forWhom);
    if (present(named)) return [{ recipient: named, ...(forWhom ? { onBehalfOf: forWhom } : {}) }];
    const cover = coverFor(named);
    return cover ? [forWhom ? { ...cover, onBehalfOf: forWhom } : cover] : byRole('team-lead', forWhom ?? named);
  };

  if (audience.role === 'coordinator') {
    const owner = audience.ownerId;
    if (!owner) return coordinator(audience.coordinatorId);
    if (present(owner)) return [{ recipient: owner }];
    return [coverFor(owner) ?? coordinator(audience.coordinatorId, owner)].flat();
  }
  return byRole(audience.role);
}

function dedupe(ds: Delivery[]): Delivery[] {
  const seen = new Set<string>();
  return ds.filter((d) => (seen.has(d.recipient) ? false : (seen.add(d.recipient), true)));
}

/**
 * The people a programme file names, as directory entries: how `npm start` and the tests seed an
 * empty directory. A person named in several teams (or roles) is one entry with all of them.
 */
export function staffFromProgrammes(programmes: Programme[]): StaffMember[] {
  const people = new Map<string, StaffMember>();
  const add = (id: string, name: string, role: RecipientRole, teamId: string, maxCaseload?: number) => {
    const m = people.get(id) ?? { staffId: id, name, roles: [], teams: [] };
    if (!m.roles.includes(role)) m.roles.push(role);
    if (!m.teams.includes(teamId)) m.teams.push(teamId);
    if (maxCaseload !== undefined) m.maxCaseload = Math.max(m.maxCaseload ?? 0, maxCaseload);
    people.set(id, m);
  };
  for (const p of programmes)
    for (const t of p.teams) {
      for (const c of t.coordinators) add(c.id, c.name, 'coordinator', t.id, c.maxCaseload);
      for (const l of t.leads) add(l, l, 'team-lead', t.id);
      for (const m of t.serviceManagers) add(m, m, 'service-manager', t.id);
    }
  return [...people.values()];
}
