import bcrypt from 'bcryptjs';
import { type SecretHasher } from '#core-domain';

/** bcrypt (pure JS bcryptjs). Cost 10 in production; tests may lower it to 4 for speed. */
export class BcryptSecretHasher implements SecretHasher {
  constructor(private readonly cost = 10) {}
  hash(secret: string): Promise<string> {
    return bcrypt.hash(secret, this.cost);
  }
  verify(secret: string, hash: string): Promise<boolean> {
    return bcrypt.compare(secret, hash);
  }
}
