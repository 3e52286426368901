/**
 * A journey's amendments as the API writes them now — one `amendment` attribute, all the API may
 * write in a journey's partition (cdk/data.ts) — and as they were written before issue 20, with
 * their fields at the top level: both read back the same, oldest first.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { keys } from '../../activities/table.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';

useDynamoDbLocal();

describe("a journey's amendments", () => {
  it('read the same whether written as one attribute or, before issue 20, flat', async () => {
    const { doc, tableName: TableName } = currentTable();
    const journeyId = 'frailty-virtual-ward.pamendments01.a1b2';
    const earlier = {
      kind: 'entered-in-error',
      seq: 3,
      reason: 'Recorded against the wrong person',
      by: 'coord-ana',
      role: 'coordinator',
      at: '2026-11-01T10:00:00.000Z',
    };
    const later = { ...earlier, seq: 5, at: '2026-12-01T10:00:00.000Z', by: 'lead-raj', role: 'team-lead' };
    await doc.send(
      new PutCommand({
        TableName,
        Item: { ...keys.amendment(`JOURNEY#${journeyId}`, earlier.at, 'old'), journeyId, ...earlier },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName,
        Item: { ...keys.amendment(`JOURNEY#${journeyId}`, later.at, 'new'), amendment: { journeyId, ...later } },
      }),
    );
    expect(await createReadModel(doc, TableName).journeyAmendments(journeyId)).toEqual([earlier, later]);
  });
});
