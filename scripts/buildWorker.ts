/**
 * Builds what the worker's container image runs (the Dockerfile calls this, and so does the test
 * that proves the image's build steps work):
 *
 * - `workflow-bundle.js`: the workflow code bundled once at build time by Temporal's
 *   `bundleWorkflowCode`, so a starting task does not spend seconds and memory running webpack;
 * - `worker.mjs` and `healthcheck.mjs`: our TypeScript compiled by esbuild into one ESM file each;
 * - `failureConverter.cjs`, which the SDK requires by path (temporal/dataConverter.ts).
 *   Packages stay external and come from a production-only `npm ci`: Temporal's native core bridge
 *   and its workflow thread file must be loaded from node_modules, not inlined.
 *
 * Usage: `tsx scripts/buildWorker.ts <outDir>`.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { failureConverterPath } from '../temporal/dataConverter.js';
import { bundleJourneyWorkflows } from '../worker/workflowBundle.js';
import { isEntryPoint } from '../worker/entryPoint.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The files the image's CMD and HEALTHCHECK name, relative to the output directory. */
export const workerArtifacts = {
  workflowBundle: 'workflow-bundle.js',
  worker: 'worker.mjs',
  healthcheck: 'healthcheck.mjs',
  failureConverter: basename(failureConverterPath),
} as const;

/**
 * The Node major the image runs: the one .nvmrc pins, as the tests and the Lambda run. esbuild
 * targets it and the Dockerfile's base image names it (a test holds the two together).
 */
export const WORKER_NODE_MAJOR = Number(readFileSync(join(root, '.nvmrc'), 'utf8').trim().split('.')[0]);

/**
 * Builds into `outDir` and returns the repository folders the worker's code came from, so a test
 * can hold the Dockerfile's COPY lines to them (a new folder the worker imports must be copied).
 */
export async function buildWorker(outDir: string): Promise<{ sourceFolders: string[] }> {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, workerArtifacts.workflowBundle), await bundleJourneyWorkflows());
  const result = await build({
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
    metafile: true,
  });
  // The workflow bundle is built by Temporal's bundler (worker/workflowBundle.ts), which reports
  // no inputs: esbuild walks the same entry point, writing nothing, to list them.
  const workflows = await build({
    entryPoints: [join(root, 'workflows', 'index.ts')],
    bundle: true,
    packages: 'external',
    platform: 'neutral',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  // The failure converter the SDK requires by path (temporal/dataConverter.ts), beside worker.mjs,
  // which inlines the module that names it.
  copyFileSync(failureConverterPath, join(outDir, workerArtifacts.failureConverter));
  const folders = [...Object.keys(result.metafile.inputs), ...Object.keys(workflows.metafile.inputs)]
    .map((input) => relative(root, resolve(root, input)).split(sep)[0]!)
    .filter((folder) => folder !== 'node_modules' && !folder.startsWith('..'));
  return { sourceFolders: [...new Set(folders)].sort() };
}

if (isEntryPoint(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: tsx scripts/buildWorker.ts <outDir>');
    process.exit(2);
  }
  await buildWorker(resolve(outDir));
}
