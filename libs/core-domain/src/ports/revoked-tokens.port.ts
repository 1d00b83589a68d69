import { type AuditEntry } from '../model/audit/audit-entry.js';

export interface RevokedTokens {
  /**
   * Marks a token id revoked until its own expiry (epoch seconds). Idempotent. The audit items are
   * written in the same transaction (see TenantDirectory).
   */
  revoke(jti: string, expiresAt: number, audit?: readonly AuditEntry[]): Promise<void>;
  /** True when any of these token ids is revoked and not yet past its expiry. */
  anyRevoked(jtis: string[], now: Date): Promise<boolean>;
}
export const REVOKED_TOKENS = Symbol('RevokedTokens');
