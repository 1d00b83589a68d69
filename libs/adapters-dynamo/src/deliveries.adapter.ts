import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type EntityItem } from 'electrodb';
import { type Deliveries, type Delivery, type DeliveryAttempt, mapLimit } from '#core-domain';
import { jsonCopy } from './alerts.adapter.js';
import { type Key, type RawItem } from './batch.js';
import { type Entities } from './entities.js';
import { DUE_PARTITIONS, duePartition, isExpired } from './keys.js';
import { decodeCursor, isoInstant, queryNewestFirst } from './paging.js';
import { FEED_INDEX } from './table.js';
import { type Ctx, defined, keyOf, parseAll, unlessConditionFails, writeTransaction } from './support.js';

type DeliveryItem = EntityItem<Entities['delivery']>;

/** Sort-key prefix of delivery items (`DLV#{sortAt}#{deliveryId}`, alert-entities.ts). */
const DELIVERY_AT = 'DLV#';
/** Deliveries created in parallel by one `create` call (each is one small transaction). */
const CREATE_CONCURRENCY = 8;

/** Whether a delivery belongs in the due index: pending, with a next attempt. */
const isDue = (d: Pick<Delivery, 'status' | 'nextAttemptAt'>) =>
  d.status === 'pending' && d.nextAttemptAt !== undefined;

function deliveryToItem(d: Delivery): DeliveryItem {
  const due = isDue(d);
  return defined({
    orgId: d.orgId,
    webhookId: d.webhookId,
    deliveryId: d.deliveryId,
    createdAt: d.createdAt,
    sortAt: isoInstant(d.createdAt, 'createdAt'),
    expiresAt: d.expiresAt,
    eventId: d.eventId,
    status: d.status,
    attempts: jsonCopy(d.attempts),
    nextAttemptAt: d.nextAttemptAt,
    claimedBy: d.claimedBy,
    claimedUntil: d.claimedUntil,
    version: d.version,
    // The sparse due index: only pending deliveries carry its keys.
    dueShard: due ? duePartition(d.deliveryId) : undefined,
    dueAt: due ? isoInstant(d.nextAttemptAt!, 'nextAttemptAt') : undefined,
  });
}

function deliveryFromItem(item: DeliveryItem): Delivery {
  return defined({
    orgId: item.orgId,
    webhookId: item.webhookId,
    deliveryId: item.deliveryId,
    eventId: item.eventId,
    status: item.status,
    attempts: (item.attempts ?? []) as DeliveryAttempt[],
    nextAttemptAt: item.nextAttemptAt,
    claimedBy: item.claimedBy,
    claimedUntil: item.claimedUntil,
    version: item.version,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const keyId = (key: Key) => `${String(key.pk)}\u0000${String(key.sk)}`;

/**
 * The due index as one stream, oldest first: a k-way merge of the 16 write shards (`DUE#{k}`, gsi1sk
 * <= now, ascending), each read a page of `pageSize` index entries at a time and only when the merge
 * needs it. Entries carry the table keys only (gsi1 projects no delivery attribute).
 */
function dueShards({ doc, tableName }: Ctx, at: string, pageSize: number) {
  const buffers: RawItem[][] = Array.from({ length: DUE_PARTITIONS }, () => []);
  // undefined: not read yet; null: read to the end.
  const starts: Array<Record<string, unknown> | null | undefined> = new Array(DUE_PARTITIONS).fill(undefined);
  const refill = async (k: number) => {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: FEED_INDEX,
        KeyConditionExpression: '#pk = :pk AND #sk <= :now',
        ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
        ExpressionAttributeValues: { ':pk': `DUE#${k}`, ':now': at },
        ScanIndexForward: true,
        Limit: pageSize,
        ...(starts[k] ? { ExclusiveStartKey: starts[k] } : {}),
      }),
    );
    buffers[k]!.push(...((out.Items ?? []) as RawItem[]));
    starts[k] = out.LastEvaluatedKey ?? null;
  };
  const order = (a: RawItem, b: RawItem) =>
    compare(String(a.gsi1sk), String(b.gsi1sk)) || compare(keyId(a), keyId(b));
  return {
    /** The next `n` entries (fewer at the end of the index). */
    async next(n: number): Promise<RawItem[]> {
      const batch: RawItem[] = [];
      while (batch.length < n) {
        const empty = buffers.flatMap((b, k) => (b.length === 0 && starts[k] !== null ? [k] : []));
        await Promise.all(empty.map(refill));
        let best = -1;
        for (let k = 0; k < DUE_PARTITIONS; k++) {
          const head = buffers[k]![0];
          if (head && (best < 0 || order(head, buffers[best]![0]!) < 0)) best = k;
        }
        if (best < 0) break;
        batch.push(buffers[best]!.shift()!);
      }
      return batch;
    },
  };
}

/**
 * Deliveries of one endpoint live in `DLV#{orgId}#{webhookId}`: the delivery at
 * `DLV#{ISO createdAt}#{deliveryId}` (newest-first listing) and a reference at `ID#{deliveryId}`
 * holding its `sortAt` (the create-once condition, and `get` by id: GetItem of the reference, then of
 * the delivery). `replace` is a full PutItem on `version = :expected`, so the sparse due index keys
 * (gsi1: `DUE#{k}` / next attempt) are set or dropped with the status. docs/storage.md.
 */
export function deliveries(ctx: Ctx): Deliveries {
  const { service, e, raw } = ctx;
  return {
    async create(list) {
      const unique = new Map(list.map((d) => [`${d.orgId}|${d.webhookId}|${d.deliveryId}`, d]));
      await mapLimit([...unique.values()], CREATE_CONCURRENCY, async (d) => {
        const item = deliveryToItem(d);
        const ref = {
          orgId: item.orgId,
          webhookId: item.webhookId,
          deliveryId: item.deliveryId,
          createdAt: item.createdAt,
          sortAt: item.sortAt,
          expiresAt: item.expiresAt,
        };
        const result = await writeTransaction((token) =>
          service.transaction
            .write(({ delivery, deliveryRef }) => [
              deliveryRef.create(ref).commit(),
              delivery.create(item).commit(),
            ])
            .go({ token }),
        );
        // A failed create condition: the id exists, and is left as it is.
        if (result.canceled && !result.data.some((x) => x.code === 'ConditionalCheckFailed')) {
          throw new Error(`Delivery transaction cancelled: ${result.data.map((x) => x.code).join(', ')}`);
        }
      });
    },
    async get(orgId, webhookId, deliveryId) {
      const { data: ref } = await e.deliveryRef.get({ orgId, webhookId, deliveryId }).go();
      if (!ref) return undefined;
      const { data } = await e.delivery.get({ orgId, webhookId, deliveryId, sortAt: ref.sortAt }).go();
      return data ? deliveryFromItem(data) : undefined;
    },
    async due(now, limit) {
      if (limit <= 0) return [];
      const at = now.toISOString();
      const nowMs = now.getTime();
      const shards = dueShards(ctx, at, limit);
      const out: Delivery[] = [];
      // Candidates come oldest first from the merged shards; the index is eventually consistent (and
      // may hold expired items until TTL removes them), so each batch is read back and checked.
      while (out.length < limit) {
        const batch = await shards.next(limit - out.length);
        if (batch.length === 0) break;
        const keys: Key[] = batch.map((x) => ({ pk: x.pk, sk: x.sk }));
        const byKey = new Map<string, DeliveryItem>();
        for (const item of parseAll(e.delivery, await raw(keys, true))) {
          byKey.set(keyId(keyOf(e.delivery.get(item))), item);
        }
        for (const key of keys) {
          const item = byKey.get(keyId(key));
          if (!item) continue;
          const d = deliveryFromItem(item);
          if (isDue(d) && item.dueAt !== undefined && item.dueAt <= at && !isExpired(d.expiresAt, nowMs)) {
            out.push(d);
          }
        }
      }
      return out;
    },
    async replace(next, expectedVersion) {
      return unlessConditionFails(async () => {
        await e.delivery
          .put(deliveryToItem(next))
          .where((a, op) => op.eq(a.version, expectedVersion))
          .go();
        return true;
      }, false);
    },
    async listForWebhook(orgId, webhookId, cursor, limit) {
      const below = decodeCursor(cursor, DELIVERY_AT);
      const pk = String(keyOf(e.deliveryRef.get({ orgId, webhookId, deliveryId: '-' })).pk);
      const { items, nextCursor } = await queryNewestFirst(ctx, {
        pk,
        lo: DELIVERY_AT,
        hi: 'DLV$',
        ...(below === undefined ? {} : { below }),
        limit,
        accept: () => true,
      });
      const list = parseAll(e.delivery, items).map(deliveryFromItem);
      return nextCursor === undefined ? { deliveries: list } : { deliveries: list, nextCursor };
    },
  };
}
