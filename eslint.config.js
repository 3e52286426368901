// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node modules, no I/O.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    ignores: ['domain/loadProgrammes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', '@aws-sdk/*'],
              message: 'Workflow and domain code must stay sandbox-safe: no Node modules or I/O.',
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
