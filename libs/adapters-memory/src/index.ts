export { createMemoryAdapters, type MemoryAdapters } from './memory-adapters.js';
// Transitional: libs/core-domain/src/use-cases/usage/record-usage.use-case.spec.ts (being edited
// elsewhere) still imports the test resolver from here. It lives in #core-domain/testing now; drop
// this line once that spec imports it from there.
export { StaticProfileResolver } from '#core-domain/testing';
