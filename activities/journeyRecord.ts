/**
 * Reads of the clinical record (domain/record.ts), and the record writes the API makes itself:
 * - a referral's demographics exactly as they arrived;
 * - corrections: an entry marked "entered in error", and amendments to a person's demographics,
 *   each with an amendment item saying who, when, what and why (the original stays readable);
 * - the access log: who read whose record, when and by which route (append-only).
 * Each read is a GetItem or a Query of one partition; none asks Temporal anything.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { RecordContent } from '../domain/journey.js';
import type { JourneySnapshot, RecordEntry } from '../domain/record.js';
import type { PatientRecord } from './readModel.js';
import { queryAll } from './dynamo.js';
import { indexes, keys, personIndexKeys, referrerIndexKeys } from './table.js';

/** That a person has a journey (the pointer the API writes when a referral reaches one). */
export interface PatientJourney {
  patientId: string;
  journeyId: string;
  programmeId: string;
  teamId: string;
  referredAt: string;
}

/** Who made a correction, and why. */
export interface Correction {
  reason: string;
  by: string;
  role: string;
  at: string;
}

/** An entry marked as entered in error: the entry stays, with this beside it. */
export type EnteredInError = Correction & { seq: number };

/** Demographics a person may have amended (never the NHS number: that is who they are). */
export type Demographics = Omit<PatientRecord, 'patientId' | 'nhsNumber'>;
export type DemographicChanges = {
  [K in keyof Demographics]?: undefined extends Demographics[K] ? Demographics[K] | null : Demographics[K];
};

export interface DemographicAmendment extends Correction {
  amendmentId: string;
  before: Demographics;
  after: Demographics;
}

/** A break-glass codec session: someone asked to decode Temporal history, and said why. */
export interface BreakGlassSession {
  /** Who asked, and in which role. */
  by: string;
  role: string;
  /** Their reason, in their words (an incident, a stuck journey); kept for the IG lead, never logged. */
  reason: string;
  at: string;
  /** When the session stops opening the codec. */
  until: string;
}

/** One read of a person's record. */
export interface RecordAccess {
  patientId: string;
  journeyId?: string;
  /** The reader's subject and role. */
  by: string;
  role: string;
  /** The route, e.g. `GET /journeys/{id}`. */
  route: string;
  /** Every request is logged as `requested`; one then refused (403, 404) has a second, `refused`, entry. */
  outcome: 'requested' | 'refused';
  at: string;
}

const isCancelled = (error: unknown, index: number): boolean =>
  error instanceof TransactionCanceledException &&
  error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

/** The attribute of the corrections item that holds entry `seq`'s mark. */
const MARK = 'mark-';
const markAttribute = (seq: number) => `${MARK}${seq}`;

/** The marks a corrections item holds, in the order they were made. */
const marksIn = (item: Record<string, unknown> | undefined): EnteredInError[] =>
  Object.entries(item ?? {})
    .filter(([name]) => name.startsWith(MARK))
    .map(([, mark]) => mark as EnteredInError)
    .sort((a, b) => a.at.localeCompare(b.at));

/**
 * Marks made since issue 20 with those made before it (which were kept in the journey's own
 * partition), one per entry, in the order they were made.
 */
function withEarlierMarks<M extends EnteredInError>(marks: M[], earlier: M[]): M[] {
  const seqs = new Set(earlier.map((m) => m.seq));
  return [...earlier, ...marks.filter((m) => !seqs.has(m.seq))].sort((a, b) => a.at.localeCompare(b.at));
}

const demographicsOf = ({ patientId: _p, nhsNumber: _n, ...rest }: PatientRecord & Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, revision: _r, amendedAt: _a, gsi1pk: _g1, gsi1sk: _g2, ...demographics } = rest;
  return demographics as Demographics;
};

/** A referral as the referrer sent it, demographics included: kept apart from the journey. */
export interface ReferralAsReceived {
  referralId: string;
  patientId: string;
  programmeId: string;
  receivedAt: string;
  /** Who sent it (the caller's subject). */
  receivedBy: string;
  /** The organisation they sent it for (their sign-in's ODS code), when it names one. */
  receivedByOrganisation?: string;
  /** The request body after validation: the patient as the referrer described them, and the rest. */
  referral: unknown;
}

export function createRecordReads(doc: DynamoDBDocumentClient, TableName: string) {
  /** Every item of a partition whose sort key begins with `prefix`, in order. */
  const all = (pk: string, prefix: string) =>
    queryAll(doc, {
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    });

  /** The items of a (index) partition with sort key between `from` and `to`, in order, at most `limit`. */
  const range = (index: string | undefined, pk: string, from: string, to: string, limit: number) => {
    const [pkName, skName] = index ? [`${index.toLowerCase()}pk`, `${index.toLowerCase()}sk`] : ['pk', 'sk'];
    return queryAll(
      doc,
      {
        TableName,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': pkName, '#sk': skName },
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
      },
      limit,
    );
  };

  const accessOf = (i: Record<string, unknown>): RecordAccess => {
    const { pk: _a, sk: _b, gsi1pk: _c, gsi1sk: _d, gsi2pk: _e, gsi2sk: _f, ...access } = i;
    return access as unknown as RecordAccess;
  };

  /** The entries of a journey marked entered in error since issue 20 (its corrections item). */
  const marksOf = async (journeyId: string): Promise<EnteredInError[]> => {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: keys.entriesInError(journeyId), ConsistentRead: true }),
    );
    return marksIn(Item);
  };

  /**
   * Items by key, read consistently in one request: a journey read stays one DynamoDB command for
   * the journey however it is corrected. Keys left unprocessed (only when throttled) are read singly.
   */
  const consistentBatch = async (wanted: Record<string, unknown>[]) => {
    const out = await doc.send(
      new BatchGetCommand({ RequestItems: { [TableName]: { Keys: wanted, ConsistentRead: true } } }),
    );
    const found = [...(out.Responses?.[TableName] ?? [])];
    for (const Key of out.UnprocessedKeys?.[TableName]?.Keys ?? []) {
      const { Item } = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
      if (Item) found.push(Item);
    }
    return found;
  };

  return {
    /**
     * The journey as last recorded, with the entries people have since marked as entered in error;
     * undefined if it never was (an unknown id, or a journey from before the record kept state).
     */
    async recordedJourney(
      journeyId: string,
    ): Promise<{ snapshot: JourneySnapshot; enteredInError: EnteredInError[] } | undefined> {
      const [state, corrections] = [keys.journeyState(journeyId), keys.entriesInError(journeyId)];
      const found = await consistentBatch([state, corrections]);
      const Item = found.find((i) => i.sk === state.sk);
      if (!Item?.state) return undefined;
      const marks = marksIn(found.find((i) => i.sk === corrections.sk));
      return {
        snapshot: JSON.parse(gunzipSync(Item.state as Uint8Array).toString('utf8')) as JourneySnapshot,
        enteredInError: withEarlierMarks(marks, (Item.enteredInError as EnteredInError[] | undefined) ?? []),
      };
    },

    /**
     * The entries marked entered in error of many journeys (their corrections items, 100 to a
     * batch read), for evaluation to leave out. Marks from before issue 20, kept in a journey's
     * own partition, are not read: they predate outcome measures, which are all evaluation asks of.
     */
    async entriesInErrorOf(journeyIds: readonly string[]): Promise<Map<string, Set<number>>> {
      const marks = new Map<string, Set<number>>();
      const ids = [...new Set(journeyIds)];
      for (let i = 0; i < ids.length; i += 100) {
        const found = await consistentBatch(ids.slice(i, i + 100).map((id) => keys.entriesInError(id)));
        for (const item of found) {
          const journeyId = (item.pk as string).slice('CORRECTION#'.length);
          const seqs = marksIn(item).map((m) => m.seq);
          if (seqs.length > 0) marks.set(journeyId, new Set(seqs));
        }
      }
      return marks;
    },

    /**
     * Marks an entry of a journey's record as entered in error, with why and by whom: the entry
     * stays as it was, readable, and the mark is kept beside it, in the journey's corrections
     * item (an attribute per entry, set once). It changes what the record says, not what the
     * journey did: a wrong entry's effects (a deadline it met) are put right with a new command.
     */
    async markEnteredInError(
      journeyId: string,
      seq: number,
      correction: Correction,
    ): Promise<'marked' | 'not-found' | 'already'> {
      const mark: EnteredInError = { seq, ...correction };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              // The entry is there, and was not marked before issue 20 (on the entry itself).
              {
                ConditionCheck: {
                  TableName,
                  Key: keys.recordEntry(journeyId, seq),
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(enteredInError)',
                },
              },
              {
                Update: {
                  TableName,
                  Key: keys.entriesInError(journeyId),
                  UpdateExpression: 'SET #mark = :mark',
                  ConditionExpression: 'attribute_not_exists(#mark)',
                  ExpressionAttributeNames: { '#mark': markAttribute(seq) },
                  ExpressionAttributeValues: { ':mark': mark },
                },
              },
            ],
          }),
        );
        return 'marked';
      } catch (error) {
        if (isCancelled(error, 1)) return 'already';
        if (!isCancelled(error, 0)) throw error;
        const { Item } = await doc.send(
          new GetCommand({ TableName, Key: keys.recordEntry(journeyId, seq), ConsistentRead: true }),
        );
        return Item ? 'already' : 'not-found';
      }
    },

    /**
     * Amends a person's current demographics: an optimistic update of their profile and, in the
     * same transaction, an amendment item holding the details before and after. `null` removes an
     * optional detail. Undefined when the person has no profile; 'conflict' when another amendment
     * got there first (read again and retry).
     */
    async amendDemographics(
      patientId: string,
      changes: DemographicChanges,
      correction: Correction,
    ): Promise<DemographicAmendment | 'conflict' | undefined> {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: keys.patient(patientId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const revision = (Item.revision as number | undefined) ?? 0;
      const before = demographicsOf(Item as PatientRecord & Record<string, unknown>);
      const after = { ...before } as Record<string, unknown>;
      for (const [field, value] of Object.entries(changes)) {
        if (value === undefined) continue;
        if (value === null) delete after[field];
        else after[field] = value;
      }
      const set = Object.entries(changes).filter(([, v]) => v !== undefined && v !== null);
      const remove = Object.entries(changes).filter(([, v]) => v === null);
      const amendment: DemographicAmendment = {
        amendmentId: randomUUID(),
        before,
        after: after as Demographics,
        ...correction,
      };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName,
                  Key: keys.patient(patientId),
                  UpdateExpression: [
                    `SET ${[...set.map(([f]) => `#${f} = :${f}`), '#revision = :next', 'amendedAt = :at', 'gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk'].join(', ')}`,
                    ...(remove.length ? [`REMOVE ${remove.map(([f]) => `#${f}`).join(', ')}`] : []),
                  ].join(' '),
                  ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#revision) OR #revision = :rev)',
                  ExpressionAttributeNames: Object.fromEntries([
                    ['#revision', 'revision'],
                    ...[...set, ...remove].map(([f]) => [`#${f}`, f]),
                  ]),
                  ExpressionAttributeValues: {
                    ...Object.fromEntries(set.map(([f, v]) => [`:${f}`, v])),
                    ':next': revision + 1,
                    ':rev': revision,
                    ':at': correction.at,
                    // Found by the name and date of birth it now has (search), not the old ones.
                    ...Object.fromEntries(
                      Object.entries(personIndexKeys({ patientId, ...(after as Demographics) })).map(([k, v]) => [
                        `:${k}`,
                        v,
                      ]),
                    ),
                  },
                },
              },
              {
                Put: {
                  TableName,
                  Item: {
                    ...keys.amendment(`PATIENT#${patientId}`, correction.at, amendment.amendmentId),
                    kind: 'demographics',
                    patientId,
                    ...amendment,
                  },
                },
              },
            ],
          }),
        );
        return amendment;
      } catch (error) {
        if (isCancelled(error, 0)) return 'conflict';
        throw error;
      }
    },

    /** A person's demographic amendments, oldest first. */
    async demographicAmendments(patientId: string): Promise<DemographicAmendment[]> {
      const items = await all(`PATIENT#${patientId}`, 'AMENDMENT#');
      return items.map(({ pk: _pk, sk: _sk, kind: _k, patientId: _p, ...a }) => a as unknown as DemographicAmendment);
    },

    /** Logs one read of a person's record. Append-only: each read is a new item, never changed. */
    async recordAccess(access: RecordAccess): Promise<void> {
      const id = randomUUID();
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...keys.access(access.patientId, access.by, access.at, id), ...access },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    /** Reads of one person's record in [from, to), oldest first (at most `limit`). */
    accessToPatient: async (patientId: string, from: string, to: string, limit = 1000) =>
      (await range(undefined, `ACCESS#${patientId}`, from, `${to}`, limit))
        .filter((i) => (i.at as string) < to)
        .map(accessOf),

    /** One person's reads of anyone's record in [from, to), oldest first (at most `limit`). */
    accessByUser: async (userId: string, from: string, to: string, limit = 1000) =>
      (await range(indexes.byTeamPhase, `ACCESS-BY#${userId}`, from, to, limit))
        .filter((i) => (i.at as string) < to)
        .map(accessOf),

    /** Every read in [from, to), oldest first (at most `limit`): one query per day touched. */
    async accessInPeriod(from: string, to: string, limit = 1000): Promise<RecordAccess[]> {
      const out: RecordAccess[] = [];
      for (let day = Date.parse(from.slice(0, 10)); day < Date.parse(to) && out.length < limit; day += 86_400_000) {
        const items = await range(
          indexes.byCoordinator,
          `ACCESS-ON#${new Date(day).toISOString().slice(0, 10)}`,
          from,
          to,
          limit - out.length,
        );
        out.push(...items.filter((i) => (i.at as string) < to).map(accessOf));
      }
      return out;
    },

    /** Keeps a break-glass codec session. Append-only: a new item each time, never changed. */
    async recordBreakGlass(session: BreakGlassSession): Promise<void> {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...keys.breakGlass(session.at, randomUUID()), ...session },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    /** Break-glass codec sessions begun in [from, to), oldest first (at most `limit`): one query per year touched. */
    async breakGlassIn(from: string, to: string, limit = 1000): Promise<BreakGlassSession[]> {
      const out: BreakGlassSession[] = [];
      for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)) && out.length < limit; year++) {
        const items = await range(undefined, `BREAK-GLASS#${year}`, from, to, limit - out.length);
        out.push(
          ...items
            .filter((i) => (i.at as string) < to)
            .map(({ pk: _pk, sk: _sk, ...session }) => session as unknown as BreakGlassSession),
        );
      }
      return out;
    },

    /**
     * The journey as last recorded, or undefined if it never was (an unknown id, or a journey from or undefined if it never was (an unknown id, or a journey from
     * before the record kept state). Read consistently: whoever just acted sees their change.
     */
    async journeySnapshot(journeyId: string): Promise<JourneySnapshot | undefined> {
      const { Item } = await doc.send(
        new GetCommand({
          TableName,
          Key: keys.journeyState(journeyId),
          ConsistentRead: true,
          ProjectionExpression: '#state',
          ExpressionAttributeNames: { '#state': 'state' },
        }),
      );
      if (!Item?.state) return undefined;
      return JSON.parse(gunzipSync(Item.state as Uint8Array).toString('utf8')) as JourneySnapshot;
    },

    /** Every entry of a journey's record, oldest first, each with what was entered. */
    async recordEntries(journeyId: string): Promise<(RecordEntry & { enteredInError?: EnteredInError })[]> {
      const [items, marks] = await Promise.all([all(`JOURNEY#${journeyId}`, 'ENTRY#'), marksOf(journeyId)]);
      const bySeq = new Map(marks.map((m) => [m.seq, m]));
      return items.map(({ pk: _pk, sk: _sk, journeyId: _j, content, ...entry }) => {
        // A mark made before issue 20 sits on the entry itself.
        const mark = (entry.enteredInError as EnteredInError | undefined) ?? bySeq.get(entry.seq as number);
        return {
          ...(entry as Omit<RecordEntry, 'content'>),
          content: JSON.parse(content as string) as RecordContent,
          ...(mark ? { enteredInError: mark } : {}),
        };
      });
    },

    /** Keeps a referral as it arrived; a second write of the same referral changes nothing. */
    async recordReferralAsReceived(r: ReferralAsReceived): Promise<void> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...keys.referralAsReceived(r.patientId, r.referralId),
              ...r,
              referral: JSON.stringify(r.referral),
              ...referrerIndexKeys(r),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    /** Which journey a referral reached (merged into an open one, or a new one): its referrer follows it there. */
    async noteReferralJourney(patientId: string, referralId: string, journeyId: string): Promise<void> {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.referralAsReceived(patientId, referralId),
          UpdateExpression: 'SET journeyId = :j',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':j': journeyId },
        }),
      );
    },

    /** The referrals `sub` made, newest first: a page, with its cursor. */
    async referralsBy(
      by: { sub: string } | { organisation: string },
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<{ items: (ReferralAsReceived & { journeyId?: string })[]; next?: Record<string, unknown> }> {
      const [index, attribute, pk] =
        'sub' in by
          ? [indexes.byCoordinator, 'gsi2pk', `REFERRED-BY#${by.sub}`]
          : [indexes.byTeamPhase, 'gsi1pk', `REFERRED-BY-ORG#${by.organisation}`];
      const out = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: index,
          KeyConditionExpression: `${attribute} = :pk`,
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map(
          ({ pk: _a, sk: _b, gsi1pk: _e, gsi1sk: _f, gsi2pk: _c, gsi2sk: _d, referral, ...r }) => ({
            ...(r as Omit<ReferralAsReceived, 'referral'> & { journeyId?: string }),
            referral: JSON.parse(referral as string) as unknown,
          }),
        ),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
    },

    /** Notes that the person has this journey (idempotent): the record knows of it before it is recorded. */
    async recordPatientJourney(j: PatientJourney): Promise<void> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...keys.patientJourney(j.patientId, j.journeyId), ...j },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async patientJourney(patientId: string, journeyId: string): Promise<PatientJourney | undefined> {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: keys.patientJourney(patientId, journeyId) }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...j } = Item;
      return j as PatientJourney;
    },

    /** Every journey of a person, in any programme. */
    async journeysOfPatient(patientId: string): Promise<PatientJourney[]> {
      return (await all(`PATIENT#${patientId}`, 'JOURNEY#')).map(
        ({ pk: _pk, sk: _sk, ...j }) => j as unknown as PatientJourney,
      );
    },

    /**
     * A journey's amendments (entries marked entered in error), oldest first: those in its
     * corrections item, and those made before issue 20, in its own partition, held either in
     * one `amendment` attribute or with their fields at the top level.
     */
    async journeyAmendments(journeyId: string): Promise<(EnteredInError & { kind: string })[]> {
      const [earlier, marks] = await Promise.all([all(`JOURNEY#${journeyId}`, 'AMENDMENT#'), marksOf(journeyId)]);
      const before = earlier.map((item) => {
        const {
          pk: _pk,
          sk: _sk,
          journeyId: _j,
          ...a
        } = (item.amendment as Record<string, unknown> | undefined) ?? item;
        return a as unknown as EnteredInError & { kind: string };
      });
      return withEarlierMarks(
        marks.map((m) => ({ kind: 'entered-in-error', ...m })),
        before,
      );
    },

    async referralAsReceived(patientId: string, referralId: string): Promise<ReferralAsReceived | undefined> {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: keys.referralAsReceived(patientId, referralId) }),
      );
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, referral, ...rest } = Item;
      return { ...(rest as Omit<ReferralAsReceived, 'referral'>), referral: JSON.parse(referral as string) as unknown };
    },
  };
}
