/**
 * Builds what the worker's container image runs (the Dockerfile calls this, and so does the test
 * that proves the image's build steps work):
 *
 * - `workflow-bundle.js`: the workflow code bundled once at build time by Temporal's
 *   `bundleWorkflowCode`, so a starting task does not spend seconds and memory running webpack;
 * - `worker.mjs` and `healthcheck.mjs`: our TypeScript compiled by esbuild into one ESM file each.
 *   Packages stay external and come from a production-only `npm ci`: Temporal's native core bridge
 *   and its workflow thread file must be loaded from node_modules, not inlined.
 *
 * Usage: `tsx scripts/buildWorker.ts <outDir>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleJourneyWorkflows } from '../worker/workflowBundle.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The files the image's CMD and HEALTHCHECK name, relative to the output directory. */
export const workerArtifacts = {
  workflowBundle: 'workflow-bundle.js',
  worker: 'worker.mjs',
  healthcheck: 'healthcheck.mjs',
} as const;

/** The Node major the image runs: esbuild targets it, the Dockerfile's base image names it. */
export const WORKER_NODE_MAJOR = 22;

export async function buildWorker(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, workerArtifacts.workflowBundle), await bundleJourneyWorkflows());
  await build({
    entryPoints: { worker: join(root, 'worker', 'main.ts'), healthcheck: join(root, 'worker', 'healthcheck.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: `node${WORKER_NODE_MAJOR}`,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: tsx scripts/buildWorker.ts <outDir>');
    process.exit(2);
  }
  await buildWorker(resolve(outDir));
}
