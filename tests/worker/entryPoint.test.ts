/**
 * A file run as a program knows it is (worker/entryPoint.ts) however it was reached: through a
 * symlinked checkout, or from a folder with a space in its name. The container's health check
 * used to compare URLs as text, so reached through a symlink it never checked anything and
 * always reported healthy.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEntryPoint } from '../../worker/entryPoint.js';

const dir = mkdtempSync(join(tmpdir(), 'carepath entry point '));
mkdirSync(join(dir, 'real'));
const file = join(dir, 'real', 'healthcheck.js');
writeFileSync(file, '');
symlinkSync(join(dir, 'real'), join(dir, 'linked'));
const moduleUrl = pathToFileURL(file).href;

describe('isEntryPoint', () => {
  it('knows the module run, by its path, through a symlink, or with a space in the path', () => {
    expect(isEntryPoint(moduleUrl, file)).toBe(true);
    expect(isEntryPoint(moduleUrl, join(dir, 'linked', 'healthcheck.js'))).toBe(true);
    expect(isEntryPoint(pathToFileURL(join(dir, 'linked', 'healthcheck.js')).href, file)).toBe(true);
  });

  it('is not fooled by another module, or by no program at all', () => {
    expect(isEntryPoint(moduleUrl, join(dir, 'real', 'main.js'))).toBe(false);
    expect(isEntryPoint(moduleUrl, undefined)).toBe(false);
  });
});
