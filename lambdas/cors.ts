/**
 * Which other origins may call the API from a browser. The dashboard is served by the API itself,
 * locally and in AWS (cdk/site.ts), so it never needs CORS, and no other page may call the API
 * with or without a sign-in. The one exception is the Temporal Web UI, which decodes history
 * through `/codec/*` from its own origin, sending the break-glass codec cookie: it alone is allowed
 * there, with credentials, and nowhere else.
 *
 * API Gateway answers nothing here: with its own CORS configured it would answer every route's
 * preflight alike and overwrite these headers (cdk/api.ts sends preflights to the app instead).
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { CODEC_PREFIX } from './routes/codec.js';

/** The Temporal Web UI of the dev server, when no other is configured. */
export const LOCAL_TEMPORAL_UI_ORIGIN = 'http://127.0.0.1:8233';

export function codecCors(temporalUiOrigin: string | undefined): MiddlewareHandler {
  const codec = cors({
    origin: temporalUiOrigin ?? LOCAL_TEMPORAL_UI_ORIGIN,
    // The Temporal UI names the namespace it is decoding for.
    allowHeaders: ['authorization', 'content-type', 'x-namespace'],
    allowMethods: ['POST', 'OPTIONS'],
    credentials: true,
    maxAge: 3600,
  });
  return (ctx, next) => (ctx.req.path.startsWith(`${CODEC_PREFIX}/`) ? codec(ctx, next) : next());
}
