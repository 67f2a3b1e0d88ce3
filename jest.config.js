// One jest run over every project. Sources are transformed by swc (with decorator metadata,
// which NestJS DI needs) and `@trainyard/*` imports resolve to library sources, so tests never
// need a prior build.
const { compilerOptions } = require('./tsconfig.base.json');
const path = require('node:path');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    path.join(__dirname, target),
  ]),
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  // Node's, plus stopping what a test file left running (libs/shared/testing/src/leftovers.ts).
  testEnvironment: '<rootDir>/libs/shared/testing/src/jest/environment.js',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
    // jose, node-pg-migrate and temporal-polyfill (with its temporal-utils) ship ES modules only;
    // jest's CommonJS runtime needs them transformed.
    '/node_modules/(jose|node-pg-migrate|temporal-polyfill|temporal-utils)/.+\\.js$': [
      '@swc/jest',
      { module: { type: 'commonjs' }, jsc: { target: 'es2023' } },
    ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|node-pg-migrate|temporal-polyfill|temporal-utils)/)',
  ],
  moduleNameMapper,
  setupFilesAfterEnv: ['<rootDir>/libs/shared/testing/src/jest/setup-after-env.ts'],
  globalSetup: '<rootDir>/libs/shared/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/shared/testing/src/jest/global-teardown.ts',
  testTimeout: 60_000,
  slowTestThreshold: 20,
};
