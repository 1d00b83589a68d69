import {
  type AuditEntry,
  type AuditFailure,
  type AuditPage,
  type AuditQuery,
} from '../model/audit/audit-entry.js';

/**
 * The audit trail. Change items are written by the ports that make the change (TenantDirectory,
 * CredentialStore, RevokedTokens, InferenceProfiles, WebhookEndpoints take them), in the same
 * transaction; this port reads them and keeps failed attempts apart.
 */
export interface AuditLog {
  /** The org's items, newest first, expired ones hidden. */
  list(orgId: string, query: AuditQuery, now: Date): Promise<AuditPage<AuditEntry>>;
  /**
   * Keeps a failed attempt unless one of the same source and minute is kept already (a conditional
   * put): 'exists' writes nothing.
   */
  recordFailure(failure: AuditFailure): Promise<'recorded' | 'exists'>;
  /** Failed attempts, newest first, between two instants at most 7 days apart; expired ones hidden. */
  listFailures(
    query: { from: string; to: string; after?: string; limit: number },
    now: Date,
  ): Promise<AuditPage<AuditFailure>>;
}
export const AUDIT_LOG = Symbol('AuditLog');
