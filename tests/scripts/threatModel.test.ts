/**
 * The threat model names, for every mitigation, the test that proves it (docs/security/threat-model.md).
 * Each row of its tables must name test files that exist, or say that the threat is still open:
 * a renamed or deleted test cannot leave a mitigation claimed and unproved.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'security', 'threat-model.md'), 'utf8');

/** The STRIDE rows: table lines whose first cell is one or more STRIDE letters. */
const rows = doc.split('\n').filter((l) => /^\|\s*[STRIDE](\/[STRIDE])*\s*\|/.test(l));

/** Whether a path named in the model exists; `dir/*` means at least one test in the folder. */
function exists(path: string): boolean {
  if (!path.endsWith('/*')) return existsSync(join(root, path));
  const dir = join(root, dirname(path));
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.test.ts'));
}

describe('the threat model', () => {
  it('has rows for every interface it covers', () => {
    for (const heading of [
      'Referrals',
      'Hospital feeds',
      'Dashboard',
      'Codec',
      'Temporal',
      'DynamoDB',
      'CI and supply chain',
    ])
      expect(doc).toMatch(new RegExp(`^## ${heading}`, 'm'));
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it('names, in every row, test files that exist, or says the threat is open', () => {
    const unproved: string[] = [];
    for (const row of rows) {
      const tests = [...row.matchAll(/`(tests\/[^`\s]+)`/g)].map((m) => m[1]!);
      const missing = tests.filter((t) => !exists(t));
      if (missing.length > 0) unproved.push(`${row.slice(0, 60)}… names missing ${missing.join(', ')}`);
      if (tests.length === 0 && !row.includes('**open**')) unproved.push(`${row.slice(0, 60)}… names no test`);
    }
    expect(unproved).toEqual([]);
  });

  it('would catch a row naming a test that does not exist', () => {
    expect(exists('tests/security/noSuchTest.test.ts')).toBe(false);
    expect(exists('tests/noSuchFolder/*')).toBe(false);
    expect(exists('tests/security/cursors.test.ts')).toBe(true);
  });
});
