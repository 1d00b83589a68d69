export { createMemoryAdapters, type MemoryAdapters } from './memory-adapters.js';
export {
  systemClock,
  nodeIdGenerator,
  BcryptSecretHasher,
  StaticProfileResolver,
  ConfigPricingSource,
} from './node-ports.js';
