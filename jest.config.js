// Jest runs in ESM mode (NestJS 12 is ESM-only): `node --experimental-vm-modules`.
// Type-checking is done by `tsc --noEmit` in `npm test`; ts-jest only transpiles here.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': tsJest,
    '/node_modules/content-disposition/.+\\.js$': '<rootDir>/test/jest/esm-to-cjs.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^#core-domain$': '<rootDir>/libs/core-domain/src/index.ts',
    '^#core-domain/testing$': '<rootDir>/libs/core-domain/src/testing/index.ts',
    '^#core-domain/contracts$': '<rootDir>/libs/core-domain/src/testing/contracts.ts',
    '^#adapters-memory$': '<rootDir>/libs/adapters-memory/src/index.ts',
    '^#adapters-node$': '<rootDir>/libs/adapters-node/src/index.ts',
    '^#adapters-dynamo$': '<rootDir>/libs/adapters-dynamo/src/index.ts',
    '^#composition$': '<rootDir>/libs/composition/src/index.ts',
    '^#client$': '<rootDir>/libs/client/src/index.ts',
    '^#client/bedrock$': '<rootDir>/libs/client/src/bedrock/index.ts',
    // docs/examples import the SDK by its package name, as an app would.
    '^@bedrock-cost-keeper/client$': '<rootDir>/libs/client/src/index.ts',
    '^@bedrock-cost-keeper/client/bedrock$': '<rootDir>/libs/client/src/bedrock/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  rootDir: '.',
};

/** @type {import('jest').Config} */
export default {
  // Starts DynamoDB Local once for the whole run when an int or e2e project is selected.
  globalSetup: '<rootDir>/test/dynamo/global-setup.js',
  globalTeardown: '<rootDir>/test/dynamo/global-teardown.js',
  // A global option (per-project values are ignored): DynamoDB Local and process tests need more than 5 s.
  testTimeout: 60_000,
  coverageProvider: 'v8',
  collectCoverageFrom: [
    'libs/core-domain/src/**/*.ts',
    '!libs/core-domain/src/**/index.ts',
    '!libs/core-domain/src/**/*.spec.ts',
    '!libs/core-domain/src/testing/**',
    '!libs/core-domain/src/**/*.port.ts',
  ],
  coverageThreshold: { './libs/core-domain/src/': { lines: 90 } },
  coverageReporters: ['text-summary', 'lcov'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/core-domain/**/*.spec.ts',
        '<rootDir>/libs/composition/**/*.spec.ts',
        '<rootDir>/libs/adapters-node/**/*.spec.ts',
        '<rootDir>/libs/client/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'contract',
      testMatch: ['<rootDir>/libs/adapters-memory/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/test/int/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/**/*.e2e-spec.ts', '<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
