import { type EntityItem } from 'electrodb';
import {
  type AlertEvent,
  type AlertEvents,
  type AlertEventType,
  type WebhookEndpoint,
  type WebhookEndpoints,
} from '#core-domain';
import { writeWithAudit } from './audit.adapter.js';
import { type Entities } from './entities.js';
import { isExpired } from './keys.js';
import { decodeCursor, isoInstant, queryNewestFirst } from './paging.js';
import {
  type Ctx,
  defined,
  keyOf,
  parseAll,
  sortBy,
  unlessConditionFails,
  writeTransaction,
} from './support.js';

type EventItem = EntityItem<Entities['alertEvent']>;
type WebhookItem = EntityItem<Entities['webhook']>;

/** Sort-key prefix of the time-ordered event items (`AT#{sortAt}#{eventId}`, alert-entities.ts). */
const EVENT_AT = 'AT#';

/** A JSON value's copy without undefined members (DynamoDB cannot store undefined). */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function eventToItem(event: AlertEvent): EventItem {
  return {
    orgId: event.orgId,
    eventId: event.id,
    eventType: event.type,
    createdAt: event.createdAt,
    sortAt: isoInstant(event.createdAt, 'createdAt'),
    data: jsonCopy(event.data),
    expiresAt: event.expiresAt,
  };
}

function eventFromItem(item: EventItem): AlertEvent {
  return {
    id: item.eventId,
    type: item.eventType as AlertEventType,
    orgId: item.orgId,
    createdAt: item.createdAt,
    data: (item.data ?? {}) as Record<string, unknown>,
    expiresAt: item.expiresAt,
  };
}

/**
 * Each event is two items in the org's partition `EVENTS#{orgId}`, written together by one
 * transaction: `ID#{eventId}` (its create condition makes the event once-only; `get`) and
 * `AT#{ISO createdAt}#{eventId}` (the newest-first listing). Events are immutable, so the copy never
 * drifts; events are rare, so one partition per org is no hot spot.
 */
export function alertEvents(ctx: Ctx): AlertEvents {
  const { service, e } = ctx;
  return {
    async createOnce(event) {
      const item = eventToItem(event);
      const result = await writeTransaction((token) =>
        service.transaction
          .write(({ alertEvent, alertEventAt }) => [
            alertEvent.create(item).commit(),
            alertEventAt.create(item).commit(),
          ])
          .go({ token }),
      );
      if (!result.canceled) return 'created';
      if (result.data.some((d) => d.code === 'ConditionalCheckFailed')) return 'exists';
      throw new Error(`Event transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`);
    },
    async get(orgId, eventId, now) {
      const { data } = await e.alertEvent.get({ orgId, eventId }).go();
      return data && !isExpired(data.expiresAt, now.getTime()) ? eventFromItem(data) : undefined;
    },
    async list(orgId, query, now) {
      const below = decodeCursor(query.cursor, EVENT_AT);
      const from = query.from === undefined ? '' : isoInstant(query.from, 'from');
      // `$` sorts right after `#`: the bound takes every id at `to` (inclusive) and nothing later.
      const hi = query.to === undefined ? 'AT$' : `${EVENT_AT}${isoInstant(query.to, 'to')}$`;
      const types = query.types && query.types.length > 0 ? new Set<string>(query.types) : undefined;
      const nowMs = now.getTime();
      const pk = String(keyOf(e.alertEvent.get({ orgId, eventId: '-' })).pk);
      const { items, nextCursor } = await queryNewestFirst(ctx, {
        pk,
        lo: `${EVENT_AT}${from}`,
        hi,
        ...(below === undefined ? {} : { below }),
        limit: query.limit,
        accept: (raw) =>
          !isExpired(raw.expires_at as number | undefined, nowMs) &&
          (types === undefined || types.has(String(raw.event_type))),
      });
      const events = parseAll(e.alertEventAt, items).map(eventFromItem);
      return nextCursor === undefined ? { events } : { events, nextCursor };
    },
  };
}

function webhookToItem(w: WebhookEndpoint): WebhookItem {
  return defined({
    orgId: w.orgId,
    webhookId: w.webhookId,
    kind: w.kind,
    url: w.url,
    topicArn: w.topicArn,
    description: w.description,
    eventTypes: w.eventTypes === null ? undefined : [...w.eventTypes],
    format: w.format,
    enabled: w.enabled,
    disabledReason: w.disabledReason,
    secret: w.secret,
    previousSecret: w.previousSecret,
    previousSecretExpiresAt: w.previousSecretExpiresAt,
    failingSince: w.failingSince,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  });
}

function webhookFromItem(item: WebhookItem): WebhookEndpoint {
  return defined({
    ...item,
    eventTypes: item.eventTypes ? ([...item.eventTypes] as AlertEventType[]) : null,
  });
}

/** An org's endpoints: `HOOKS#{orgId}` / `HOOK#{webhookId}` (at most 10 per org). */
export function webhookEndpoints({ service, e }: Ctx): WebhookEndpoints {
  return {
    async create(endpoint, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [t.webhook.create(webhookToItem(endpoint)).commit()],
          audit,
        );
        return result === 'written' ? 'created' : 'exists';
      }
      return unlessConditionFails(async () => {
        await e.webhook.create(webhookToItem(endpoint)).go();
        return 'created' as const;
      }, 'exists' as const);
    },
    async get(orgId, webhookId) {
      const { data } = await e.webhook.get({ orgId, webhookId }).go();
      return data ? webhookFromItem(data) : undefined;
    },
    async list(orgId) {
      const { data } = await e.webhook.query.primary({ orgId }).go({ pages: 'all' });
      return sortBy(data.map(webhookFromItem), (w) => w.webhookId);
    },
    async update(endpoint, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [
            t.webhook
              .put(webhookToItem(endpoint))
              .where((a, op) => op.exists(a.webhookId))
              .commit(),
          ],
          audit,
        );
        return result === 'written' ? 'updated' : 'missing';
      }
      return unlessConditionFails(async () => {
        await e.webhook
          .put(webhookToItem(endpoint))
          .where((a, op) => op.exists(a.webhookId))
          .go();
        return 'updated' as const;
      }, 'missing' as const);
    },
    async delete(orgId, webhookId, audit = []) {
      if (audit.length > 0) {
        await writeWithAudit(service, (t) => [t.webhook.delete({ orgId, webhookId }).commit()], audit);
        return;
      }
      await e.webhook.delete({ orgId, webhookId }).go();
    },
  };
}
