import { type AuditEntry } from '../model/audit/audit-entry.js';
import { type Credential } from '../model/credentials/credential.entity.js';

/** Client credentials by client id (created with their tenant, see TenantDirectory). */
export interface CredentialStore {
  get(clientId: string): Promise<Credential | undefined>;
  /**
   * Replaces the credential when the stored secret version is still `expectedVersion`
   * (so two concurrent rotations cannot both win). False when it changed meanwhile or is missing.
   * The audit items are written in the same transaction (see TenantDirectory).
   */
  replace(next: Credential, expectedVersion: number, audit?: readonly AuditEntry[]): Promise<boolean>;
}
export const CREDENTIAL_STORE = Symbol('CredentialStore');
