// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '.tmp/**', 'src/store/migrations/**', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Promise safety is an error, not a warning: a floating promise in a worker loses work silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Repositories return Promises (the Postgres seam) even where SQLite answers synchronously.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Architecture rules: connectors never reach the store or the engine (DESIGN.md, imports flow one way).
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/store/**', '**/src/engine/**'], message: 'connectors only produce and consume vendor records; they never touch the store or the engine' }] }],
    },
  },
  {
    // The engine never imports a connector.
    files: ['src/engine/**/*.ts', 'src/model/**/*.ts', 'src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/connectors/**', '**/jobs/**', '**/http/**', '**/queue/**'], message: 'model, store and engine sit below connectors, jobs and the runtime' }] }],
    },
  },
  {
    // Route code reaches data through repositories, never the raw database handle.
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', '**/store/sqlite/**'], message: 'HTTP routes use repositories (src/store index), not the database handle' }] }],
    },
  },
  {
    // Job ids come from src/queue/ids.ts only: the relay re-creates lost jobs under the same ids, so
    // a producer that spells one by hand can queue the same work twice.
    files: ['src/**/*.ts', 'jobs/**/*.ts', 'fixtures/**/*.ts', 'bin/**/*.ts'],
    ignores: ['src/queue/ids.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='jobId'] > :matches(TemplateLiteral, Literal[raw=/^['\"]/], BinaryExpression)", message: 'build job ids with a function of src/queue/ids.ts' },
        { selector: "VariableDeclarator[id.name='jobId'] > :matches(TemplateLiteral, Literal[raw=/^['\"]/], BinaryExpression)", message: 'build job ids with a function of src/queue/ids.ts' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
