/**
 * No secret or key in the repository: every file git tracks or would add (tracked, plus untracked
 * ones not ignored) is scanned for private keys, AWS access keys and secrets, JWTs, carepath codec
 * key specs and secret-looking assignments; and no local state (`.data/`, `.env`, key files) is
 * tracked at all. Keys the tests need are made at run time, never written down.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a leaked secret looks like; each pattern names what it finds. */
const secretPatterns: [string, RegExp][] = [
  ['private key', /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/],
  ['AWS access key id', /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/],
  // Ends where the base64 ends, not at a word boundary: a key whose last character is '/' or '+'
  // has no \b after it, and was missed one time in 32.
  ['AWS secret access key', /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i],
  ['JWT', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/],
  ['codec key spec (<id>:<base64 of 32 bytes>)', /\b[\w-]{1,40}:[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/],
  // A literal value, not a reference to one: an all-capitals value is the name of another variable.
  [
    'secret assignment',
    /\b[A-Z0-9_]*(?:SECRET|PASSWORD|PRIVATE_KEY|PSEUDONYM_KEY|CODEC_KEYS|API_KEY|TOKEN)[A-Z0-9_]*\s*[=:]\s*["']?(?![$<{(]|process\.env|env\.|[A-Z0-9_]+\b)[A-Za-z0-9+/_=-]{24,}/,
  ],
  ['Slack/GitHub token', /\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{36,})\b/],
];

/** Files that hold local state or keys by their nature, whatever is in them. */
const secretFileNames: [string, RegExp][] = [
  ['local data directory', /(^|\/)\.data\//],
  ['.env file', /(^|\/)\.env(\.|$)/],
  ['key or certificate file', /\.(pem|key|keys|p12|pfx|jks|secret)$/i],
  ['SSH key', /(^|\/)id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/],
  ['AWS credentials', /(^|\/)\.aws\/credentials$/],
];

function scan(files: { path: string; text: string }[]): string[] {
  const findings: string[] = [];
  for (const { path, text } of files) {
    for (const [what, pattern] of secretFileNames) if (pattern.test(path)) findings.push(`${path}: ${what}`);
    text.split('\n').forEach((line, i) => {
      for (const [what, pattern] of secretPatterns)
        if (pattern.test(line)) findings.push(`${path}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
    });
  }
  return findings;
}

function repositoryFiles(): { path: string; text: string }[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString()
    .split('\0')
    .filter(Boolean);
  return listed.flatMap((path) => {
    const full = join(root, path);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat?.isFile()) return []; // deleted in the working tree
    const bytes = readFileSync(full);
    // Binary files (images) are checked by name only.
    return [{ path, text: bytes.subarray(0, 8000).includes(0) ? '' : bytes.toString('utf8') }];
  });
}

describe('no secret or key committed', () => {
  it('finds none in any tracked or addable file', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(scan(files)).toEqual([]);
  });

  it('would find each kind of secret (the scanner is not blind)', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const planted = [
      { path: 'a.ts', text: pem },
      { path: 'b.ts', text: `const id = '${'AKIA'}${'ABCDEFGHIJKLMNOP'}';` },
      { path: 'c.env.example', text: `aws_secret_access_key = ${randomBytes(30).toString('base64')}` },
      {
        path: 'd.md',
        text: `Authorization: Bearer ${b64({ alg: 'HS256' })}.${b64({ sub: 'someone-real', role: 'admin' })}.${randomBytes(32).toString('base64url')}`,
      },
      { path: 'e.json', text: `{"CAREPATH_CODEC_KEYS": "prod1:${randomBytes(32).toString('base64')}"}` },
      { path: 'f.sh', text: `export CAREPATH_DEV_AUTH_SECRET=${randomBytes(32).toString('hex')}` },
      { path: '.data/pseudonym.key', text: '' },
      { path: 'config/.env', text: '' },
      { path: 'cdk/server.pem', text: '' },
    ];
    const found = scan(planted);
    for (const { path } of planted)
      expect(
        found.some((f) => f.startsWith(path)),
        path,
      ).toBe(true);
    // What the code legitimately says about secrets is not a finding.
    expect(
      scan([
        {
          path: 'x.ts',
          text: "const secret = env.CAREPATH_DEV_AUTH_SECRET ?? readFileSync(file);\nkeep('codec.keys', 'CAREPATH_CODEC_KEYS', () => `local1:${newCodecKey()}`);",
        },
      ]),
    ).toEqual([]);
  });
});
