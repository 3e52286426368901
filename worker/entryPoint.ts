/**
 * Whether a module is the one Node was asked to run (`node x.ts`, `tsx x.ts`), so a file can be
 * both imported and run. Compared as real paths: a checkout reached through a symlink, or a path
 * with a space in it, must still count, or a health check "run" that way never checks anything.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return real(fileURLToPath(moduleUrl)) === real(argv1);
}
