import { type AuditEntry } from '../model/audit/audit-entry.js';
import { type WebhookEndpoint } from '../model/alerts/webhook.entity.js';

/**
 * An org's channels (webhooks and SNS topics). Writes take the audit items of the change, written in
 * the same transaction (see TenantDirectory); the worker's own updates (disabling) pass none.
 */
export interface WebhookEndpoints {
  /** 'exists' when the id is taken (nothing written). */
  create(endpoint: WebhookEndpoint, audit?: readonly AuditEntry[]): Promise<'created' | 'exists'>;
  get(orgId: string, webhookId: string): Promise<WebhookEndpoint | undefined>;
  /** Ordered by webhook id. */
  list(orgId: string): Promise<WebhookEndpoint[]>;
  /** Replaces an existing endpoint; 'missing' when there is none. */
  update(endpoint: WebhookEndpoint, audit?: readonly AuditEntry[]): Promise<'updated' | 'missing'>;
  delete(orgId: string, webhookId: string, audit?: readonly AuditEntry[]): Promise<void>;
}
export const WEBHOOK_ENDPOINTS = Symbol('WebhookEndpoints');
