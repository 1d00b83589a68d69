import { describe, expect, it } from '@jest/globals';
import { type AlertEvent } from '../model/alerts/alert-event.js';
import { InvalidRequestError } from '../model/errors.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { anAlertEvent, aWebhook, uniqueId } from './builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const at = (ms: number) => new Date(Date.parse('2026-03-10T00:00:00.000Z') + ms).toISOString();
const epochOf = (d: Date) => Math.floor(d.getTime() / 1000);

/** Expects a rejection with InvalidRequestError naming `field`. */
export async function expectInvalid(call: Promise<unknown>, field: string): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as InvalidRequestError).fields.map((f) => f.field)).toContain(field);
}

/** A cursor that no listing ever hands out: not base64url JSON, or JSON of the wrong shape. */
export const BAD_CURSORS = ['%%%not-a-cursor%%%', Buffer.from('{"x":1}').toString('base64url'), 'bnVsbA'];

async function allPages(
  s: StorageAdapters,
  orgId: string,
  query: { types?: AlertEvent['type'][]; from?: string; to?: string; limit: number },
): Promise<{ pages: AlertEvent[][]; all: AlertEvent[] }> {
  const pages: AlertEvent[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const q = cursor === undefined ? query : { ...query, cursor };
    const { events, nextCursor } = await s.alertEvents.list(orgId, q, NOW);
    pages.push(events);
    if (nextCursor === undefined) break;
    cursor = nextCursor;
  }
  return { pages, all: pages.flat() };
}

export function alertEventsContract(get: () => StorageAdapters): void {
  describe('AlertEvents', () => {
    it('creates an event once per id; a second create writes nothing', async () => {
      const s = get();
      const event = anAlertEvent(uniqueId());
      expect(await s.alertEvents.createOnce(event)).toBe('created');
      const again = { ...event, createdAt: at(5000), data: { other: true } };
      expect(await s.alertEvents.createOnce(again)).toBe('exists');
      expect(await s.alertEvents.get(event.orgId, event.id, NOW)).toEqual(event);
      expect((await s.alertEvents.list(event.orgId, { limit: 10 }, NOW)).events).toEqual([event]);
    });

    it('20 concurrent creates of one id: exactly one is created', async () => {
      const s = get();
      const base = anAlertEvent(uniqueId());
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => s.alertEvents.createOnce({ ...base, createdAt: at(i * 1000) })),
      );
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
      const { events } = await s.alertEvents.list(base.orgId, { limit: 50 }, NOW);
      expect(events).toHaveLength(1);
      expect(await s.alertEvents.get(base.orgId, base.id, NOW)).toEqual(events[0]);
    });

    it('gets by org and id; other orgs and expired events are not found', async () => {
      const s = get();
      const event = anAlertEvent(uniqueId(), { data: { nested: { list: [1, 'a', null] }, none: null } });
      await s.alertEvents.createOnce(event);
      expect(await s.alertEvents.get(event.orgId, event.id, NOW)).toEqual(event);
      expect(await s.alertEvents.get(uniqueId(), event.id, NOW)).toBeUndefined();
      expect(await s.alertEvents.get(event.orgId, 'evt_missing', NOW)).toBeUndefined();
      const expired = anAlertEvent(event.orgId, { expiresAt: epochOf(NOW) });
      await s.alertEvents.createOnce(expired);
      expect(await s.alertEvents.get(event.orgId, expired.id, NOW)).toBeUndefined();
    });

    it('lists newest first (ties by id), expired events hidden, orgs apart', async () => {
      const s = get();
      const orgId = uniqueId();
      const times = [3, 1, 4, 1, 5, 9, 2, 6];
      const events = times.map((t) => anAlertEvent(orgId, { createdAt: at(t * 60_000) }));
      for (const e of events) await s.alertEvents.createOnce(e);
      await s.alertEvents.createOnce(anAlertEvent(orgId, { createdAt: at(7 * 60_000), expiresAt: 1 }));
      await s.alertEvents.createOnce(anAlertEvent(uniqueId(), { createdAt: at(8 * 60_000) }));
      const { events: listed, nextCursor } = await s.alertEvents.list(orgId, { limit: 100 }, NOW);
      expect(nextCursor).toBeUndefined();
      const expected = [...events].sort((a, b) =>
        a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1,
      );
      expect(listed).toEqual(expected);
    });

    it('filters by types and by an inclusive from/to range', async () => {
      const s = get();
      const orgId = uniqueId();
      const types = ['budget.threshold_crossed', 'budget.exhausted', 'model.fallback_activated'] as const;
      const events = Array.from({ length: 9 }, (_, i) =>
        anAlertEvent(orgId, { type: types[i % 3]!, createdAt: at(i * 60_000) }),
      );
      for (const e of events) await s.alertEvents.createOnce(e);
      const ids = (list: AlertEvent[]) => list.map((e) => e.id);
      const exhausted = await s.alertEvents.list(orgId, { types: ['budget.exhausted'], limit: 10 }, NOW);
      expect(ids(exhausted.events)).toEqual([events[7]!.id, events[4]!.id, events[1]!.id]);
      const two = await s.alertEvents.list(
        orgId,
        { types: ['budget.exhausted', 'model.fallback_activated'], limit: 10 },
        NOW,
      );
      expect(two.events).toHaveLength(6);
      const range = await s.alertEvents.list(
        orgId,
        { from: at(2 * 60_000), to: at(5 * 60_000), limit: 10 },
        NOW,
      );
      expect(ids(range.events)).toEqual([5, 4, 3, 2].map((i) => events[i]!.id));
      const both = await s.alertEvents.list(
        orgId,
        { types: ['budget.threshold_crossed'], from: at(60_000), limit: 10 },
        NOW,
      );
      expect(ids(both.events)).toEqual([events[6]!.id, events[3]!.id]);
      expect((await s.alertEvents.list(orgId, { from: at(10 * 60_000), limit: 10 }, NOW)).events).toEqual([]);
    });

    it('pages with an opaque cursor: no duplicate, no gap, also with filters and equal times', async () => {
      const s = get();
      const orgId = uniqueId();
      const events = Array.from({ length: 11 }, (_, i) =>
        anAlertEvent(orgId, {
          type: i % 3 === 0 ? 'budget.exhausted' : 'budget.threshold_crossed',
          createdAt: at(Math.floor(i / 2) * 1000),
        }),
      );
      for (const e of [...events].reverse()) await s.alertEvents.createOnce(e);
      const full = (await s.alertEvents.list(orgId, { limit: 100 }, NOW)).events;
      expect(full).toHaveLength(11);
      for (const limit of [1, 3, 4, 11]) {
        const { pages, all } = await allPages(s, orgId, { limit });
        expect(all).toEqual(full);
        expect(pages.every((p) => p.length > 0 && p.length <= limit)).toBe(true);
        expect(pages).toHaveLength(Math.ceil(11 / limit));
      }
      const filtered = await allPages(s, orgId, { types: ['budget.exhausted'], limit: 2 });
      expect(filtered.all).toEqual(full.filter((e) => e.type === 'budget.exhausted'));
      expect(filtered.pages.map((p) => p.length)).toEqual([2, 2]);
    });

    it('refuses a malformed cursor with InvalidRequestError on the cursor field', async () => {
      const s = get();
      const orgId = uniqueId();
      await s.alertEvents.createOnce(anAlertEvent(orgId));
      for (const cursor of BAD_CURSORS) {
        await expectInvalid(s.alertEvents.list(orgId, { limit: 10, cursor }, NOW), 'cursor');
      }
    });
  });
}

export function webhookEndpointsContract(get: () => StorageAdapters): void {
  describe('WebhookEndpoints', () => {
    it('creates once, reads back, lists by webhook id, keeps orgs apart', async () => {
      const s = get();
      const orgId = uniqueId();
      const b = aWebhook(orgId, { webhookId: 'wh_b', eventTypes: ['budget.exhausted', 'webhook.test'] });
      const a = aWebhook(orgId, {
        webhookId: 'wh_a',
        kind: 'sns',
        topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
        format: 'standard',
        eventTypes: [],
      });
      delete a.url;
      delete a.description;
      expect(await s.webhooks.create(b)).toBe('created');
      expect(await s.webhooks.create(a)).toBe('created');
      expect(await s.webhooks.create({ ...a, description: 'again' })).toBe('exists');
      expect(await s.webhooks.get(orgId, 'wh_a')).toEqual(a);
      expect(await s.webhooks.get(orgId, 'wh_b')).toEqual(b);
      expect(await s.webhooks.list(orgId)).toEqual([a, b]);
      await s.webhooks.create(aWebhook(uniqueId(), { webhookId: 'wh_a' }));
      expect(await s.webhooks.list(orgId)).toHaveLength(2);
      expect(await s.webhooks.get(uniqueId(), 'wh_a')).toBeUndefined();
      expect(await s.webhooks.list(uniqueId())).toEqual([]);
    });

    it('updates only an existing endpoint, replacing every field', async () => {
      const s = get();
      const hook = aWebhook(uniqueId(), { eventTypes: ['budget.exhausted'] });
      expect(await s.webhooks.update(hook)).toBe('missing');
      expect(await s.webhooks.get(hook.orgId, hook.webhookId)).toBeUndefined();
      await s.webhooks.create(hook);
      const next = {
        ...hook,
        eventTypes: null,
        enabled: false,
        disabledReason: 'gone',
        format: 'slack' as const,
        previousSecret: 'whsec_old',
        previousSecretExpiresAt: '2026-03-11T12:00:00.000Z',
        failingSince: '2026-03-10T12:00:00.000Z',
        updatedAt: '2026-03-10T13:00:00.000Z',
      };
      delete next.description;
      expect(await s.webhooks.update(next)).toBe('updated');
      expect(await s.webhooks.get(hook.orgId, hook.webhookId)).toEqual(next);
    });

    it('concurrent creates of one id: exactly one wins', async () => {
      const s = get();
      const hook = aWebhook(uniqueId());
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => s.webhooks.create({ ...hook, description: `d${i}` })),
      );
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
    });

    it('deletes (idempotently)', async () => {
      const s = get();
      const hook = aWebhook(uniqueId());
      await s.webhooks.create(hook);
      await s.webhooks.delete(hook.orgId, hook.webhookId);
      expect(await s.webhooks.get(hook.orgId, hook.webhookId)).toBeUndefined();
      expect(await s.webhooks.list(hook.orgId)).toEqual([]);
      await s.webhooks.delete(hook.orgId, hook.webhookId);
      expect(await s.webhooks.update(hook)).toBe('missing');
      expect(await s.webhooks.create(hook)).toBe('created');
    });
  });
}
