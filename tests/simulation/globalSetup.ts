/**
 * For `npm run simulate-year`: the toolchain and the workflow bundle, without the dashboard build
 * and browser the full suite's set-up also prepares.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureToolchain } from '../../scripts/toolchain.js';
import { bundleJourneyWorkflows } from '../../worker/workflowBundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(project: TestProject): Promise<void> {
  const toolchain = await ensureToolchain();
  const code = await bundleJourneyWorkflows();
  const bundlePath = join(root, 'node_modules', '.cache', 'carepath', 'workflow-bundle-simulation.js');
  mkdirSync(dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, code);
  project.provide('toolchain', toolchain);
  project.provide('workflowBundlePath', bundlePath);
}
