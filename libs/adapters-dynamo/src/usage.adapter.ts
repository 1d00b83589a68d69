import { type EntityItem } from 'electrodb';
import {
  addTotals,
  type CounterGroup,
  type RecordOutcome,
  type SpendReader,
  type SpendSnapshot,
  StorageUnavailableError,
  type UsageCounters,
  type UsageRecord,
  type UsageTotals,
  ZERO_TOTALS,
} from '#core-domain';
import { type Key, MAX_RETRY_ROUNDS } from './batch.js';
import { type Entities } from './entities.js';
import { upgradeRecordItem, withoutKeyCopies } from './record-entities.js';
import {
  dayFromKey,
  dayToKey,
  FEED_PARTITIONS,
  feedPartition,
  fnv1a32,
  isExpired,
  minuteBucket,
} from './keys.js';
import { stickyFromItem } from './sticky.adapter.js';
import { periodsFrom, periodTotalKey, totalFromItem } from './totals.adapter.js';
import { byEntity, type Ctx, defined, keyOf, parseAll, totalsOf, writeTransaction } from './support.js';

export type UsageRecordItem = EntityItem<Entities['usageRecord']>;

function counterKey(scopeKey: string, label: string, day: string, shard: number) {
  return { scopeKey, label, day: dayToKey(day), shard };
}

export function recordToItem(record: UsageRecord): UsageRecordItem {
  return defined({
    scopeKey: record.scopeKey,
    requestId: record.requestId,
    orgId: record.orgId,
    appId: record.appId,
    label: record.label,
    bedrockModelId: record.bedrockModelId,
    callingRegion: record.callingRegion,
    profileArn: record.profileArn,
    priceSource: record.priceSource,
    priceVersion: record.priceVersion,
    day: dayToKey(record.day),
    shard: record.shard,
    status: record.status,
    timestamp: record.timestamp,
    recordedAt: record.recordedAt,
    recordedDay: dayToKey(record.recordedAt.slice(0, 10)),
    feedK: fnv1a32(record.requestId) % FEED_PARTITIONS,
    retainUntil: record.retainUntil,
    tags: record.tags ? { ...record.tags } : undefined,
    ...totalsOf(record),
    counterExpiresAt: record.counterExpiresAt,
    expiresAt: record.expiresAt,
  });
}

/** An ElectroDB transaction Put of a record, its item without the attributes its keys carry. */
function recordPut<C>(commit: C): C {
  const put = (commit as { Put?: { Item?: Record<string, unknown> } }).Put;
  if (!put?.Item) throw new Error('A record create commits a Put');
  put.Item = withoutKeyCopies(put.Item);
  return commit;
}

/** The keys of every shard of a (scope, label, day) counter. */
function shardKeys(e: Entities, group: CounterGroup, shardCount: number): Key[] {
  const keys: Key[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    keys.push(keyOf(e.counter.get(counterKey(group.scopeKey, group.label, group.day, shard))));
  }
  return keys;
}

/** What a submission in flight resolves to, with the record it wrote (for the copies waiting on it). */
type Flight = Promise<{ outcome: RecordOutcome; record: UsageRecord }>;

/** The outcome for a copy of `record`'s request id that waited for `record`'s submission. */
function asCopyOf(outcome: RecordOutcome, record: UsageRecord): RecordOutcome {
  if (outcome.duplicate) return outcome;
  return {
    duplicate: true,
    costUsdMicros: record.costUsdMicros,
    shard: record.shard,
    label: record.label,
    day: record.day,
  };
}

export function usageCounters({ service, e, raw }: Ctx): UsageCounters {
  /**
   * Single flight per (scope, request id) in this process: a copy of a request that is still being
   * written waits for its outcome instead of sending a transaction that can only conflict with it
   * (a client retry storm would otherwise multiply the conflicts on the record and its shard).
   */
  const inFlight = new Map<string, Flight>();

  async function recordInStore(record: UsageRecord): Promise<RecordOutcome> {
    const recordItem = recordToItem(record);
    const recordedAt = new Date(record.recordedAt);
    const writtenAt = Number.isNaN(recordedAt.getTime()) ? new Date() : recordedAt;
    const increment = totalsOf(record);

    for (let round = 0; ; round++) {
      const result = await writeTransaction((token) =>
        service.transaction
          .write(({ usageRecord, counter }) => [
            // Conditional create (attribute_not_exists): the exactly-once marker. `all_old` makes a
            // cancellation return the stored record, so a duplicate costs no extra read.
            // Stored without the attributes its keys carry (entities.ts, KEY_COPIES).
            recordPut(usageRecord.create(recordItem).commit({ response: 'all_old' })),
            // upsert (not update): update().add() would not write the change-feed GSI keys.
            counter
              .upsert(counterKey(record.scopeKey, record.label, record.day, record.shard))
              .add(increment)
              .set({
                feedPartition: feedPartition(record.scopeKey, record.label),
                writtenBucket: minuteBucket(writtenAt),
                updatedAt: record.recordedAt,
                expiresAt: record.counterExpiresAt,
              })
              .commit(),
          ])
          .go({ token }),
      );
      if (!result.canceled) return { duplicate: false };
      const reason = result.data[0];
      if (reason?.code !== 'ConditionalCheckFailed') {
        throw new Error(`Usage transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`);
      }
      let stored = reason.item as Pick<UsageRecordItem, 'costUsdMicros' | 'shard' | 'label' | 'day'> | null;
      if (!stored || typeof stored.shard !== 'number') {
        // Only when the store does not return the item with the cancellation reason, or the item was
        // written with the long attribute names (before 2026-12-02), which the entity does not parse.
        const key = keyOf(e.usageRecord.get({ scopeKey: record.scopeKey, requestId: record.requestId }));
        stored = parseAll(e.usageRecord, (await raw([key], true)).map(upgradeRecordItem))[0] ?? null;
      }
      if (stored) {
        return {
          duplicate: true,
          costUsdMicros: stored.costUsdMicros ?? 0,
          shard: stored.shard,
          label: stored.label,
          day: dayFromKey(stored.day),
        };
      }
      // The record vanished between the cancellation and the read (TTL deletion): try again.
      if (round >= MAX_RETRY_ROUNDS) throw new StorageUnavailableError('Usage record kept changing');
    }
  }

  return {
    async recordOnce(record: UsageRecord): Promise<RecordOutcome> {
      const key = `${record.scopeKey}\u0000${record.requestId}`;
      for (let running = inFlight.get(key); running; running = inFlight.get(key)) {
        try {
          const first = await running;
          return asCopyOf(first.outcome, first.record);
        } catch {
          // That submission failed, so whether it was written is unknown: find out with our own.
          if (inFlight.get(key) === running) inFlight.delete(key);
        }
      }
      const mine: Flight = recordInStore(record).then((outcome) => ({ outcome, record }));
      inFlight.set(key, mine);
      try {
        return (await mine).outcome;
      } finally {
        if (inFlight.get(key) === mine) inFlight.delete(key);
      }
    },

    async sumShards(group: CounterGroup, shardCount: number): Promise<UsageTotals> {
      const items = parseAll(e.counter, await raw(shardKeys(e, group, shardCount)));
      return items.reduce((sum, item) => addTotals(sum, totalsOf(item)), { ...ZERO_TOTALS });
    },
  };
}

/** Totals, live shard sums, sticky state and period totals of one scope and day: one BatchGetItem. */
export function spendReader({ e, raw }: Ctx): SpendReader {
  return {
    async read(query, now): Promise<SpendSnapshot> {
      const { scopeKey } = query;
      const day = dayToKey(query.day);
      const keys: Key[] = [];
      const wanted = new Set(query.totalsFor);
      for (const label of wanted) keys.push(keyOf(e.dailyTotal.get({ scopeKey, day, label })));
      const liveLabels = [...new Set(query.liveFor)];
      for (const label of liveLabels) {
        keys.push(...shardKeys(e, { scopeKey, label, day: query.day }, query.shardCount));
      }
      if (query.withSticky) keys.push(keyOf(e.sticky.get({ scopeKey, day })));
      for (const period of query.periods ?? []) keys.push(periodTotalKey(e, period));

      const snapshot: SpendSnapshot = { totals: new Map(), live: new Map(), periods: new Map() };
      for (const label of liveLabels) snapshot.live.set(label, { ...ZERO_TOTALS });
      if (keys.length === 0) return snapshot;

      const nowMs = now.getTime();
      const groups = byEntity(await raw(keys));
      for (const item of parseAll(e.dailyTotal, groups.get('dailyTotal') ?? [])) {
        if (isExpired(item.expiresAt, nowMs) || !wanted.has(item.label)) continue;
        snapshot.totals.set(item.label, totalFromItem(item));
      }
      for (const item of parseAll(e.counter, groups.get('counter') ?? [])) {
        const live = snapshot.live.get(item.label);
        if (live && !isExpired(item.expiresAt, nowMs)) {
          snapshot.live.set(item.label, addTotals(live, totalsOf(item)));
        }
      }
      const [sticky] = parseAll(e.sticky, groups.get('sticky') ?? []);
      if (sticky && !isExpired(sticky.expiresAt, nowMs)) snapshot.sticky = stickyFromItem(sticky);
      snapshot.periods = periodsFrom(e, groups.get('periodTotal') ?? [], nowMs);
      return snapshot;
    },
  };
}
