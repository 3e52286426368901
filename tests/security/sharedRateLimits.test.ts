/**
 * Rate limits hold across instances: two apps (as two Lambda instances, or two local servers) with
 * limiters of their own count one caller's requests in the same DynamoDB Local table, so a flood
 * spread over instances is still cut at the limit, and another caller is untouched. The counts
 * expire (TTL) and name no patient.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../activities/table.js';
import { perCallerLimit } from '../../lambdas/rateLimits.js';
import { currentTable, useDynamoDbLocal } from '../support/dynamoDbLocal.js';

useDynamoDbLocal();

type E = { Variables: { caller: { sub: string } } };
/** The minute the test counts in, fixed when it starts (the count is per minute). */
let minute = 0;
function instance(limit: number) {
  const table = currentTable();
  const app = new Hono<E>();
  app.use(async (ctx, next) => {
    ctx.set('caller', { sub: ctx.req.header('x-caller')! });
    await next();
  });
  app.use(
    perCallerLimit<E>(limit, (ctx, retryAfter) => ctx.text('slow down', 429, { 'retry-after': String(retryAfter) }), {
      door: 'intake',
      // One minute for the whole test: the count is per minute, and the wall clock could turn mid-test.
      counts: { doc: table.doc, tableName: table.tableName, now: () => minute + 30_000 },
    }),
  );
  app.post('/referrals', (ctx) => ctx.text('accepted', 202));
  return (caller: string) => app.request('/referrals', { method: 'POST', headers: { 'x-caller': caller } });
}

describe('rate limits shared by every instance', () => {
  it(
    'cut one caller’s flood spread over two instances at the limit, and leave another caller alone',
    { timeout: 30_000 },
    async () => {
      minute = Math.floor(Date.now() / 60_000) * 60_000;
      const a = instance(3);
      const b = instance(3);
      const statuses = [];
      for (const send of [a, b, a]) statuses.push((await send('engine-trust-a')).status);
      expect(statuses).toEqual([202, 202, 202]);
      const over = await b('engine-trust-a');
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBeTruthy(); // its value: tests/security/rateLimits.test.ts
      expect((await a('engine-trust-b')).status).toBe(202);

      const { Items = [] } = await currentTable().doc.send(new ScanCommand({ TableName: currentTable().tableName }));
      const windows = Items.filter((i) => String(i.pk).startsWith('RATE#intake#'));
      expect(windows.map((i) => i.pk).sort()).toEqual(
        expect.arrayContaining(['RATE#intake#engine-trust-a', 'RATE#intake#engine-trust-b']),
      );
      const now = Date.now() / 1000;
      for (const w of windows) expect(w[TTL_ATTRIBUTE]).toBeGreaterThan(now);
      for (const w of windows) expect(w[TTL_ATTRIBUTE]).toBe((minute + 60_000) / 1000 + 3600);
    },
  );
});
