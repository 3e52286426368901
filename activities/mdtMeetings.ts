/**
 * A team's MDT meetings in DynamoDB (domain/mdtMeetings.ts): each meeting as entered, put once
 * and never replaced, and each amendment beside it as an item of its own (who, when, why, and
 * what it says now). A meeting reads as amended; as first entered, it is still there.
 *
 * | item                                  | key                                                     |
 * |---------------------------------------|---------------------------------------------------------|
 * | a meeting, as entered                 | pk=MDT#<team>  sk=MEETING#<meetingId>                    |
 * | an amendment to it, in the order made | pk=MDT#<team>  sk=AMENDMENT#<meetingId>#<at>#<id>        |
 *
 * Meeting ids begin with the day the meeting was held, so a team's meetings list newest first.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { meetingAsAmended, type MdtAmendment, type MdtMeeting } from '../domain/mdtMeetings.js';

const partition = (teamId: string) => `MDT#${teamId}`;
const meetingKey = (teamId: string, meetingId: string) => ({ pk: partition(teamId), sk: `MEETING#${meetingId}` });
const amendmentKey = (teamId: string, a: Pick<MdtAmendment, 'meetingId' | 'at' | 'amendmentId'>) => ({
  pk: partition(teamId),
  sk: `AMENDMENT#${a.meetingId}#${a.at}#${a.amendmentId}`,
});

/** A meeting as it reads now, with the amendments that made it so. */
export interface MdtMeetingRead {
  meeting: MdtMeeting;
  amendments: MdtAmendment[];
}

const withoutKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

export function createMdtMeetings(doc: DynamoDBDocumentClient, TableName: string) {
  async function amendmentsOf(teamId: string, meetingId?: string): Promise<MdtAmendment[]> {
    const out: MdtAmendment[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': partition(teamId),
            ':prefix': meetingId ? `AMENDMENT#${meetingId}#` : 'AMENDMENT#',
          },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      out.push(...(page.Items ?? []).map((i) => withoutKeys<MdtAmendment>(i)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  return {
    /** Keeps a meeting as entered; false if a meeting of that id is already kept (nothing is replaced). */
    async record(meeting: MdtMeeting): Promise<boolean> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...meetingKey(meeting.teamId, meeting.meetingId), ...meeting },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async meeting(teamId: string, meetingId: string): Promise<MdtMeetingRead | undefined> {
      const [{ Item }, amendments] = await Promise.all([
        doc.send(new GetCommand({ TableName, Key: meetingKey(teamId, meetingId), ConsistentRead: true })),
        amendmentsOf(teamId, meetingId),
      ]);
      if (!Item) return undefined;
      return { meeting: meetingAsAmended(withoutKeys<MdtMeeting>(Item), amendments), amendments };
    },

    /** A team's meetings, newest first, each as amended. */
    async meetings(teamId: string, limit = 20): Promise<MdtMeetingRead[]> {
      const [{ Items = [] }, amendments] = await Promise.all([
        doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': partition(teamId), ':prefix': 'MEETING#' },
            ScanIndexForward: false,
            Limit: limit,
          }),
        ),
        amendmentsOf(teamId),
      ]);
      return Items.map((i) => {
        const meeting = withoutKeys<MdtMeeting>(i);
        const own = amendments.filter((a) => a.meetingId === meeting.meetingId);
        return { meeting: meetingAsAmended(meeting, own), amendments: own };
      });
    },

    /**
     * Takes one journey out of its team's meetings, when its record is deleted (retention) or the
     * person erased: what was said about them goes with their record, and the meeting (who met,
     * the others discussed) stays, saying how many were taken out. The only change ever made to a
     * kept meeting. Answers how many meeting and amendment items it changed.
     */
    async forgetJourney(teamId: string, journeyId: string): Promise<number> {
      let changed = 0;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': partition(teamId) },
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const [attribute, list] = String(item.sk).startsWith('MEETING#')
            ? (['discussed', (item as MdtMeeting).discussed] as const)
            : (['decisions', (item as MdtAmendment).decisions ?? []] as const);
          const kept = (list as { journeyId: string }[]).filter((d) => d.journeyId !== journeyId);
          if (kept.length === list.length) continue;
          await doc.send(
            new UpdateCommand({
              TableName,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET #list = :kept, journeysRemoved = if_not_exists(journeysRemoved, :zero) + :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#list': attribute },
              ExpressionAttributeValues: { ':kept': kept, ':zero': 0, ':one': 1 },
            }),
          );
          changed += 1;
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return changed;
    },

    /** Keeps an amendment beside its meeting: a new item each time, never a change to the meeting. */
    async amend(teamId: string, amendment: MdtAmendment): Promise<void> {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...amendmentKey(teamId, amendment), ...amendment },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
  };
}
export type MdtMeetings = ReturnType<typeof createMdtMeetings>;
