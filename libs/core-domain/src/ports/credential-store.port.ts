import { type Credential } from '../model/credentials/credential.entity.js';

/** Client credentials by client id (created with their tenant, see TenantDirectory). */
export interface CredentialStore {
  get(clientId: string): Promise<Credential | undefined>;
  /**
   * Replaces the credential when the stored secret version is still `expectedVersion`
   * (so two concurrent rotations cannot both win). False when it changed meanwhile or is missing.
   */
  replace(next: Credential, expectedVersion: number): Promise<boolean>;
}
export const CREDENTIAL_STORE = Symbol('CredentialStore');
