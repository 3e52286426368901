/**
 * Builds the dashboard (Vite) into dashboard/dist when its sources are newer than the last build,
 * so `npm start` and the tests always serve what is in the tree without rebuilding every time.
 * `npm run build:dashboard` forces a build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEntryPoint } from '../worker/entryPoint.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
export const dashboardDist = join(root, 'dist');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** The dashboard's own files, and the domain code it imports types and helpers from. */
const sources = () => [
  join(root, 'src'),
  join(root, 'public'),
  join(root, 'index.html'),
  join(root, 'vite.config.ts'),
  join(root, '..', 'domain'),
];

export function dashboardIsStale(): boolean {
  const built = join(dashboardDist, 'index.html');
  if (!existsSync(built)) return true;
  return Math.max(...sources().map(newest)) > statSync(built).mtimeMs;
}

export async function buildDashboard(opts: { force?: boolean } = {}): Promise<string> {
  if (opts.force || dashboardIsStale()) {
    const { build } = await import('vite');
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  }
  return dashboardDist;
}

if (isEntryPoint(import.meta.url)) {
  await buildDashboard({ force: true });
  process.stdout.write(`dashboard built into ${dashboardDist}\n`);
}
