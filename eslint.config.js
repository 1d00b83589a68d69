// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** What libs/core-domain must never import: frameworks, AWS, storage libraries, crypto, secret hashing. */
export const domainForbiddenImports = {
  paths: [
    { name: 'node:crypto', message: 'The domain gets randomness through the IdGenerator port.' },
    { name: 'crypto', message: 'The domain gets randomness through the IdGenerator port.' },
    { name: 'electrodb', message: 'Storage lives in libs/adapters-dynamo.' },
    { name: 'class-validator', message: 'DTO validation lives in apps/http.' },
    { name: 'class-transformer', message: 'DTO mapping lives in apps/http.' },
    { name: 'bcrypt', message: 'Secrets are hashed through the SecretHasher port.' },
    { name: 'bcryptjs', message: 'Secrets are hashed through the SecretHasher port.' },
    { name: 'express', message: 'HTTP lives in apps/http.' },
    { name: 'fastify', message: 'HTTP lives in apps/http.' },
  ],
  patterns: [
    { group: ['@nestjs/*'], message: 'The domain is framework-free: no NestJS.' },
    { group: ['@aws-sdk/*'], message: 'The domain is framework-free: no AWS SDK.' },
    { regex: '^#adapters-', message: 'The domain depends on no adapter.' },
    { group: ['**/adapters-*/**', '**/apps/**'], message: 'The domain depends on nothing outside it.' },
  ],
};

/**
 * The domain's layers, inside out: model/ (entities and pure rules) imports no port and no use case;
 * ports/ import the model only; use-cases/ and the composition (cost-keeper.ts) may import both.
 */
const layerPatterns = {
  model: [
    { group: ['**/ports/**', '../ports', './ports'], message: 'model/ imports no port: rules stay pure.' },
    { group: ['**/use-cases/**'], message: 'model/ imports no use case.' },
    { group: ['**/cost-keeper.js', '**/testing/**'], message: 'model/ imports nothing above it.' },
  ],
  ports: [
    { group: ['**/use-cases/**'], message: 'ports/ import the model only, never a use case.' },
    { group: ['**/cost-keeper.js', '**/testing/**'], message: 'ports/ import the model only.' },
  ],
};
const withLayer = (layer) => ({
  paths: domainForbiddenImports.paths,
  patterns: [...domainForbiddenImports.patterns, ...layerPatterns[layer]],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      '.data/**',
      'test/fixtures/**',
      'libs/client/dist/**',
      'libs/client/src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Decorator metadata needs DTO classes as values: tell the import rules so.
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['libs/core-domain/src/**/*.ts'],
    // The test kit (testing/) may use node:crypto for unique ids; it is not domain logic.
    ignores: ['libs/core-domain/src/**/*.spec.ts', 'libs/core-domain/src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', domainForbiddenImports],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock port.' },
        { object: 'Math', property: 'random', message: 'Use the IdGenerator port.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use the Clock port instead of new Date().',
        },
        {
          selector: "MemberExpression[object.name='DateTime'][property.name='now']",
          message: 'Use the Clock port instead of DateTime.now().',
        },
      ],
      'no-restricted-globals': ['error', { name: 'crypto', message: 'Use the IdGenerator port.' }],
    },
  },
  {
    files: ['libs/core-domain/src/model/**/*.ts'],
    ignores: ['libs/core-domain/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', withLayer('model')] },
  },
  {
    files: ['libs/core-domain/src/ports/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', withLayer('ports')] },
  },
  {
    // The apps share libs/composition (#composition) and never import each other; the libs import no app.
    files: ['apps/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/worker/src/**'], message: 'apps/http imports #composition, not apps/worker.' },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/http/src/**'], message: 'apps/worker imports #composition, not apps/http.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/composition/**/*.ts', 'libs/adapters-node/**/*.ts', 'libs/adapters-memory/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**'], message: 'A library imports no app.' }] },
      ],
    },
  },
  {
    // The client SDK is its own package: nothing from the server, nothing Node-only outside the Bedrock
    // helper, and time only through its Clock (clock.ts holds the system clock).
    files: ['libs/client/src/**/*.ts'],
    ignores: ['libs/client/src/**/*.spec.ts', 'libs/client/src/bedrock/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^#', message: 'The client SDK imports nothing from the server.' },
            {
              group: ['**/core-domain/**', '**/adapters-*/**', '**/composition/**', '**/apps/**'],
              message: 'The client SDK imports nothing from the server.',
            },
            {
              group: ['node:*', '@aws-sdk/*'],
              message: 'The core runs in browsers: fetch only (the Bedrock helper is client/bedrock).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/client/src/**/*.ts'],
    ignores: ['libs/client/src/**/*.spec.ts', 'libs/client/src/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' },
      ],
    },
  },
  {
    files: ['libs/client/src/bedrock/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^#', message: 'The client SDK imports nothing from the server.' }] },
      ],
    },
  },
  {
    // The dashboard runs in browsers: DOM globals, and only the page's own code (it imports nothing from
    // the server but the generated API types).
    files: ['apps/dashboard/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^#', message: 'The dashboard runs in the browser: it calls the public API only.' },
            { group: ['node:*'], message: 'The dashboard runs in the browser.' },
            {
              group: [
                '**/core-domain/**',
                '**/adapters-*/**',
                '**/composition/**',
                '**/http/**',
                '**/worker/**',
              ],
              message: 'The dashboard calls the public API only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'test/**/*.js'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
