/**
 * Reads and the few writes the API makes itself (patients, processed ADT ids, inbox
 * acknowledgements) — each an access pattern of the table in table.ts, answered by GetItem or
 * Query. Nothing here scans: a list of 100 000 journeys costs what one page of it costs.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Notification, TimelineEntry } from '../domain/journey.js';
import type { PersonDetails } from '../domain/person.js';
import type { JourneySummary } from '../domain/views.js';
import type { CaseloadMoveProgress } from '../domain/caseloadMove.js';
import { createRecordReads, type PatientJourney } from './journeyRecord.js';
import { batchGetAll, queryAll } from './dynamo.js';
import { createMdtMeetings } from './mdtMeetings.js';
import { createStaffDirectory } from './staffDirectory.js';
import { indexes, keys, monthsBetween, personIndexKeys, searchableName, TTL_ATTRIBUTE } from './table.js';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The person's current details, as their first referral gave them or an amendment changed them. */
export interface PatientRecord extends PersonDetails {
  patientId: string;
}

/**
 * `createdAt` is when the step fell due (the journey's record); `deliveredAt` when it reached the
 * inbox, later after an outage. Items written before deliveredAt was kept have none.
 */
export type InboxItem = Omit<Notification, 'recipients' | 'audience'> & {
  recipient: string;
  /** Whose work it is, when it reached this person as their cover (or as the next role up). */
  onBehalfOf?: string;
  deliveredAt?: string;
  ackedAt?: string;
};

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined) =>
  cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>) : undefined;
const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...rest } = item;
  return rest as T;
};

export function createReadModel(doc: DynamoDBDocumentClient, TableName: string) {
  async function page<T>(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
    limit: number,
    cursor?: string,
  ): Promise<Page<T>> {
    const startKey = decodeCursor(cursor);
    const out = await doc.send(
      new QueryCommand({ TableName, ...input, Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    const next = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<T>(i)), ...(next ? { nextCursor: next } : {}) };
  }

  return {
    ...createRecordReads(doc, TableName),
    /** The staff directory: who works where, absences and cover (activities/staffDirectory.ts). */
    staff: createStaffDirectory(doc, TableName),
    /** Teams' MDT meetings, as entered and as amended (activities/mdtMeetings.ts). */
    mdt: createMdtMeetings(doc, TableName),

    /** The people with these ids, by id: one batch read for a page of journeys or inbox items. */
    async people(patientIds: string[]): Promise<Map<string, PatientRecord>> {
      const unique = [...new Set(patientIds)];
      const items = await batchGetAll(doc, TableName, unique.map(keys.patient));
      return new Map(items.map((i) => [i.patientId as string, strip<PatientRecord>(i)]));
    },

    /**
     * Whose journeys these are, by journey id. The summary says, since it kept the pseudonym; a
     * summary written before it did is answered from the journey's state item.
     */
    async patientsOfJourneys(journeyIds: string[]): Promise<Map<string, string>> {
      const unique = [...new Set(journeyIds)];
      const read = (key: (id: string) => Record<string, unknown>, ids: string[]) =>
        batchGetAll(doc, TableName, ids.map(key), '#pk, patientId, journeyId', { '#pk': 'pk' });
      const byJourney = new Map<string, string>();
      const idOf = (i: Record<string, unknown>) => (i.pk as string).slice('JOURNEY#'.length);
      for (const i of await read(keys.journey, unique))
        if (typeof i.patientId === 'string') byJourney.set(idOf(i), i.patientId);
      const older = unique.filter((id) => !byJourney.has(id));
      if (older.length)
        for (const i of await read(keys.journeyState, older))
          if (typeof i.patientId === 'string') byJourney.set(idOf(i), i.patientId);
      return byJourney;
    },

    /**
     * People born on `birthDate` whose names match `name`: every word of it begins the family or a
     * given name ("edith", "crane", "ed cra"). One query of a day's births, a handful of people.
     */
    async peopleNamed(name: string, birthDate: string): Promise<PatientRecord[]> {
      const words = name.split(/\s+/).map(searchableName).filter(Boolean);
      if (words.length === 0) return [];
      const born = await queryAll(doc, {
        TableName,
        IndexName: indexes.byTeamPhase,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `BORN#${birthDate}` },
      });
      return born
        .map((i) => strip<PatientRecord>(i))
        .filter((p) => {
          const names = [p.familyName, ...p.givenName.split(/\s+/)].map(searchableName);
          return words.every((w) => names.some((n) => n.startsWith(w)));
        });
    },

    /**
     * A person and the journeys they have, in one Query of their partition: the pointers
     * (`JOURNEY#…`) sort just before the profile (`PROFILE`), and the referrals as received and
     * the corrections (`REFERRAL#…`, `AMENDMENT#…`) fall outside the range, so the read is one
     * keyed request however much the person's record holds (bench: search).
     */
    async personAndJourneys(
      patientId: string,
    ): Promise<{ person: PatientRecord; journeys: PatientJourney[] } | undefined> {
      const items = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `PATIENT#${patientId}`, ':from': 'JOURNEY#', ':to': 'PROFILE' },
      });
      const profile = items.find((i) => i.sk === 'PROFILE');
      if (!profile) return undefined;
      const journeys = items
        .filter((i) => (i.sk as string).startsWith('JOURNEY#'))
        .map(({ pk: _pk, sk: _sk, ...j }) => j as unknown as PatientJourney);
      return { person: strip<PatientRecord>(profile), journeys };
    },

    async getPatient(patientId: string): Promise<PatientRecord | undefined> {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: keys.patient(patientId) }));
      return Item ? strip<PatientRecord>(Item) : undefined;
    },

    /**
     * Stores demographics the first time a person is referred. A later referral never changes them
     * (it keeps its own, as received): current demographics change only by an audited amendment.
     */
    async registerPatient(patient: PatientRecord): Promise<void> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...keys.patient(patient.patientId), ...patient, ...personIndexKeys(patient) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    /** The summaries of these journeys, by id (those that exist): one batch read. */
    async journeys(journeyIds: string[]): Promise<Map<string, JourneySummary>> {
      const items = await batchGetAll(doc, TableName, [...new Set(journeyIds)].map(keys.journey));
      return new Map(items.map((i) => [i.id as string, strip<JourneySummary>(i)]));
    },

    /**
     * How far the record of a journey has got: its summary's revision and the referrals in it,
     * read consistently. The summary is written last of a journey's record (activities/journeyStore.ts),
     * so what it shows the rest of the record has. A small read, for answers that wait on the record
     * (lambdas/routes/recorded.ts) and poll it: never the journey's whole, compressed state.
     */
    async recordedSoFar(journeyId: string): Promise<{ revision: number; referralIds: string[] } | undefined> {
      const { Item } = await doc.send(
        new GetCommand({
          TableName,
          Key: keys.journey(journeyId),
          ConsistentRead: true,
          ProjectionExpression: '#revision, #referralIds',
          ExpressionAttributeNames: { '#revision': 'revision', '#referralIds': 'referralIds' },
        }),
      );
      if (!Item) return undefined;
      return { revision: Item.revision as number, referralIds: (Item.referralIds ?? []) as string[] };
    },

    async getJourney(journeyId: string): Promise<JourneySummary | undefined> {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: keys.journey(journeyId) }));
      return Item ? strip<JourneySummary>(Item) : undefined;
    },

    journeysByTeamPhase(teamId: string, phase: string, limit = 50, cursor?: string) {
      return page<JourneySummary>(
        {
          IndexName: indexes.byTeamPhase,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `TEAM#${teamId}#PHASE#${phase}` },
        },
        limit,
        cursor,
      );
    },

    journeysByCoordinator(coordinatorId: string, limit = 50, cursor?: string) {
      return page<JourneySummary>(
        {
          IndexName: indexes.byCoordinator,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `COORD#${coordinatorId}` },
        },
        limit,
        cursor,
      );
    },

    /** Open journeys of a team, soonest due first. */
    openByTeam(teamId: string, limit = 50, cursor?: string) {
      return page<JourneySummary>(
        {
          IndexName: indexes.openByTeam,
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `TEAM#${teamId}#OPEN` },
        },
        limit,
        cursor,
      );
    },

    /** Open journeys of a team whose next deadline is already past, most overdue first. */
    overdueByTeam(teamId: string, now: Date, limit = 50, cursor?: string) {
      return page<JourneySummary>(
        {
          IndexName: indexes.openByTeam,
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :now',
          ExpressionAttributeValues: { ':pk': `TEAM#${teamId}#OPEN`, ':now': now.toISOString() },
        },
        limit,
        cursor,
      );
    },

    /** Every audit event of a team in [from, to), oldest first: one range query per month touched. */
    async eventsOfTeam(
      teamId: string,
      from: Date,
      to: Date,
    ): Promise<(TimelineEntry & { journeyId: string; programmeId: string; teamId: string })[]> {
      const events: (TimelineEntry & { journeyId: string; programmeId: string; teamId: string })[] = [];
      for (const month of monthsBetween(from, to)) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await doc.send(
            new QueryCommand({
              TableName,
              IndexName: indexes.byTeamPhase,
              KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': `EVENTS#${teamId}#${month}`,
                ':from': from.toISOString(),
                ':to': `${to.toISOString()}`,
              },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          for (const item of out.Items ?? []) if ((item.at as string) < to.toISOString()) events.push(strip(item));
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }
      return events;
    },

    auditTrail(journeyId: string, limit = 500, cursor?: string) {
      return page<TimelineEntry & { journeyId: string }>(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: { ':pk': `JOURNEY#${journeyId}`, ':audit': 'AUDIT#' },
        },
        limit,
        cursor,
      );
    },

    inbox(userId: string, limit = 50, cursor?: string) {
      return page<InboxItem>(
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INBOX#${userId}` },
          ScanIndexForward: false,
        },
        limit,
        cursor,
      );
    },

    /**
     * A team's alerts since `since` that the staff directory had no one to give to (HAZ-27),
     * newest first: shown on the team's page until someone is in the directory to take them.
     */
    async unrouted(teamId: string, since: Date, limit = 50): Promise<InboxItem[]> {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': `UNROUTED#${teamId}`, ':since': since.toISOString() },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((i) => strip<InboxItem>(i));
    },

    /** Acknowledges an inbox item; false when the user has no such item. */
    async acknowledge(userId: string, createdAt: string, notificationId: string, at: Date): Promise<boolean> {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.inbox(userId, createdAt, notificationId),
            UpdateExpression: 'SET ackedAt = if_not_exists(ackedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at.toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    /** A team's caseload moves and their progress, newest first (workflows/caseloadMove.ts). */
    async caseloadMoves(teamId: string, limit = 20): Promise<CaseloadMoveProgress[]> {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CASELOAD-MOVE#${teamId}` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((i) => strip<CaseloadMoveProgress>(i));
    },

    async caseloads(teamId: string): Promise<{ coordinatorId: string; count: number }[]> {
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :coord)',
          ExpressionAttributeValues: { ':pk': `CASELOAD#${teamId}`, ':coord': 'COORD#' },
        }),
      );
      return Items.map((i) => ({ coordinatorId: i.coordinatorId as string, count: i.count as number }));
    },

    /** Whether an ADT message id has not been processed yet. */
    async isNewAdtMessage(facility: string, controlId: string): Promise<boolean> {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: keys.adtMessage(facility, controlId) }));
      return !Item;
    },

    /** Records an ADT message id; false if it was seen before (a duplicate to acknowledge and ignore). */
    async recordAdtMessage(facility: string, controlId: string, at: Date, keepDays = 90): Promise<boolean> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...keys.adtMessage(facility, controlId),
              receivedAt: at.toISOString(),
              [TTL_ATTRIBUTE]: Math.floor(at.getTime() / 1000) + keepDays * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
export type ReadModel = ReturnType<typeof createReadModel>;
