/**
 * No regular expression in request handling may backtrack worse than linearly (HAZ-09). The rules
 * are eslint-plugin-regexp's, in eslint.config.js, so `eslint .` enforces them on every change;
 * this shows they are there, that they catch the pattern that once cost 9 s of CPU on 64 KB of
 * carriage returns, and that every pattern the API, the domain and the worker use passes them.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where request bodies, hospital messages and programme files are read. */
const HANDLING = ['lambdas', 'domain', 'config', 'activities', 'temporal', 'workflows', 'worker'];

const { default: blocks } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
  default: Linter.Config[];
};
const regexBlock = blocks.find((b) => b.plugins && 'regexp' in b.plugins);

/** ESLint with the project's regexp rules alone (no type information needed for them). */
function linter() {
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: regexBlock!.plugins!,
        rules: regexBlock!.rules!,
      },
    ],
  });
}

describe('linear-time regular expressions', () => {
  it('are required by the lint config for all source but the tests, as errors', () => {
    expect(regexBlock?.rules).toMatchObject({
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': ['error', expect.anything()],
    });
    expect(regexBlock?.ignores).toEqual(['tests/**']);
    expect(regexBlock?.files).toEqual(['**/*.ts', '**/*.tsx']);
  });

  it('catch the trailing-CR pattern that once stalled the ADT feed, and nested repetition', async () => {
    const [moving] = await linter().lintText("export const trim = (t: string) => t.replace(/\\r+$/, '');\n", {
      filePath: join(root, 'lambdas', 'probe.ts'),
    });
    expect(moving!.messages.map((m) => m.ruleId)).toContain('regexp/no-super-linear-move');
    const [nested] = await linter().lintText(
      'export const fields = /^(a|a?)+$/;\nexport const spaces = /\\s*.+\\s*$/;\n',
      {
        filePath: join(root, 'domain', 'probe.ts'),
      },
    );
    expect(nested!.messages.map((m) => m.ruleId)).toContain('regexp/no-super-linear-backtracking');
  });

  it('find nothing in the code that handles requests', async () => {
    const files = HANDLING.flatMap((dir) =>
      (readdirSync(join(root, dir), { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(root, dir, f)),
    );
    expect(files.length).toBeGreaterThan(50);
    const results = await linter().lintFiles(files);
    const found = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.ruleId}: ${m.message}`),
    );
    expect(found).toEqual([]);
  });
});
