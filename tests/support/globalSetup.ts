/**
 * Once per test run: make sure the real toolchain is installed, and bundle the workflow code once
 * (webpack takes seconds; every test worker reuses the bundle).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureToolchain } from '../../scripts/toolchain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(project: TestProject): Promise<void> {
  const toolchain = await ensureToolchain();
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(root, 'workflows', 'index.ts'),
    logger: new DefaultLogger('WARN'),
  });
  const bundlePath = join(root, 'node_modules', '.cache', 'carepath', 'workflow-bundle.js');
  mkdirSync(dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, code);
  project.provide('toolchain', toolchain);
  project.provide('workflowBundlePath', bundlePath);
}

declare module 'vitest' {
  export interface ProvidedContext {
    toolchain: Awaited<ReturnType<typeof ensureToolchain>>;
    workflowBundlePath: string;
  }
}
