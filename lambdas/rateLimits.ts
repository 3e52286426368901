/**
 * Per-caller rate limits on the two doors the outside world pushes through: referral intake and
 * the hospital ADT feed. A runaway integration engine or a script in a loop slows to the limit
 * instead of starting thousands of journeys, and one caller's flood leaves every other caller's
 * limit untouched. The count is kept in DynamoDB, one item per caller, door and minute, so every
 * Lambda instance (and every local server) counts against the same limit; without a table (a test
 * of one process) it is kept in memory. In AWS, API Gateway's throttling is the outer limit.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { rateLimiter, type Store } from 'hono-rate-limiter';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, TTL_ATTRIBUTE } from '../activities/table.js';

export interface RateLimits {
  /** Referrals per caller per minute; 0 turns the limit off. */
  intakePerMinute: number;
  /** ADT messages per caller per minute; 0 turns the limit off. */
  adtPerMinute: number;
}

export const defaultRateLimits: RateLimits = { intakePerMinute: 600, adtPerMinute: 6000 };

export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): RateLimits {
  const read = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name} must be a whole number of requests per minute (0 for no limit), not "${value}".`);
    return n;
  };
  return {
    intakePerMinute: read('CAREPATH_RATE_LIMIT_INTAKE', defaultRateLimits.intakePerMinute),
    adtPerMinute: read('CAREPATH_RATE_LIMIT_ADT', defaultRateLimits.adtPerMinute),
  };
}

const WINDOW_MS = 60_000;

/** Where the counts are kept: one DynamoDB table shared by every instance, or (absent) this process. */
export interface SharedCounts {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The clock that says which minute a request falls in (the wall clock but in tests). */
  now?: () => number;
}

/**
 * A fixed-window count per caller in the table: an atomic ADD on the window's item, which expires
 * an hour after its minute ends (TTL), so nothing about who called piles up.
 */
export function sharedCountStore<E extends Env>(
  door: string,
  { doc, tableName, now = Date.now }: SharedCounts,
): Store<E> {
  const windowOf = () => Math.floor(now() / WINDOW_MS) * WINDOW_MS;
  const add = async (key: string, by: number) => {
    const start = windowOf();
    const out = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.rateWindow(door, key, start),
        UpdateExpression: 'ADD hits :by SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':by': by, ':ttl': Math.ceil((start + WINDOW_MS) / 1000) + 3600 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { totalHits: Number(out.Attributes?.hits ?? 0), resetTime: new Date(start + WINDOW_MS) };
  };
  return {
    prefix: door,
    // Counted in the table, not here: the limiter's own double-count check must not claim the key.
    localKeys: false,
    increment: (key) => add(key, 1),
    decrement: async (key) => void (await add(key, -1)),
    // Set to nothing, not deleted: the API may update items of the table, never delete them.
    resetKey: async (key) =>
      void (await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.rateWindow(door, key, windowOf()),
          UpdateExpression: 'SET hits = :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      )),
  };
}

/** A limiter keyed by the signed-in caller (set by the auth middleware before it). */
export function perCallerLimit<E extends Env>(
  perMinute: number,
  refuse: (ctx: Context<E>, retryAfterSeconds: number) => Response,
  shared?: { door: string; counts: SharedCounts | undefined },
): MiddlewareHandler<E> {
  if (perMinute <= 0) return async (_ctx, next) => next();
  return rateLimiter<E>({
    windowMs: WINDOW_MS,
    limit: perMinute,
    ...(shared?.counts ? { store: sharedCountStore<E>(shared.door, shared.counts) } : {}),
    standardHeaders: 'draft-6',
    keyGenerator: (ctx) => (ctx.get('caller' as never) as { sub: string } | undefined)?.sub ?? 'anonymous',
    handler: (ctx) => {
      const reset = Number(ctx.res.headers.get('RateLimit-Reset') ?? 60);
      return refuse(ctx, Number.isFinite(reset) && reset > 0 ? reset : 60);
    },
  });
}
