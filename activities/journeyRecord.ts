/**
 * Reads of the clinical record (domain/record.ts), and the one record write the API makes itself:
 * a referral's demographics exactly as they arrived. Each read is a GetItem or a Query of one
 * journey's (or one patient's) partition; none asks Temporal anything.
 */
import { gunzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordContent } from '../domain/journey.js';
import type { JourneySnapshot, RecordEntry } from '../domain/record.js';
import { keys } from './table.js';

/** A referral as the referrer sent it, demographics included: kept apart from the journey. */
export interface ReferralAsReceived {
  referralId: string;
  patientId: string;
  programmeId: string;
  receivedAt: string;
  /** Who sent it (the caller's subject). */
  receivedBy: string;
  /** The request body after validation: the patient as the referrer described them, and the rest. */
  referral: unknown;
}

export function createRecordReads(doc: DynamoDBDocumentClient, TableName: string) {
  /** Every item of a partition whose sort key begins with `prefix`, in order. */
  async function all(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  return {
    /**
     * The journey as last recorded, or undefined if it never was (an unknown id, or a journey from
     * before the record kept state). Read consistently: whoever just acted sees their change.
     */
    async journeySnapshot(journeyId: string): Promise<JourneySnapshot | undefined> {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: keys.journeyState(journeyId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      return JSON.parse(gunzipSync(Item.state as Uint8Array).toString('utf8')) as JourneySnapshot;
    },

    /** Every entry of a journey's record, oldest first, each with what was entered. */
    async recordEntries(journeyId: string): Promise<RecordEntry[]> {
      const items = await all(`JOURNEY#${journeyId}`, 'ENTRY#');
      return items.map(({ pk: _pk, sk: _sk, journeyId: _j, content, ...entry }) => ({
        ...(entry as Omit<RecordEntry, 'content'>),
        content: JSON.parse(content as string) as RecordContent,
      }));
    },

    /** Keeps a referral as it arrived; a second write of the same referral changes nothing. */
    async recordReferralAsReceived(r: ReferralAsReceived): Promise<void> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...keys.referralAsReceived(r.patientId, r.referralId), ...r, referral: JSON.stringify(r.referral) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
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
