import { type AuditEntry } from '../model/audit/audit-entry.js';
import { type Credential } from '../model/credentials/credential.entity.js';
import { type App, type Org } from '../model/tenants/tenant.entity.js';

/**
 * Org and app configuration. Creation writes the tenant and its credential together or not at all.
 * Every write takes the audit items of the change and writes them in the same transaction: the change
 * is not written when they cannot be (fail-closed; an item whose event id exists fails the write).
 */
export interface TenantDirectory {
  getOrg(orgId: string): Promise<Org | undefined>;
  /** Creates the org and its credential atomically; 'exists' when the org already exists (nothing written). */
  createOrg(org: Org, credential: Credential, audit?: readonly AuditEntry[]): Promise<'created' | 'exists'>;
  /** Replaces an existing org's configuration; 'missing' when there is none (nothing written). */
  updateOrg(org: Org, audit?: readonly AuditEntry[]): Promise<'updated' | 'missing'>;
  getApp(orgId: string, appId: string): Promise<App | undefined>;
  /** Creates the app and its credential atomically; 'exists' when the app already exists. */
  createApp(app: App, credential: Credential, audit?: readonly AuditEntry[]): Promise<'created' | 'exists'>;
  updateApp(app: App, audit?: readonly AuditEntry[]): Promise<'updated' | 'missing'>;
  /** The org's apps, ordered by app id. */
  listApps(orgId: string): Promise<App[]>;
}
export const TENANT_DIRECTORY = Symbol('TenantDirectory');
