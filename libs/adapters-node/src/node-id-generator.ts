import { randomBytes, randomUUID } from 'node:crypto';
import { type IdGenerator } from '#core-domain';

/** UUID v4 ids and 32-byte base64 secrets from node:crypto. */
export const nodeIdGenerator: IdGenerator = {
  newId: () => randomUUID(),
  newSecret: () => randomBytes(32).toString('base64'),
};
