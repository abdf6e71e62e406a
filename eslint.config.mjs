import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'media/vendor/**', '.vscode-test/**', 'test-output/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware rules: a dropped promise hides a failure, a needless assertion hides a type.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // The engine is shared by the CLI, CI and the extension: it must never depend on VS Code, and it
    // does no file, process or OS access (adapters in src/cli, src/workspace, src/docker do).
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/engine is pure TypeScript: no vscode import (adapters live in src/extension).' },
            ...['fs', 'path', 'child_process', 'os', 'fs/promises'].map((name) => ({ name, message: 'src/engine does no file or OS access: pass what it needs in (adapters live in src/cli, src/workspace, src/extension).' })),
          ],
          patterns: [{ group: ['node:*'], message: 'src/engine imports no node:* module: file and OS access belongs in the adapters (src/cli, src/workspace, src/docker, src/extension).' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
