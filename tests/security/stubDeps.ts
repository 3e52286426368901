/**
 * Dependencies for an in-process app whose requests must be refused before they reach anything:
 * every data-bearing dependency throws the moment it is touched, so a test that gets its expected
 * 401/403 also proves nothing behind the door was read or written.
 */
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import type { AppDeps } from '../../lambdas/app.js';
import type { Authenticator } from '../../lambdas/auth.js';

export const touched: string[] = [];

function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined; // not a thenable
      touched.push(`${name}.${String(property)}`);
      throw new Error(`${name}.${String(property)} was reached by a request that should have been refused`);
    },
  });
}

export function closedDeps(auth: Authenticator, extra: Partial<AppDeps> = {}): AppDeps {
  return {
    programmes: parseProgrammes({ programmes: builtInProgrammes }, 'built-in'),
    gateway: untouchable('gateway'),
    read: untouchable('read'),
    auth,
    pseudonymKey: Buffer.alloc(32, 7),
    health: async () => ({ temporal: true, dynamodb: true }),
    ...extra,
  };
}
