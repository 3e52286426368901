/**
 * The API on AWS Lambda behind API Gateway (HTTP API events), serving the dashboard bundled beside
 * it too; dependencies built once per container.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';
import { BUNDLED_DASHBOARD_DIR, bundledDashboard } from './dashboardSite.js';
import { withOriginSecret } from './originLock.js';
import { withRuntimeSecrets } from './runtimeSecrets.js';
import { appDepsFromEnv } from './wiring.js';

const dashboard = bundledDashboard(join(dirname(fileURLToPath(import.meta.url)), BUNDLED_DASHBOARD_DIR), process.env);

const app = withRuntimeSecrets(process.env)
  .then(withOriginSecret)
  .then(appDepsFromEnv)
  .then((deps) => createApp({ ...deps, ...(dashboard ? { dashboard } : {}) }));

export const handler: ReturnType<typeof handle> = async (event, context) => handle(await app)(event, context);
