export interface RevokedTokens {
  /** Marks a token id revoked until its own expiry (epoch seconds). Idempotent. */
  revoke(jti: string, expiresAt: number): Promise<void>;
  /** True when any of these token ids is revoked and not yet past its expiry. */
  anyRevoked(jtis: string[], now: Date): Promise<boolean>;
}
export const REVOKED_TOKENS = Symbol('RevokedTokens');
