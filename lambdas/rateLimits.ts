/**
 * Per-caller rate limits on the two doors the outside world pushes through: referral intake and
 * the hospital ADT feed. A runaway integration engine or a script in a loop slows to the limit
 * instead of starting thousands of journeys. In-process (per Node server or Lambda instance); in
 * AWS, API Gateway's throttling is the outer limit.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';

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

/** A limiter keyed by the signed-in caller (set by the auth middleware before it). */
export function perCallerLimit<E extends Env>(
  perMinute: number,
  refuse: (ctx: Context<E>, retryAfterSeconds: number) => Response,
): MiddlewareHandler<E> {
  if (perMinute <= 0) return async (_ctx, next) => next();
  return rateLimiter<E>({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (ctx) => (ctx.get('caller' as never) as { sub: string } | undefined)?.sub ?? 'anonymous',
    handler: (ctx) => {
      const reset = Number(ctx.res.headers.get('RateLimit-Reset') ?? 60);
      return refuse(ctx, Number.isFinite(reset) && reset > 0 ? reset : 60);
    },
  });
}
