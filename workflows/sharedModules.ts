/**
 * Modules evaluated once per worker and shared by every journey in Temporal's sandbox (the worker
 * preloads this file: worker/workflowBundle.ts). Naming zod here keeps it in the bundle's preload —
 * `preloadModules: ['zod']` alone is dropped by the bundler as a side-effect-free import.
 */
import * as zod from 'zod';

export const sharedModules = [zod];

// zod sets its default locale and memoizer in a global on first use. Shared globals are frozen
// once preloading ends, so that first use has to happen now.
zod.object({ warm: zod.string() }).safeParse({ warm: 'up' });
