/**
 * Once per test run: make sure the real toolchain is installed, and bundle the workflow code once
 * (webpack takes seconds; every test worker reuses the bundle), and build the dashboard if its
 * sources changed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildDashboard } from '../../scripts/dashboardBuild.js';
import { ensureChromium, ensureToolchain } from '../../scripts/toolchain.js';
import { bundleJourneyWorkflows } from '../../worker/workflowBundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(project: TestProject): Promise<void> {
  const toolchain = await ensureToolchain();
  const chromium = await ensureChromium();
  await buildDashboard();
  const code = await bundleJourneyWorkflows();
  // Named by the checkout: a second checkout (a git worktree) that links this one's node_modules
  // must not overwrite the bundle a test run here is using.
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const bundlePath = join(root, 'node_modules', '.cache', 'carepath', `workflow-bundle-${checkout}.js`);
  mkdirSync(dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, code);
  project.provide('toolchain', toolchain);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('chromium', chromium);
}

declare module 'vitest' {
  export interface ProvidedContext {
    toolchain: Awaited<ReturnType<typeof ensureToolchain>>;
    workflowBundlePath: string;
    chromium: string;
  }
}
