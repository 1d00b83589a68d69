import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TOKEN_ISSUER, type TokenClaims } from '#core-domain';

export const JWT_SECRET = Symbol('JwtSecret');
export const ADMIN_KEY = Symbol('AdminKey');

/** HS256 signing and signature checks. Expiry and revocation are the domain's (Clock-timed) checks. */
@Injectable()
export class TokenSigner {
  constructor(@Inject(JwtService) private readonly jwt: JwtService) {}

  sign(claims: TokenClaims): string {
    // iat/exp come from the domain's clock: jsonwebtoken keeps a given iat (noTimestamp would delete it).
    return this.jwt.sign({ ...claims }, { algorithm: 'HS256' });
  }

  /** The decoded claims when the signature, algorithm and issuer check out; undefined otherwise. */
  verify(token: unknown): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token.length > 4096) return undefined;
    try {
      return this.jwt.verify<Record<string, unknown>>(token, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        ignoreExpiration: true,
      });
    } catch {
      return undefined;
    }
  }
}

/** Constant-time comparison of an API key against the configured one (hashes first, so lengths never leak). */
export function sameKey(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
