/**
 * What a journey worker converts with: the payload codec, when payloads are encrypted, and the
 * failure converter that moves failure messages and stack traces into payloads (so the codec seals
 * those too). The worker, its workflow bundle, the tests' workers and the chaos run's replays take
 * it from here.
 *
 * Only workers produce failures: workflows fail tasks and activities fail attempts. The API's
 * clients start, signal and query journeys and never send a failure, and Temporal's default
 * failure converter decodes encoded failures whatever its own setting, so clients need only the
 * codec. (The Lambda could not `require` this file by path from its single-file bundle anyway.)
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * Beside this module in the repository, and beside `worker.mjs` in the container, which inlines
 * this module (so `import.meta.url` is then the worker's).
 */
export const failureConverterPath = fileURLToPath(new URL('./failureConverter.cjs', import.meta.url));

export function workerDataConverter(codec?: PayloadCodec): DataConverter {
  return { failureConverterPath, ...(codec ? { payloadCodecs: [codec] } : {}) };
}
