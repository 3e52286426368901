/**
 * Entries marked entered in error, as the API writes them now — one item per entry in the
 * journey's corrections partition (`CORRECTION#…`), so the API never writes the journey's own,
 * where its audit trail is (cdk/data.ts) — and as they were written before: on the entry and the
 * state item, with an amendment item in the journey's partition that held its fields at the top
 * level or in one `amendment` attribute. Every read (the journey, its entries, its amendments)
 * merges them, and an entry marked either way cannot be marked again.
 */
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { keys } from '../../activities/table.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';

useDynamoDbLocal();

describe('entries marked entered in error', () => {
  it('read the same whether marked now, in their own partition, or before issue 20 in the journey’s', async () => {
    const { doc, tableName: TableName } = currentTable();
    const read = createReadModel(doc, TableName);
    const journeyId = 'frailty-virtual-ward.pamendments01.a1b2';
    const put = (Item: Record<string, unknown>) => doc.send(new PutCommand({ TableName, Item }));
    const entry = (seq: number) =>
      put({
        ...keys.recordEntry(journeyId, seq),
        journeyId,
        seq,
        at: '2026-10-01T10:00:00.000Z',
        type: 'contact-logged',
        content: JSON.stringify({ kind: 'contact', notes: `contact ${seq}` }),
      });
    const mark = (seq: number, at: string, by = 'coord-ana') => ({
      seq,
      reason: 'Recorded against the wrong person',
      by,
      role: 'coordinator',
      at,
    });
    const flat = mark(3, '2026-11-01T10:00:00.000Z');
    const inOneAttribute = mark(5, '2026-11-15T10:00:00.000Z');
    for (const seq of [2, 7]) await entry(seq);

    // Before issue 20: the mark on the entry and the state item, and an amendment item beside them.
    for (const m of [flat, inOneAttribute])
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...keys.recordEntry(journeyId, m.seq), journeyId, type: 'contact-logged', ...entryOf(m) },
        }),
      );
    await put({
      ...keys.journeyState(journeyId),
      state: gzipSync(JSON.stringify({ journeyId })),
      enteredInError: [flat, inOneAttribute],
    });
    await put({
      ...keys.amendment(`JOURNEY#${journeyId}`, flat.at, 'old'),
      journeyId,
      kind: 'entered-in-error',
      ...flat,
    });
    await put({
      ...keys.amendment(`JOURNEY#${journeyId}`, inOneAttribute.at, 'new'),
      amendment: { journeyId, kind: 'entered-in-error', ...inOneAttribute },
    });

    // Now: in the corrections partition; an entry marked either way is marked once.
    const now = { reason: 'Duplicate of entry 2', by: 'lead-raj', role: 'team-lead', at: '2026-12-01T10:00:00.000Z' };
    expect(await read.markEnteredInError(journeyId, 7, now)).toBe('marked');
    expect(await read.markEnteredInError(journeyId, 7, { ...now, reason: 'Again' })).toBe('already');
    expect(await read.markEnteredInError(journeyId, 3, now)).toBe('already');
    expect(await read.markEnteredInError(journeyId, 9, now)).toBe('not-found');
    const latest = { seq: 7, ...now };

    const kinded = (m: object) => ({ kind: 'entered-in-error', ...m });
    expect(await read.journeyAmendments(journeyId)).toEqual([flat, inOneAttribute, latest].map(kinded));
    expect((await read.recordedJourney(journeyId))?.enteredInError).toEqual([flat, inOneAttribute, latest]);
    expect(
      (await read.recordEntries(journeyId)).map((e) => [e.seq, (e as { enteredInError?: unknown }).enteredInError]),
    ).toEqual([
      [2, undefined],
      [3, flat],
      [5, inOneAttribute],
      [7, latest],
    ]);
  });
});

/** An entry as it was kept once marked before issue 20: its content, with the mark beside it. */
function entryOf(m: { seq: number; at: string }) {
  return {
    seq: m.seq,
    at: '2026-10-01T10:00:00.000Z',
    content: JSON.stringify({ kind: 'contact', notes: `contact ${m.seq}` }),
    enteredInError: m,
  };
}
