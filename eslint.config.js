// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

const sandboxOnly = {
  group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', '@aws-sdk/*'],
  message: 'Workflow and domain code must stay sandbox-safe: no Node modules or I/O.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'scratch/',
      'cdk.out/',
      'coverage/',
      '**/dist/',
      'tests/fixtures/',
      'tests/artifacts/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits is an error nobody sees (a lost write, an
    // unhandled rejection that kills the worker). Each tsconfig's own files, found per file.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
    },
  },
  {
    // No regular expression may backtrack worse than linearly (HAZ-09): a request body of 64 KiB
    // must not cost seconds of CPU. `no-super-linear-move` catches the unanchored kind (`/\r+$/`
    // tried at every offset); `no-super-linear-backtracking` the nested or adjacent repetitions.
    // Both analyse the pattern itself (scslre), so they hold for inputs no fuzzer thought of.
    // Tests match only their own output, so they are left out.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['tests/**'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': ['error', { ignorePartial: false, ignoreSticky: false }],
      'regexp/no-misleading-capturing-group': 'error',
    },
  },
  {
    // The few CommonJS files Temporal's SDK requires by path (temporal/failureConverter.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // The layers, and what each may import (docs/architecture.md). ESLint applies the last
  // matching no-restricted-imports, so each block names every rule for its files.
  {
    // Workflow code, and the Temporal definitions it shares with the API and the worker, run in
    // Temporal's deterministic sandbox: no Node modules, no I/O.
    files: [
      'workflows/**/*.ts',
      'temporal/journeyMessages.ts',
      'temporal/searchAttributes.ts',
      'temporal/taskQueue.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [sandboxOnly] }],
    },
  },
  {
    // The domain is pure rules: no Node modules, no I/O, and no Temporal either, so it can be
    // read, tested and reused without knowing how journeys are run.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            sandboxOnly,
            {
              group: ['@temporalio/*'],
              message: 'domain/ is pure rules: Temporal belongs in workflows/ and temporal/.',
            },
            {
              group: [
                '**/activities/*',
                '**/worker/*',
                '**/lambdas/*',
                '**/workflows/*',
                '**/temporal/*',
                '**/config/*',
              ],
              message: 'domain/ imports only domain/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The API shares Temporal's connection, codec and messages through temporal/, never the worker's process code.
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/worker/*'],
              message: 'lambdas/ and worker/ share code through temporal/, not with each other.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard: React's rules of hooks, checked.
    files: ['dashboard/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
