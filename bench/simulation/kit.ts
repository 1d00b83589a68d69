// The pieces of the domain test kit the simulation uses, imported file by file on purpose:
// `#core-domain/testing` (its index) also loads the Jest contract suites, which import
// `@jest/globals`, and that module throws outside Jest (`npm run simulate` runs plain node).
export { FakeClock } from '../../libs/core-domain/src/testing/fake-clock.js';
export { PlainTestHasher, SequentialIds } from '../../libs/core-domain/src/testing/builders.js';
export { testServiceConfig } from '../../libs/core-domain/src/testing/test-config.js';
