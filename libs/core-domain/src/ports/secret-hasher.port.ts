/** Slow hashing of client secrets (bcrypt or scrypt in adapters). */
export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(secret: string, hash: string): Promise<boolean>;
}
export const SECRET_HASHER = Symbol('SecretHasher');
