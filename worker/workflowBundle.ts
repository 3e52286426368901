/**
 * How the journey workflow code is bundled for Temporal's sandbox — one place, so the worker, its
 * container image, the chaos run, the bench and the tests all run the same bundle.
 *
 * zod is preloaded (workflows/sharedModules.ts): evaluated once per worker and shared by every
 * journey, instead of once per journey — the SDK gives each workflow its own copy of every module
 * it did not preload, and zod's few hundred classes were most of a cached journey's memory and of
 * the CPU of starting one (README, "Performance"). The SDK deep-freezes what it preloads; zod
 * keeps no per-use state on its exports, and our own schemas, built per journey on first use
 * (`z.lazy` in domain/), are never frozen.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleOptions, bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { failureConverterPath } from '../temporal/dataConverter.js';

export const journeyWorkflowsPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');

export const journeyBundlerOptions = {
  preloadModules: [join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'sharedModules.ts')],
  // A journey's failures keep their messages and stack traces in sealed payloads (temporal/dataConverter.ts).
  failureConverterPath,
} satisfies Pick<BundleOptions, 'preloadModules' | 'failureConverterPath'>;

/** The bundled workflow code, as the worker's `workflowBundle: { code }` or a file's contents. */
export async function bundleJourneyWorkflows(workflowsPath: string = journeyWorkflowsPath): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: new DefaultLogger('WARN'),
    ...journeyBundlerOptions,
  });
  return code;
}
