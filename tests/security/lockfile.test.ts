/**
 * Installs are exact: CI runs `npm ci`, which installs only what package-lock.json names, at the
 * integrity it records, and fails when the lockfile and package.json disagree. `npm ci` once had
 * to give way to `npm install` here: the lockfile had been written on a machine whose registry
 * served only some of @swc/core's platform builds, so it lacked the others, and `npm ci` refused
 * it. Regenerated with every platform's optional build listed, it installs on any platform. This
 * keeps it so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
type Entry = {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  optionalDependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Entry> };

/** The lockfile entry npm would install `dep` from, for the package at `at` (nearest node_modules first). */
function resolves(at: string, dep: string): boolean {
  for (let base = at; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
    if (lock.packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) return true;
    if (!base) return false;
  }
}

describe('the lockfile', () => {
  it('names every platform’s optional build of every package, so npm ci installs on any machine', () => {
    const missing = Object.entries(lock.packages).flatMap(([at, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((dep) => !resolves(at, dep))
        .map((dep) => `${at || '(root)'} → ${dep}`),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(lock.packages).filter((k) => k.includes('@swc/core-')).length).toBeGreaterThanOrEqual(8);
  });

  it('pins every registry package to an integrity hash', () => {
    const loose = Object.entries(lock.packages)
      .filter(([at, e]) => at && !e.link && e.resolved?.startsWith('http') && !e.integrity?.startsWith('sha512-'))
      .map(([at]) => at);
    expect(loose).toEqual([]);
  });

  it('is what CI installs from, with npm ci, as the README says', () => {
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('npm ci && npm test');
  });
});
