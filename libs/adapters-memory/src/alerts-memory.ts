import {
  type AlertEvent,
  type AlertEvents,
  type Deliveries,
  type Delivery,
  InvalidRequestError,
  type WebhookEndpoint,
  type WebhookEndpoints,
} from '#core-domain';
import { type AuditStore } from './audit-memory.js';
import { copy, live } from './copy.js';

/**
 * The alert ports in memory (Maps), with the conventions of memory-adapters.ts: one `tick()` per
 * call, then a synchronous check-and-write; values copied in and out. Listings sort on the same
 * strings as the DynamoDB sort keys (`{ISO createdAt}#{id}`, newest first) and page with an opaque
 * cursor (base64url JSON of the last key returned).
 */
export interface AlertStores {
  alertEvents: AlertEvents;
  webhooks: WebhookEndpoints;
  deliveries: Deliveries;
}

/** An instant in the one ISO form (`toISOString`), so that string order is time order. */
function iso(instant: string, field: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new InvalidRequestError([{ field, message: 'must be an ISO-8601 instant' }]);
  return new Date(ms).toISOString();
}

function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const k = (parsed as { k?: unknown } | null)?.k;
    if (typeof k === 'string' && k.length > 0) return k;
  } catch {
    // reported below
  }
  throw new InvalidRequestError([{ field: 'cursor', message: 'is not a cursor of this listing' }]);
}

/** Newest first (descending key), after the cursor, at most `limit`; a cursor when more follow. */
function page<T>(
  items: T[],
  keyOf: (item: T) => string,
  cursor: string | undefined,
  limit: number,
): { page: T[]; nextCursor?: string } {
  const after = decodeCursor(cursor);
  const sorted = items
    .map((item) => ({ item, key: keyOf(item) }))
    .filter(({ key }) => after === undefined || key < after)
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const taken = sorted.slice(0, Math.max(0, limit));
  const out: { page: T[]; nextCursor?: string } = { page: taken.map(({ item }) => copy(item)) };
  if (sorted.length > taken.length && taken.length > 0) out.nextCursor = encodeCursor(taken.at(-1)!.key);
  return out;
}

export function createAlertStores(tick: () => Promise<void>, audit: AuditStore): AlertStores {
  const events = new Map<string, AlertEvent>(); // `${org}|${eventId}`
  const hooks = new Map<string, WebhookEndpoint>(); // `${org}|${webhookId}`
  const deliveryMap = new Map<string, Delivery>(); // `${org}|${webhookId}|${deliveryId}`

  const alertEvents: AlertEvents = {
    async createOnce(event) {
      await tick();
      const key = `${event.orgId}|${event.id}`;
      if (events.has(key)) return 'exists';
      events.set(key, copy(event));
      return 'created';
    },
    async get(orgId, eventId, now) {
      await tick();
      const e = events.get(`${orgId}|${eventId}`);
      return e && live(e.expiresAt, now) ? copy(e) : undefined;
    },
    async list(orgId, query, now) {
      const from = query.from === undefined ? undefined : iso(query.from, 'from');
      const to = query.to === undefined ? undefined : iso(query.to, 'to');
      decodeCursor(query.cursor);
      await tick();
      const types = query.types && query.types.length > 0 ? new Set(query.types) : undefined;
      const matching = [...events.values()].filter((e) => {
        if (e.orgId !== orgId || !live(e.expiresAt, now)) return false;
        if (types && !types.has(e.type)) return false;
        const at = iso(e.createdAt, 'createdAt');
        return (from === undefined || at >= from) && (to === undefined || at <= to);
      });
      const { page: list, nextCursor } = page(
        matching,
        (e) => `${iso(e.createdAt, 'createdAt')}#${e.id}`,
        query.cursor,
        query.limit,
      );
      return nextCursor === undefined ? { events: list } : { events: list, nextCursor };
    },
  };

  const webhooks: WebhookEndpoints = {
    async create(endpoint, entries) {
      await tick();
      const key = `${endpoint.orgId}|${endpoint.webhookId}`;
      if (hooks.has(key)) return 'exists';
      audit.check(entries);
      hooks.set(key, copy(endpoint));
      audit.commit(entries);
      return 'created';
    },
    async get(orgId, webhookId) {
      await tick();
      const h = hooks.get(`${orgId}|${webhookId}`);
      return h && copy(h);
    },
    async list(orgId) {
      await tick();
      return [...hooks.values()]
        .filter((h) => h.orgId === orgId)
        .sort((a, b) => (a.webhookId < b.webhookId ? -1 : a.webhookId > b.webhookId ? 1 : 0))
        .map(copy);
    },
    async update(endpoint, entries) {
      await tick();
      const key = `${endpoint.orgId}|${endpoint.webhookId}`;
      if (!hooks.has(key)) return 'missing';
      audit.check(entries);
      hooks.set(key, copy(endpoint));
      audit.commit(entries);
      return 'updated';
    },
    async delete(orgId, webhookId, entries) {
      await tick();
      audit.check(entries);
      hooks.delete(`${orgId}|${webhookId}`);
      audit.commit(entries);
    },
  };

  const deliveryKey = (d: Pick<Delivery, 'orgId' | 'webhookId' | 'deliveryId'>) =>
    `${d.orgId}|${d.webhookId}|${d.deliveryId}`;
  const dueAt = (d: Delivery) => iso(d.nextAttemptAt!, 'nextAttemptAt');

  const deliveries: Deliveries = {
    async create(list) {
      await tick();
      for (const d of list) {
        const key = deliveryKey(d);
        if (!deliveryMap.has(key)) deliveryMap.set(key, copy(d));
      }
    },
    async get(orgId, webhookId, deliveryId) {
      await tick();
      const d = deliveryMap.get(deliveryKey({ orgId, webhookId, deliveryId }));
      return d && copy(d);
    },
    async due(now, limit) {
      await tick();
      const at = now.toISOString();
      return [...deliveryMap.values()]
        .filter(
          (d) =>
            d.status === 'pending' &&
            d.nextAttemptAt !== undefined &&
            dueAt(d) <= at &&
            live(d.expiresAt, now),
        )
        .sort((a, b) => (dueAt(a) < dueAt(b) ? -1 : dueAt(a) > dueAt(b) ? 1 : 0))
        .slice(0, Math.max(0, limit))
        .map(copy);
    },
    async replace(next, expectedVersion) {
      await tick();
      const key = deliveryKey(next);
      const current = deliveryMap.get(key);
      if (!current || current.version !== expectedVersion || current.createdAt !== next.createdAt) {
        return false;
      }
      deliveryMap.set(key, copy(next));
      return true;
    },
    async listForWebhook(orgId, webhookId, cursor, limit) {
      decodeCursor(cursor);
      await tick();
      const mine = [...deliveryMap.values()].filter((d) => d.orgId === orgId && d.webhookId === webhookId);
      const { page: list, nextCursor } = page(
        mine,
        (d) => `${iso(d.createdAt, 'createdAt')}#${d.deliveryId}`,
        cursor,
        limit,
      );
      return nextCursor === undefined ? { deliveries: list } : { deliveries: list, nextCursor };
    },
  };

  return { alertEvents, webhooks, deliveries };
}
