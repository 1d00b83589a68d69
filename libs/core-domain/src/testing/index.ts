// Test kit for the domain: a fake clock, deterministic ids, builders, a static inference profile
// resolver and the default config. It does not depend on Jest, so scripts (the simulation) can use
// it; the contract suites are in `#core-domain/contracts`.
export * from './fake-clock.js';
export * from './builders.js';
export * from './test-config.js';
export * from './test-keeper.js';
export * from './static-profile-resolver.js';
export * from './recording-sns.js';
