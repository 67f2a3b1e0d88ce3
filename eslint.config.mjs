import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';

// Boundaries are allowlists (docs/adr/0009-integration-events.md, issue 9 item 6): each type of
// project names the project types and the npm packages it may import; anything else is an error.
// tools/lint/boundaries.unit.spec.ts proves that probe files breaking each rule are reported.

const SERVICES = ['planning', 'scheduling', 'deployment', 'compliance', 'metrics'];
/** npm packages a context's pure domain may import, where not just `semver`. */
const DOMAIN_PACKAGES = {
  // Time zones and DST with explicit disambiguation; cron field syntax (docs/adr/0011-time-zones-and-dst.md).
  // RFC 5545 recurrence rules (RRULE) expanded in local wall time, then resolved by the zone resolver;
  // the VTIMEZONE blocks of the iCalendar feed.
  scheduling: ['temporal-polyfill', 'cron-parser', 'ical.js', 'timezones-ical-library'],
  // Policies as CEL expressions, evaluated with explanations.
  compliance: ['semver', '@bufbuild/cel'],
};
// Packages a context's domain specs (and test-support) may use beyond fast-check.
const DOMAIN_TEST_PACKAGES = {
  // The independent iCalendar parser the feed's round-trip specs read it back with.
  scheduling: ['node-ical'],
};
const ALL_TYPES = [
  'type:app',
  'type:domain',
  'type:read-model',
  'type:contracts',
  'type:grpc-contracts',
  'type:infra',
  'type:platform',
  'type:kernel',
  'type:testing',
];

/** The module-boundary rule; spec files get the test-only allowances. */
const boundaries = ({ spec }) => {
  const testOnly = (values) => (spec ? values : []);
  return [
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
        // A context reaches its own projects, the shared ones, and other contexts' contracts.
        ...SERVICES.map((s) => ({
          sourceTag: `scope:${s}`,
          onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared', 'type:contracts'],
        })),
        // tools/ and bench/ start services and measure them: everything, apps by explicit allow below.
        {
          sourceTag: 'scope:tooling',
          onlyDependOnLibsWithTags: [
            'scope:tooling',
            'scope:shared',
            ...SERVICES.map((s) => `scope:${s}`),
          ],
        },
        { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ALL_TYPES },
        { sourceTag: 'type:bench', onlyDependOnLibsWithTags: [...ALL_TYPES, 'type:tooling'] },
        {
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: [
            'type:domain',
            'type:read-model',
            'type:contracts',
            'type:grpc-contracts',
            'type:infra',
            'type:platform',
            'type:kernel',
            'type:testing',
          ],
        },
        // Pure: deciders, policies, allocation. No framework, no I/O, no clock (see below).
        {
          sourceTag: 'type:domain',
          onlyDependOnLibsWithTags: [
            'type:domain',
            'type:kernel',
            'type:contracts',
            ...testOnly(['type:testing']),
          ],
        },
        // Each context's domain names its own npm packages (the rest are refused).
        ...SERVICES.map((s) => ({
          allSourceTags: [`scope:${s}`, 'type:domain'],
          allowedExternalImports: [
            ...(DOMAIN_PACKAGES[s] ?? ['semver']),
            ...testOnly(['fast-check', ...(DOMAIN_TEST_PACKAGES[s] ?? [])]),
          ],
        })),
        {
          sourceTag: 'type:kernel',
          onlyDependOnLibsWithTags: ['type:kernel', ...testOnly(['type:testing'])],
          allowedExternalImports: [...testOnly(['fast-check'])],
        },
        // Entities and pure folds; the platform, pg and NestJS stay in the app.
        {
          sourceTag: 'type:read-model',
          onlyDependOnLibsWithTags: [
            'type:domain',
            'type:kernel',
            'type:contracts',
            // Specs migrate a real schema to check the entities against the tables.
            ...testOnly(['type:testing', 'type:infra']),
          ],
          allowedExternalImports: ['typeorm', ...testOnly(['fast-check'])],
        },
        // Plain types, topic names and the mapping (type-only imports of its own context's domain,
        // see no-restricted-imports below). Its spec runs the document through the parser and
        // the produced messages through the platform's CloudEvents code.
        {
          sourceTag: 'type:contracts',
          onlyDependOnLibsWithTags: [
            'type:contracts',
            'type:kernel',
            'type:domain',
            ...testOnly(['type:read-model', 'type:infra', 'type:testing']),
          ],
          allowedExternalImports: [...testOnly(['@asyncapi/parser', 'zod', 'yaml', 'fast-check'])],
        },
        // Generated gRPC code pulls in NestJS, grpc-js and rxjs: apps and the platform only (and
        // the testing library, whose gRPC clients serve the apps' specs).
        { sourceTag: 'type:grpc-contracts', onlyDependOnLibsWithTags: ['type:grpc-contracts'] },
        {
          sourceTag: 'type:infra',
          onlyDependOnLibsWithTags: ['type:infra', 'type:kernel', 'type:contracts', 'type:testing'],
        },
        {
          sourceTag: 'type:platform',
          onlyDependOnLibsWithTags: [
            'type:platform',
            'type:infra',
            'type:kernel',
            'type:contracts',
            'type:grpc-contracts',
            'type:testing',
          ],
        },
        {
          sourceTag: 'type:testing',
          onlyDependOnLibsWithTags: [
            'type:testing',
            'type:platform',
            'type:infra',
            'type:kernel',
            'type:contracts',
            'type:grpc-contracts',
          ],
        },
      ],
    },
  ];
};

const TESTING_ONLY_IN_SPECS = [
  { name: '@trainyard/testing', message: 'testing helpers are for *.spec.ts only' },
];
const TEST_ENTRY_POINTS = {
  group: ['@trainyard/*/testing'],
  message: 'test-support entry points are for *.spec.ts only',
};
const NODE_BUILTINS = {
  paths: builtinModules
    .filter((m) => !m.startsWith('_'))
    .map((name) => ({
      name,
      message:
        'pure code: no Node built-ins (I/O, clock and randomness come in through commands and ports)',
    })),
  patterns: [
    {
      group: ['node:*'],
      message:
        'pure code: no Node built-ins (I/O, clock and randomness come in through commands and ports)',
    },
  ],
};
const PURE =
  'pure code: time and ids come from the command metadata, randomness from a seeded generator the caller passes';

const DOMAIN_AND_KERNEL = ['libs/*/domain/**/*.ts', 'libs/shared/kernel/**/*.ts'];

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/generated/**',
      '.local/**',
      '.nx/**',
      '**/*.js',
      '**/*.mjs',
    ],
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
      '@nx/enforce-module-boundaries': boundaries({ spec: false }),
    },
  },
  {
    // Test-support modules (reached only through `@trainyard/*/testing`, itself spec-only) get
    // the specs' allowances.
    files: ['**/*.spec.ts', '**/test-support/**/*.ts', '**/src/testing.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ spec: true }) },
  },
  {
    // Tools and benches start services by their definitions, and check a configuration against a
    // service's settings schema (pure zod) without starting it: the sanctioned imports of an app.
    files: ['tools/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          ...boundaries({ spec: true })[1],
          allow: [
            '^(\\.\\./)+apps/[a-z-]+/src/[a-z-]+\\.service$',
            '^(\\.\\./)+apps/[a-z-]+/src/config/[a-z-]+-settings$',
            '../tools/scripts/*',
          ],
        },
      ],
    },
  },
  {
    // The testing library and test-support entry points are for spec files only, and for the
    // fixtures (`*.fixture.ts`) that hold several specs' shared setup, which only specs import.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.fixture.ts', 'libs/shared/testing/**', 'bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: TESTING_ONLY_IN_SPECS, patterns: [TEST_ENTRY_POINTS] },
      ],
    },
  },
  {
    // Domain and kernel code is pure: no Node built-ins, no clock, no randomness.
    files: DOMAIN_AND_KERNEL,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...TESTING_ONLY_IN_SPECS, ...NODE_BUILTINS.paths],
          patterns: [TEST_ENTRY_POINTS, ...NODE_BUILTINS.patterns],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: `new Date(): ${PURE}`,
        },
        { selector: "CallExpression[callee.name='Date']", message: `Date(): ${PURE}` },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: `Date.now(): ${PURE}`,
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: `Math.random(): ${PURE}`,
        },
        { selector: "MemberExpression[object.name='crypto']", message: `crypto: ${PURE}` },
        {
          selector: "MemberExpression[object.name='performance'][property.name='now']",
          message: `performance.now(): ${PURE}`,
        },
      ],
    },
  },
  {
    // A contracts library loads nothing of its domain at run time: the mapping imports its types only.
    files: ['libs/*/contracts/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@trainyard/*-domain'],
              allowTypeImports: true,
              message: 'contracts import their domain for types only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // A kernel DeciderSpecification step (`given(…).when(…).then(…)`) is an assertion.
    files: ['**/*.spec.ts'],
    rules: {
      'jest/expect-expect': [
        'warn',
        {
          assertFunctionNames: [
            'expect',
            'given*.when.then*',
            'fc.assert',
            'DeciderSpecification.for.**.then*',
          ],
        },
      ],
    },
  },
  prettier,
];
