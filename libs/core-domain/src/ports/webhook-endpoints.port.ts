import { type WebhookEndpoint } from '../model/alerts/webhook.entity.js';

/** An org's channels (webhooks and SNS topics). */
export interface WebhookEndpoints {
  /** 'exists' when the id is taken (nothing written). */
  create(endpoint: WebhookEndpoint): Promise<'created' | 'exists'>;
  get(orgId: string, webhookId: string): Promise<WebhookEndpoint | undefined>;
  /** Ordered by webhook id. */
  list(orgId: string): Promise<WebhookEndpoint[]>;
  /** Replaces an existing endpoint; 'missing' when there is none. */
  update(endpoint: WebhookEndpoint): Promise<'updated' | 'missing'>;
  delete(orgId: string, webhookId: string): Promise<void>;
}
export const WEBHOOK_ENDPOINTS = Symbol('WebhookEndpoints');
