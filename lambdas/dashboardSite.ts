/**
 * The dashboard, served by the same app as the API, so the two share an origin: its built files at
 * `/` and a runtime `/config.json` telling it how people sign in (and, locally, where the Temporal
 * Web UI is). On Node (`npm start`) the files are dashboard/dist; on Lambda they are bundled beside
 * the handler (cdk/api.ts) and CloudFront caches the fingerprinted assets (cdk/site.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Env, Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { DashboardConfig } from '../domain/dashboardConfig.js';

export type { DashboardConfig };

/** Where cdk/api.ts puts the dashboard's build in the Lambda bundle, beside the handler. */
export const BUNDLED_DASHBOARD_DIR = 'dashboard';
/** The Cognito hosted UI domain the dashboard signs in through, given to the Lambda by cdk/api.ts. */
export const COGNITO_DOMAIN_ENV = 'COGNITO_DOMAIN';

/**
 * The dashboard as the Lambda serves it: the bundled build, signing in through Cognito's hosted UI
 * with the people's app client (the first of COGNITO_CLIENT_ID). Undefined when the bundle holds no
 * dashboard, or Cognito is not configured (then the API alone is served).
 */
export function bundledDashboard(root: string, env: NodeJS.ProcessEnv): DashboardSite | undefined {
  const [clientId] = (env.COGNITO_CLIENT_ID ?? '').split(',').filter(Boolean);
  const [region, userPoolId, domain] = [env.AWS_REGION, env.COGNITO_USER_POOL_ID, env[COGNITO_DOMAIN_ENV]];
  if (!existsSync(join(root, 'index.html')) || !clientId || !region || !userPoolId || !domain) return undefined;
  return { root, config: { apiBaseUrl: '', auth: { kind: 'cognito', region, userPoolId, clientId, domain } } };
}

export interface DashboardSite {
  /** The folder `npm run build:dashboard` wrote (dashboard/dist). */
  root: string;
  config: DashboardConfig;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The dashboard runs only its own scripts and styles and talks only to its own origin (and the API's). */
export function dashboardPolicy(config: DashboardConfig): string {
  const connect = [
    "'self'",
    ...(config.apiBaseUrl ? [new URL(config.apiBaseUrl).origin] : []),
    ...(config.auth.kind === 'cognito' ? [`https://${config.auth.domain}`] : []),
  ];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export const isDashboardPath = (path: string) =>
  path === '/' || path === '/config.json' || path === '/favicon.svg' || path.startsWith('/assets/');

/** Security headers for everything; the dashboard's pages get their own content policy. */
export function securityHeaders(site: DashboardSite | undefined) {
  const common = {
    crossOriginResourcePolicy: 'same-site',
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    referrerPolicy: 'no-referrer',
  } as const;
  const api = secureHeaders({
    ...common,
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  });
  if (!site) return api;
  const page = secureHeaders(common);
  const policy = dashboardPolicy(site.config);
  return async (ctx: Parameters<typeof api>[0], next: () => Promise<void>) => {
    if (!isDashboardPath(ctx.req.path)) return api(ctx, next);
    await page(ctx, next);
    ctx.res.headers.set('content-security-policy', policy);
  };
}

export function serveDashboard<E extends Env>(app: Hono<E>, site: DashboardSite): void {
  const root = normalize(site.root);
  const send = async (file: string, cache: string) => {
    const path = normalize(join(root, file));
    if (!path.startsWith(root + sep)) return undefined;
    const body = await readFile(path).catch(() => undefined);
    if (!body) return undefined;
    return new Response(body, {
      headers: { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': cache },
    });
  };
  app.get(
    '/',
    async (ctx) =>
      (await send('index.html', 'no-cache')) ??
      ctx.text('The dashboard is not built: run npm run build:dashboard.', 503),
  );
  app.get('/favicon.svg', async (ctx, next) => (await send('favicon.svg', 'public, max-age=86400')) ?? next());
  app.get('/config.json', (ctx) => ctx.json(site.config, 200, { 'cache-control': 'no-cache' }));
  // Vite fingerprints everything under assets/, so it may be cached for good.
  app.get(
    '/assets/*',
    async (ctx, next) => (await send(ctx.req.path.slice(1), 'public, max-age=31536000, immutable')) ?? next(),
  );
}
