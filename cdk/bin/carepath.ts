/**
 * `cdk synth` / `cdk deploy` entry point (cdk.json runs it with tsx). Needs the dashboard build:
 * uses `-c dashboardDist=<dir>` if given, else dashboard/dist, building it first when missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addCarepathStacks } from '../app.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const app = new App();

function dashboardDist(): string {
  const given = app.node.tryGetContext('dashboardDist') as string | undefined;
  if (given) {
    if (!existsSync(join(given, 'index.html'))) throw new Error(`-c dashboardDist=${given}: no index.html there`);
    return resolve(given);
  }
  const dist = join(root, 'dashboard', 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  const scripts =
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ??
    {};
  if (!scripts['build:dashboard'])
    throw new Error(
      'dashboard/dist is missing and package.json has no build:dashboard script; build the dashboard or pass -c dashboardDist=<dir>.',
    );
  // stdout belongs to `cdk synth` (it may print the template): the build's output goes to stderr.
  const built = spawnSync('npm', ['run', 'build:dashboard'], {
    cwd: root,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (built.status !== 0 || !existsSync(join(dist, 'index.html')))
    throw new Error('npm run build:dashboard failed or wrote no dashboard/dist/index.html');
  return dist;
}

addCarepathStacks(app, { dashboardDistDir: dashboardDist() });
app.synth();
