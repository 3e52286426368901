/** The toolchain installer names what is missing instead of failing somewhere inside a build. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('toolchain installer', () => {
  it('says that Go is missing, and how to get it, when it cannot build the Temporal CLI', () => {
    // A PATH with node and nothing else, and an empty cache, as on a machine without Go.
    const bin = mkdtempSync(join(tmpdir(), 'carepath-bin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/toolchain.ts'], {
      env: { PATH: bin, HOME: process.env.HOME, CAREPATH_CACHE: mkdtempSync(join(tmpdir(), 'carepath-cache-')) },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('go is not installed: it is needed to build the Temporal CLI (dev server). Install Go 1.22 or newer');
  });
});
