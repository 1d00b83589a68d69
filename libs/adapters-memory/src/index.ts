export { createMemoryAdapters, type MemoryAdapters } from './memory-adapters.js';
