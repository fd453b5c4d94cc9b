import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const RAW_SQL_CALLS = '/^(query|where|andWhere|orWhere|having|orderBy)$/';
// Each lib has one front door (`#libs/<name>`, package.json "imports"); its files are its own business.
const LIB_FRONT_DOORS = {
  regex: '^#libs/[^/]+/|(^|/)libs/[^/]+/src(/|$)',
  message: 'Import a lib through its front door: #libs/config, #libs/contracts, #libs/persistence, #libs/platform or #libs/telemetry.',
};
/** no-restricted-imports for a folder: the front-door rule plus the folder's own layering rules. */
const restrictImports = (...patterns) => ['error', { patterns: [LIB_FRONT_DOORS, ...patterns] }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.test-results/**', 'terraform/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        Response: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // Services: SQL only through parameters. A template literal with ${…} in a query/where call is how
    // injection starts (docs/reliability.md#v-5); process.env is read only by the config layer.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/config/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.property.name=${RAW_SQL_CALLS}] > TemplateLiteral[expressions.length>0]`,
          message: 'Build SQL with parameters (:name / $1), never by interpolating into the string.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through EnvironmentVariables (libs/config), not process.env.',
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports() },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports({ group: ['**/apps/**'], message: 'libs must not depend on apps' }) },
  },
  {
    // The book's shape is the bottom layer: the apps, persistence and the benchmark build on it, never the reverse.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        { group: ['**/apps/**'], message: 'libs must not depend on apps' },
        { group: ['#libs/*'], message: 'contracts depends on no other lib' },
      ),
    },
  },
  {
    files: ['apps/reader/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports({ group: ['**/writer/**'], message: 'the reader must not import the writer' }) },
  },
  {
    files: ['apps/writer/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports({ group: ['**/reader/**'], message: 'the writer must not import the reader' }) },
  },
);
