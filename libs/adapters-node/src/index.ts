// Node implementations of the domain's Clock, IdGenerator and SecretHasher ports.
export { systemClock } from './system-clock.js';
export { nodeIdGenerator } from './node-id-generator.js';
export { BcryptSecretHasher } from './bcrypt-secret-hasher.js';
