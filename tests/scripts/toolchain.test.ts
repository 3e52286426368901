/** The toolchain installer names what is missing instead of failing somewhere inside a build. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mavenFetchArgs, MissingPrerequisite, requireSupportedNode, strictGoEnv } from '../../scripts/toolchain.js';

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
    expect(result.stderr).toContain(
      'go is not installed: it is needed to build the Temporal CLI (dev server). Install Go 1.22 or newer',
    );
  });

  it('refuses a Node.js older than the LTS pinned in .nvmrc, and says how to get it', () => {
    expect(() => requireSupportedNode('20.20.2')).toThrow(MissingPrerequisite);
    expect(() => requireSupportedNode('20.20.2')).toThrow(
      /carepath needs Node\.js 24 LTS or newer; this is Node\.js 20\.20\.2\. Install Node\.js 24\.\d+\.\d+/,
    );
    expect(() => requireSupportedNode('24.0.0')).not.toThrow();
    expect(() => requireSupportedNode('26.1.0')).not.toThrow();
  });

  it('runs on the Node.js major that .nvmrc pins', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('builds with Go’s checksum database on and nothing exempt, and fetches from Maven with strict checksums', () => {
    const hostile = {
      GOSUMDB: 'off',
      GONOSUMDB: '*',
      GOPRIVATE: '*',
      GOINSECURE: '*',
      GOFLAGS: '-insecure',
      PATH: '/usr/bin',
    };
    expect(strictGoEnv(hostile, '/tmp/bin')).toEqual({
      PATH: '/usr/bin',
      GOBIN: '/tmp/bin',
      GOSUMDB: 'sum.golang.org',
      GONOSUMDB: '',
      GOPRIVATE: '',
      GOINSECURE: '',
      GOFLAGS: '-mod=readonly',
      CGO_ENABLED: '0',
    });
    expect(mavenFetchArgs).toContain('--strict-checksums');
  });
});
