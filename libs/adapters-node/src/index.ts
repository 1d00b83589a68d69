// Node implementations of the domain's Clock, IdGenerator, SecretHasher, WebhookSigner, WebhookSender and CursorSealer ports.
export { systemClock } from './system-clock.js';
export { nodeIdGenerator } from './node-id-generator.js';
export { BcryptSecretHasher } from './bcrypt-secret-hasher.js';
export { standardWebhookSigner } from './webhook-signer.js';
export { createWebhookSender } from './webhook-sender.js';
export { hmacCursorSealer } from './cursor-sealer.js';
