/** The API on Node, for local use: `npm start` runs it; `PORT` (default 3000), 127.0.0.1 only. */
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type AppDeps } from './app.js';

export function startApiServer(deps: AppDeps, port: number): Promise<ServerType> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}
