// @ts-check
// Lint: typescript-eslint's type-checked rules plus the architecture's import boundaries
// (engine <- cli, lsp; the client reaches the server only through server/src/protocol.ts).
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** @param {string} message @param {string} regex */
const forbid = (regex, message) => ({ regex, message });

const TERMINAL =
  'The engine writes nothing to the terminal and no escape codes: return data or text; server/src/cli prints and colours it.';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'examples/**',
      'test/fixtures/**',
      'test-results/**',
      '.e2e/**',
      'coverage/**',
      'bench/.work/**',
      '.package/**',
      'media/report.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // `typeof import('./x')` types a lazy require (cli/commands.ts).
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Relative requires load a command lazily; the TypeScript compiler is loaded as ts-morph's own copy;
      // fast-glob only when a folder is listed (a hook run restored from its stored state lists none); jsdiff
      // only when the editor diffs a text itself (the hook asks git).
      '@typescript-eslint/no-require-imports': [
        'error',
        { allow: ['^\\.\\.?/', '^@ts-morph/common/', '^fast-glob$', '^diff$'] },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // An async function without await is kept where callers expect a promise-returning API.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', 'vscode-languageserver', 'vscode-languageclient', 'vscode-languageserver-protocol'],
          patterns: [
            forbid(
              '(^|/)(lsp|cli)(/|$)',
              'The engine knows no LSP or terminal: lsp/ and cli/ call the engine, not the reverse.',
            ),
            forbid('(^|/)client(/|$)', 'The engine does not import client code.'),
            forbid('(^|/)protocol$', 'protocol.ts is the LSP wire format; the engine does not depend on it.'),
            forbid('^vscode-languageserver', 'The engine knows no LSP types.'),
          ],
        },
      ],
      // Terminal output and its formatting live in server/src/cli: the engine returns data and neutral text.
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stdout', message: TERMINAL },
        { object: 'process', property: 'stderr', message: TERMINAL },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'Literal[value=/\\u001b/]', message: TERMINAL },
        { selector: 'TemplateElement[value.cooked=/\\u001b/]', message: TERMINAL },
      ],
    },
  },
  {
    files: ['server/src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid('(^|/)lsp(/|$)', 'The CLI calls the engine, not the language server.')] },
      ],
    },
  },
  {
    files: ['server/src/lsp/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid('(^|/)cli(/|$)', 'The language server calls the engine; terminal code lives in cli/.')] },
      ],
    },
  },
  {
    files: ['client/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode-languageserver'],
          patterns: [
            forbid(
              '(^|/)server/(?!src/protocol$)',
              'The client talks to the server only through server/src/protocol.ts.',
            ),
          ],
        },
      ],
    },
  },
  {
    // The clone tokenizer keeps token kinds as plain numbers in typed arrays, for speed.
    files: ['server/src/engine/analysis/clones/**'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    files: ['test/**'],
    rules: {
      // A wrong `!` in a test throws, and the test fails: that is what a test should do.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests load code they compiled at run time.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Playwright's page callbacks run in the browser: their DOM types are not in this project's lib.
    files: ['test/server/reportWebview.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['media/**/*.js'],
    languageOptions: { globals: { ...globals.browser, acquireVsCodeApi: 'readonly' } },
  },
);
