/**
 * The Temporal dev server (the CLI this project builds) for one test file, on a free port with the
 * journey's search attributes registered: the real server, where the time-skipping one will not do.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { freePort } from '../../scripts/localServices.js';
import { journeySearchAttributes } from '../../temporal/searchAttributes.js';

export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: inject('toolchain').temporalCli },
      port: await freePort(),
      searchAttributes: [...journeySearchAttributes],
      ip: '127.0.0.1',
    },
  });
}
