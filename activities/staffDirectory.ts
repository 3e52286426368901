/**
 * The staff directory in DynamoDB: people (name, email, roles, teams, capacity), when they left,
 * and their absences with who covers. The admin API writes it; the journey's activities read it
 * when they notify or assign, so journeys never hold who works where (domain/staff.ts).
 *
 * Each person is a profile item with their absences beside it, and a membership item in each team
 * they work in, so a team's staff is one Query; each absence is listed under each of the person's
 * teams by when it ends, so who is away now is one range Query. The items of one change are
 * written in one transaction: a reader never sees a person in a team their profile does not name.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Absence, StaffMember, StaffMemberInput, TeamView } from '../domain/staff.js';
import { queryAll } from './dynamo.js';
import { keys } from './table.js';

type Item = Record<string, unknown>;
const strip = <T>({ pk: _pk, sk: _sk, ...rest }: Item): T => rest as T;

/** Why a directory change was refused: the admin API answers it as a problem, changing nothing. */
export class StaffDirectoryError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'StaffDirectoryError';
  }
}

export function createStaffDirectory(doc: DynamoDBDocumentClient, TableName: string) {
  const member = async (staffId: string): Promise<StaffMember | undefined> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: keys.staff(staffId), ConsistentRead: true }));
    return Item ? strip<StaffMember>(Item) : undefined;
  };

  const membership = (m: StaffMember, teamId: string) => ({
    Put: {
      TableName,
      Item: {
        ...keys.teamMember(teamId, m.staffId),
        staffId: m.staffId,
        name: m.name,
        roles: m.roles,
        teams: m.teams,
        ...(m.maxCaseload !== undefined ? { maxCaseload: m.maxCaseload } : {}),
      },
    },
  });
  const leaveTeam = (teamId: string, staffId: string) => ({
    Delete: { TableName, Key: keys.teamMember(teamId, staffId) },
  });
  /** The profile as changed, with who changed it and when. */
  const profile = (m: StaffMember, by: string, at: Date) => ({
    Put: { TableName, Item: { ...keys.staff(m.staffId), ...m, updatedBy: by, updatedAt: at.toISOString() } },
  });

  const directory = {
    member,

    /** Everyone who works in a team now (leavers are in no team), with who is away at `at`. */
    async teamView(teamId: string, at: number): Promise<TeamView> {
      const [members, absences] = await Promise.all([
        queryAll(doc, {
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `TEAM-STAFF#${teamId}` },
        }),
        directory.teamAbsences(teamId, at),
      ]);
      const away = new Map<string, Absence>();
      for (const a of absences) if (Date.parse(a.from) <= at) away.set(a.staffId, a);
      return { members: members.map((i) => strip<StaffMember>(i)), away };
    },

    /** A team's absences not yet over at `at` (current and to come), soonest ending first. */
    async teamAbsences(teamId: string, at: number): Promise<Absence[]> {
      const items = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND sk > :now',
        ExpressionAttributeValues: { ':pk': `TEAM-ABSENCE#${teamId}`, ':now': new Date(at).toISOString() },
      });
      return items.map((i) => strip<Absence>(i));
    },

    /** A person's absences, oldest first. */
    async absencesOf(staffId: string): Promise<Absence[]> {
      const items = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': `STAFF#${staffId}`, ':a': 'ABSENCE#' },
      });
      return items.map((i) => strip<Absence>(i));
    },

    /**
     * Adds a person, or changes one: their profile, and their membership of each team (joined,
     * kept, or left). Someone who had left and is put again has rejoined.
     */
    async putMember(staffId: string, input: StaffMemberInput, by: string, at = new Date()): Promise<StaffMember> {
      const before = await member(staffId);
      const m: StaffMember = { staffId, ...input };
      const left = (before?.leftAt ? [] : (before?.teams ?? [])).filter((t) => !m.teams.includes(t));
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            profile(m, by, at),
            ...m.teams.map((t) => membership(m, t)),
            ...left.map((t) => leaveTeam(t, staffId)),
          ],
        }),
      );
      return m;
    },

    /** Records that a person left: they keep their profile (for the record) and leave every team. */
    async markLeft(staffId: string, by: string, at = new Date()): Promise<StaffMember> {
      const before = await member(staffId);
      if (!before) throw new StaffDirectoryError('not-found', `No one in the directory is ${staffId}.`);
      if (before.leftAt) return before;
      const after = { ...before, leftAt: at.toISOString() };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [profile(after, by, at), ...before.teams.map((t) => leaveTeam(t, staffId))],
        }),
      );
      return after;
    },

    /**
     * Records a period away, with who covers. The cover must be in the directory, working, and in
     * one of the absent person's teams: notifications go to them, so a typo must not lose work.
     */
    async addAbsence(
      staffId: string,
      input: { from: string; to: string; coverId?: string; reason?: string },
      by: string,
      at = new Date(),
    ): Promise<Absence> {
      const person = await member(staffId);
      if (!person || person.leftAt) throw new StaffDirectoryError('not-found', `No one working here is ${staffId}.`);
      if (input.coverId !== undefined) {
        if (input.coverId === staffId)
          throw new StaffDirectoryError('invalid', 'coverId: no one covers for themselves.');
        const cover = await member(input.coverId);
        if (!cover || cover.leftAt || !cover.teams.some((t) => person.teams.includes(t)))
          throw new StaffDirectoryError(
            'invalid',
            `coverId: ${input.coverId} does not work in any of ${staffId}'s teams.`,
          );
      }
      const absence: Absence = {
        absenceId: randomUUID(),
        staffId,
        from: new Date(Date.parse(input.from)).toISOString(),
        to: new Date(Date.parse(input.to)).toISOString(),
        ...(input.coverId ? { coverId: input.coverId } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        recordedBy: by,
        recordedAt: at.toISOString(),
      };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: {
                  ...keys.staffAbsence(staffId, absence.from, absence.absenceId),
                  ...absence,
                  teams: person.teams,
                },
              },
            },
            ...person.teams.map((t) => ({
              Put: { TableName, Item: { ...keys.teamAbsence(t, absence.to, absence.absenceId), ...absence } },
            })),
          ],
        }),
      );
      return absence;
    },

    /** Takes an absence back (plans changed, or it was entered wrongly). */
    async cancelAbsence(staffId: string, absenceId: string): Promise<void> {
      const found = (
        await queryAll(doc, {
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': `STAFF#${staffId}`, ':a': 'ABSENCE#' },
        })
      ).find((i) => i.absenceId === absenceId);
      if (!found) throw new StaffDirectoryError('not-found', `${staffId} has no absence ${absenceId}.`);
      const a = found as Item & Absence & { teams: string[] };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName, Key: keys.staffAbsence(staffId, a.from, absenceId) } },
            ...a.teams.map((t) => ({ Delete: { TableName, Key: keys.teamAbsence(t, a.to, absenceId) } })),
          ],
        }),
      );
    },

    /**
     * Seeds the directory with the people a programme file names, each only if the directory has
     * never heard of them: once someone is in it (changed, or left), the directory is the truth and
     * the file does not put them back.
     */
    async seed(people: StaffMember[], at = new Date()): Promise<number> {
      let added = 0;
      for (const { staffId, ...input } of people) {
        if (await member(staffId)) continue;
        try {
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName,
                    Item: {
                      ...keys.staff(staffId),
                      staffId,
                      ...input,
                      updatedBy: 'programme file',
                      updatedAt: at.toISOString(),
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                ...input.teams.map((t) => membership({ staffId, ...input }, t)),
              ],
            }),
          );
          added += 1;
        } catch (error) {
          // Another process seeded them first (two workers starting together).
          if ((error as Error).name !== 'TransactionCanceledException') throw error;
        }
      }
      return added;
    },
  };
  return directory;
}

export type StaffDirectory = ReturnType<typeof createStaffDirectory>;
