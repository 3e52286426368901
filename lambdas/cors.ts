/**
 * Which other origins may call the API from a browser, route by route. In AWS the dashboard is on
 * its own CloudFront origin and calls the API cross-origin with a bearer token in a header: it
 * needs CORS, but never credentials (cookies), so a page elsewhere can never ride a cookie into the
 * API. The two exceptions are the codec's: the Temporal Web UI calls `/codec/*` sending the
 * break-glass cookie, and the dashboard asks for that cookie at `/auth/codec-session` (a browser
 * keeps a cookie from a cross-origin answer only when the request was credentialed). Locally the
 * dashboard is served by the API itself, so only the Temporal UI is cross-origin.
 *
 * API Gateway answers nothing here: with its own CORS configured it would answer every preflight
 * alike and overwrite these headers (cdk/api.ts routes preflights to the app instead).
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { CODEC_PREFIX } from './routes/codec.js';

export const CODEC_SESSION_PATH = '/auth/codec-session';

export interface CorsOrigins {
  /** The dashboard's origin when it is not the API's own (AWS: its CloudFront URL). */
  dashboardOrigin?: string;
  /** The Temporal Web UI, which decodes history through `/codec/*`; the dev server's UI when absent. */
  temporalUiOrigin?: string;
}

const HEADERS = ['authorization', 'content-type'];
const MAX_AGE_SECONDS = 3600;

export function corsByRoute({ dashboardOrigin, temporalUiOrigin }: CorsOrigins): MiddlewareHandler {
  const codec = cors({
    origin: temporalUiOrigin ?? 'http://127.0.0.1:8233',
    // The Temporal UI names the namespace it is decoding for.
    allowHeaders: [...HEADERS, 'x-namespace'],
    allowMethods: ['POST', 'OPTIONS'],
    credentials: true,
    maxAge: MAX_AGE_SECONDS,
  });
  const none: MiddlewareHandler = (_ctx, next) => next();
  if (!dashboardOrigin) return (ctx, next) => (ctx.req.path.startsWith(`${CODEC_PREFIX}/`) ? codec : none)(ctx, next);
  const codecSession = cors({
    origin: dashboardOrigin,
    allowHeaders: HEADERS,
    allowMethods: ['POST', 'DELETE', 'OPTIONS'],
    credentials: true,
    maxAge: MAX_AGE_SECONDS,
  });
  const dashboard = cors({
    origin: dashboardOrigin,
    // Actions carry an idempotency key, so a retried one is not done twice (routes/journeys.ts).
    allowHeaders: [...HEADERS, 'idempotency-key'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['retry-after', 'location'],
    credentials: false,
    maxAge: MAX_AGE_SECONDS,
  });
  return (ctx, next) => {
    const path = ctx.req.path;
    if (path.startsWith(`${CODEC_PREFIX}/`)) return codec(ctx, next);
    if (path === CODEC_SESSION_PATH) return codecSession(ctx, next);
    return dashboard(ctx, next);
  };
}
