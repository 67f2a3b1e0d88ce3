import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';

const infraPackages = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', '@grpc/*', '@opentelemetry/*'];

export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '.local/**', '.nx/**', '**/*.js', '**/*.mjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Decorator-aware: a type-only import of a class NestJS injects would erase it and break DI.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/unbound-method': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // Libraries' own spec files use the testing library, which builds on them.
          ignoredCircularDependencies: [
            ['testing', 'platform'],
            ['testing', 'infra'],
            ['testing', 'event-store'],
            ['testing', 'messaging'],
          ],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...['planning', 'scheduling', 'deployment', 'compliance', 'metrics'].map((s) => ({
              sourceTag: `scope:${s}`,
              onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared', 'type:contracts'],
            })),
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:read-model', 'type:contracts', 'type:infra', 'type:kernel', 'type:testing'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:kernel', 'type:contracts', 'type:testing'],
              bannedExternalImports: infraPackages,
            },
            {
              sourceTag: 'type:read-model',
              onlyDependOnLibsWithTags: ['type:domain', 'type:kernel', 'type:contracts', 'type:infra', 'type:testing'],
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:kernel'] },
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel'], bannedExternalImports: infraPackages },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:kernel', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:infra', 'type:kernel', 'type:contracts', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    // The testing library is for spec files only.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/shared/testing/**', 'bench/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@trainyard/testing', message: 'testing helpers are for *.spec.ts only' }] }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    ...jest.configs['flat/recommended'],
    rules: { ...jest.configs['flat/recommended'].rules, 'jest/no-focused-tests': 'error', '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off' },
  },
  {
    // A kernel DeciderSpecification step (`given(…).when(…).then(…)`) is an assertion.
    files: ['**/*.spec.ts'],
    rules: {
      'jest/expect-expect': ['warn', { assertFunctionNames: ['expect', 'given*.when.then*'] }],
    },
  },
  prettier,
];
