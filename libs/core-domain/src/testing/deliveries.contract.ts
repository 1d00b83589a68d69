import { describe, expect, it } from '@jest/globals';
import { type Delivery } from '../model/alerts/webhook.entity.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { BAD_CURSORS, expectInvalid } from './alerts.contract.js';
import { aDelivery, uniqueId } from './builders.js';

const iso = (ms: number) => new Date(ms).toISOString();
const epochOf = (ms: number) => Math.floor(ms / 1000);

/**
 * `due` sees every org's deliveries, and contract suites share one store without emptying it. So
 * each test that asks `due` takes a fresh era (years before 2000, each earlier than the previous
 * one handed out) and schedules its deliveries inside it: the pending deliveries of earlier tests are
 * all due later than this test's `now`, and the other tests schedule theirs in 2026.
 */
let nextEraMs = Date.parse('1999-01-01T00:00:00.000Z');
function newEra(): number {
  nextEraMs -= 30 * 86400_000;
  return nextEraMs;
}

const byDue = (a: Delivery, b: Delivery) => Date.parse(a.nextAttemptAt!) - Date.parse(b.nextAttemptAt!);
const ids = (list: Delivery[]) => list.map((d) => d.deliveryId);

export function deliveriesContract(get: () => StorageAdapters): void {
  describe('Deliveries', () => {
    it('creates deliveries and reads them back; an existing id is left as it is', async () => {
      const s = get();
      const orgId = uniqueId();
      const first = aDelivery(orgId, 'wh_1', {
        attempts: [
          {
            attempt: 1,
            attemptedAt: '2026-03-10T12:00:00.000Z',
            statusCode: null,
            durationMs: 10_000,
            outcome: 'failed',
            error: 'timeout',
          },
        ],
        claimedBy: 'worker-1',
        claimedUntil: '2026-03-10T12:01:00.000Z',
      });
      const second = aDelivery(orgId, 'wh_2', { status: 'succeeded' });
      delete second.nextAttemptAt;
      await s.deliveries.create([first, second]);
      expect(await s.deliveries.get(orgId, 'wh_1', first.deliveryId)).toEqual(first);
      expect(await s.deliveries.get(orgId, 'wh_2', second.deliveryId)).toEqual(second);
      await s.deliveries.create([{ ...first, status: 'failed', version: 7 }, aDelivery(orgId, 'wh_1')]);
      expect(await s.deliveries.get(orgId, 'wh_1', first.deliveryId)).toEqual(first);
      expect((await s.deliveries.listForWebhook(orgId, 'wh_1', undefined, 10)).deliveries).toHaveLength(2);
      expect(await s.deliveries.get(orgId, 'wh_2', first.deliveryId)).toBeUndefined();
      expect(await s.deliveries.get(uniqueId(), 'wh_1', first.deliveryId)).toBeUndefined();
      await s.deliveries.create([]);
    });

    it('due: only pending deliveries due at now, oldest first, at most limit, across many', async () => {
      const s = get();
      const era = newEra();
      const orgs = [uniqueId(), uniqueId(), uniqueId()];
      const due: Delivery[] = [];
      const others: Delivery[] = [];
      for (let i = 0; i < 40; i++) {
        const orgId = orgs[i % 3]!;
        due.push(
          aDelivery(orgId, `wh_${i % 4}`, { nextAttemptAt: iso(era + ((i * 7919) % 40) * 60_000 + i) }),
        );
      }
      const now = era + 3600_000;
      others.push(aDelivery(orgs[0]!, 'wh_0', { nextAttemptAt: iso(now + 1) }));
      others.push(aDelivery(orgs[1]!, 'wh_0', { nextAttemptAt: iso(era), status: 'succeeded' }));
      others.push(aDelivery(orgs[1]!, 'wh_1', { nextAttemptAt: iso(era), status: 'failed' }));
      others.push(aDelivery(orgs[2]!, 'wh_1', { nextAttemptAt: iso(era), expiresAt: epochOf(era) }));
      const noTime = aDelivery(orgs[2]!, 'wh_2');
      delete noTime.nextAttemptAt;
      others.push(noTime);
      await s.deliveries.create([...due.slice(0, 20), ...others]);
      await s.deliveries.create(due.slice(20));
      const oldest = [...due].sort(byDue);
      expect(ids(await s.deliveries.due(new Date(now), 100))).toEqual(ids(oldest));
      expect(ids(await s.deliveries.due(new Date(now), 25))).toEqual(ids(oldest.slice(0, 25)));
      expect(await s.deliveries.due(new Date(now), 1)).toEqual([oldest[0]]);
      // nextAttemptAt <= now: the boundary is due.
      const third = Date.parse(oldest[2]!.nextAttemptAt!);
      expect(ids(await s.deliveries.due(new Date(third), 100))).toEqual(ids(oldest.slice(0, 3)));
      expect(await s.deliveries.due(new Date(era - 1), 100)).toEqual([]);
      expect(await s.deliveries.due(new Date(now), 0)).toEqual([]);
    });

    it('replace: the expected version wins, a stale one writes nothing', async () => {
      const s = get();
      const d = aDelivery(uniqueId(), 'wh_1');
      expect(await s.deliveries.replace({ ...d, version: 2 }, 1)).toBe(false);
      expect(await s.deliveries.get(d.orgId, d.webhookId, d.deliveryId)).toBeUndefined();
      await s.deliveries.create([d]);
      const claimed = { ...d, version: 2, claimedBy: 'w1', claimedUntil: '2026-03-10T12:01:00.000Z' };
      expect(await s.deliveries.replace(claimed, 1)).toBe(true);
      expect(await s.deliveries.get(d.orgId, d.webhookId, d.deliveryId)).toEqual(claimed);
      expect(await s.deliveries.replace({ ...d, version: 2, claimedBy: 'w2' }, 1)).toBe(false);
      expect(await s.deliveries.get(d.orgId, d.webhookId, d.deliveryId)).toEqual(claimed);
      const recorded: Delivery = {
        ...d,
        version: 3,
        status: 'succeeded',
        attempts: [
          {
            attempt: 1,
            attemptedAt: '2026-03-10T12:00:06.000Z',
            statusCode: 200,
            durationMs: 42,
            outcome: 'succeeded',
            responseBody: 'ok',
          },
        ],
      };
      delete recorded.nextAttemptAt;
      expect(await s.deliveries.replace(recorded, 2)).toBe(true);
      expect(await s.deliveries.get(d.orgId, d.webhookId, d.deliveryId)).toEqual(recorded);
    });

    it('two concurrent replaces at one version: exactly one wins', async () => {
      const s = get();
      const d = aDelivery(uniqueId(), 'wh_1');
      await s.deliveries.create([d]);
      for (let round = 0; round < 3; round++) {
        const version = d.version + round;
        const results = await Promise.all(
          ['w1', 'w2'].map((w) =>
            s.deliveries.replace({ ...d, version: version + 1, claimedBy: w }, version),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = await s.deliveries.get(d.orgId, d.webhookId, d.deliveryId);
        expect(stored?.version).toBe(version + 1);
        expect(stored?.claimedBy).toBe(results[0] ? 'w1' : 'w2');
      }
    });

    it('a delivery leaves due when it is no longer pending, and moves with nextAttemptAt', async () => {
      const s = get();
      const era = newEra();
      const now = new Date(era + 3600_000);
      const a = aDelivery(uniqueId(), 'wh_1', { nextAttemptAt: iso(era + 1000) });
      const b = aDelivery(uniqueId(), 'wh_1', { nextAttemptAt: iso(era + 2000) });
      await s.deliveries.create([a, b]);
      expect(ids(await s.deliveries.due(now, 10))).toEqual([a.deliveryId, b.deliveryId]);
      const done = { ...a, version: 2, status: 'succeeded' as const };
      delete done.nextAttemptAt;
      expect(await s.deliveries.replace(done, 1)).toBe(true);
      const later = { ...b, version: 2, nextAttemptAt: iso(era + 2 * 3600_000) };
      expect(await s.deliveries.replace(later, 1)).toBe(true);
      expect(await s.deliveries.due(now, 10)).toEqual([]);
      expect(await s.deliveries.due(new Date(era + 3 * 3600_000), 10)).toEqual([later]);
      const failed = { ...later, version: 3, status: 'failed' as const };
      expect(await s.deliveries.replace(failed, 2)).toBe(true);
      expect(await s.deliveries.due(new Date(era + 3 * 3600_000), 10)).toEqual([]);
    });

    it('lists an endpoint’s deliveries newest first, paged without duplicate or gap', async () => {
      const s = get();
      const orgId = uniqueId();
      const base = Date.parse('2026-03-10T12:00:00.000Z');
      const mine = Array.from({ length: 9 }, (_, i) =>
        aDelivery(orgId, 'wh_1', { createdAt: iso(base + Math.floor(i / 2) * 1000) }),
      );
      await s.deliveries.create([...mine].reverse());
      await s.deliveries.create([aDelivery(orgId, 'wh_2'), aDelivery(uniqueId(), 'wh_1')]);
      const expected = [...mine].sort((x, y) =>
        x.createdAt !== y.createdAt
          ? x.createdAt < y.createdAt
            ? 1
            : -1
          : x.deliveryId < y.deliveryId
            ? 1
            : -1,
      );
      const full = await s.deliveries.listForWebhook(orgId, 'wh_1', undefined, 100);
      expect(full).toEqual({ deliveries: expected });
      for (const limit of [1, 2, 4, 9]) {
        const pages: Delivery[][] = [];
        let cursor: string | undefined;
        do {
          const page = await s.deliveries.listForWebhook(orgId, 'wh_1', cursor, limit);
          pages.push(page.deliveries);
          cursor = page.nextCursor;
        } while (cursor !== undefined && pages.length < 20);
        expect(pages.flat()).toEqual(expected);
        expect(pages).toHaveLength(Math.ceil(9 / limit));
      }
      expect(await s.deliveries.listForWebhook(orgId, 'wh_9', undefined, 10)).toEqual({ deliveries: [] });
    });

    it('refuses a malformed cursor with InvalidRequestError on the cursor field', async () => {
      const s = get();
      for (const cursor of BAD_CURSORS) {
        await expectInvalid(s.deliveries.listForWebhook(uniqueId(), 'wh_1', cursor, 10), 'cursor');
      }
    });
  });
}
