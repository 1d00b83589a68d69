import { type Delivery } from '../model/alerts/webhook.entity.js';

/** Deliveries of events to endpoints, found by due time without a Scan (a write-sharded index). */
export interface Deliveries {
  /** Creates new deliveries (ids unique; an existing id is left as it is). */
  create(deliveries: Delivery[]): Promise<void>;
  get(orgId: string, webhookId: string, deliveryId: string): Promise<Delivery | undefined>;
  /** Pending deliveries due at `now` (nextAttemptAt <= now), oldest first, at most `limit`. */
  due(now: Date, limit: number): Promise<Delivery[]>;
  /**
   * Writes `next` only when the stored delivery still has `expectedVersion` (claims and results):
   * false, writing nothing, when another worker got there first.
   */
  replace(next: Delivery, expectedVersion: number): Promise<boolean>;
  /** An endpoint's deliveries, newest first, paged. */
  listForWebhook(
    orgId: string,
    webhookId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ deliveries: Delivery[]; nextCursor?: string }>;
}
export const DELIVERIES = Symbol('Deliveries');
