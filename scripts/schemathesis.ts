/**
 * Installs schemathesis (the OpenAPI fuzzer, from PyPI) pinned, into a Python virtual environment
 * in the same cache as the rest of the toolchain, and reuses it when present. The API fuzz test
 * calls this; it needs nothing but Python 3.9+ with the standard `venv` module.
 *
 * Run directly: `npx tsx scripts/schemathesis.ts` (prints the path of the `schemathesis` command).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, MissingPrerequisite } from './toolchain.js';

export const SCHEMATHESIS_VERSION = '4.32.5';

function log(message: string): void {
  process.stderr.write(`[schemathesis] ${message}\n`);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const keep = (chunk: Buffer) => {
      tail.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.trim()),
      );
      tail.splice(0, Math.max(0, tail.length - 30));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`)),
    );
  });
}

function findPython(): string {
  for (const candidate of [process.env.CAREPATH_PYTHON, 'python3', 'python'].filter((c): c is string => !!c)) {
    const r = spawnSync(candidate, ['-c', 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)'], {
      stdio: 'ignore',
    });
    if (r.status === 0) return candidate;
  }
  throw new MissingPrerequisite(
    'python3 (3.9 or newer, with venv) is not installed: it is needed to run schemathesis, the API fuzzer. Install it (`apt-get install python3 python3-venv`) or set CAREPATH_PYTHON.',
  );
}

/** The virtual environment holding the pinned schemathesis, installed on first use. */
export async function ensureSchemathesis(): Promise<string> {
  const target = join(cacheDir, `schemathesis-${SCHEMATHESIS_VERSION}`);
  if (existsSync(join(target, '.complete'))) return target;
  const python = findPython();
  mkdirSync(cacheDir, { recursive: true });
  const started = Date.now();
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${target} (first time only)…`);
  // Unique per process, so two test workers installing at once never share a scratch folder.
  const scratch = mkdtempSync(join(cacheDir, '.building-schemathesis-'));
  try {
    await run(python, ['-m', 'venv', scratch]);
    await run(join(scratch, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ]);
    writeFileSync(join(scratch, '.complete'), new Date().toISOString());
    if (existsSync(join(target, '.complete'))) {
      rmSync(scratch, { recursive: true, force: true }); // another process finished first
    } else {
      rmSync(target, { recursive: true, force: true });
      renameSync(scratch, target);
    }
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  log(`installed schemathesis in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

/**
 * How to run it: the venv's interpreter with the module. The venv was built in a scratch folder
 * and renamed into place, so the shebangs of its scripts (bin/schemathesis) name a path that is
 * gone; the interpreter finds its packages from where it now is.
 */
export async function schemathesisCommand(): Promise<{ command: string; args: string[] }> {
  const venv = await ensureSchemathesis();
  return { command: join(venv, 'bin', 'python'), args: ['-m', 'schemathesis.cli'] };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  schemathesisCommand().then(
    ({ command, args }) => log(`ready: ${command} ${args.join(' ')}`),
    (error: unknown) => {
      log(error instanceof MissingPrerequisite ? error.message : String(error instanceof Error ? error.stack : error));
      process.exit(1);
    },
  );
}
