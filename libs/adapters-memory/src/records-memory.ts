import {
  recordPosition,
  recordVisible,
  type DayRecordsPage,
  type RecordFeedPage,
  type UsageRecord,
  type UsageRecords,
} from '#core-domain';
import { epoch } from './copy.js';

/**
 * A list of records sorted by a string key computed from each record. The keys are not stored: a
 * key string per record (two lists) was a third of the heap a stored record took, and the GC
 * marked it again and again (docs/performance.md, "Lean comparison"). Only the last key is kept,
 * since appends are the common case: O(1) then, with one key computed.
 */
interface SortedRecords {
  items: UsageRecord[];
  lastKey: string;
}

/** Inserts keeping `list` sorted by `keyOf` (ties: after the equal keys). */
function insertSorted(list: SortedRecords, record: UsageRecord, keyOf: (r: UsageRecord) => string): void {
  const key = keyOf(record);
  const items = list.items;
  if (items.length === 0 || list.lastKey <= key) {
    items.push(record);
    list.lastKey = key;
    return;
  }
  // A record a little out of order (events sent at once) lands near the end: look back a few
  // places before searching the whole list.
  let hi = items.length - 1; // items[hi] sorts after the record
  const stop = Math.max(0, items.length - 8);
  while (hi > stop && keyOf(items[hi - 1]!) > key) hi--;
  let lo = 0;
  if (hi > stop) lo = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid]!) <= key) lo = mid + 1;
    else hi = mid;
  }
  items.splice(lo, 0, record);
}

/** First index whose key is strictly greater than `key` (or >= when `inclusive`). */
function firstAfter(
  items: readonly UsageRecord[],
  keyOf: (r: UsageRecord) => string,
  key: string,
  inclusive: boolean,
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keyOf(items[mid]!);
    if (k < key || (!inclusive && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A record's place in the worker's feed: recordedAt order, ties broken by scope and request id. */
const feedPosition = (r: UsageRecord) => `${r.recordedAt}#${r.scopeKey}#${r.requestId}`;

/** Every field of a UsageRecord: adding one to the type fails the build here until copyRecord copies it. */
const RECORD_KEYS: Record<keyof UsageRecord, true> = {
  scopeKey: true,
  requestId: true,
  orgId: true,
  appId: true,
  label: true,
  bedrockModelId: true,
  callingRegion: true,
  profileArn: true,
  priceSource: true,
  priceVersion: true,
  day: true,
  shard: true,
  status: true,
  timestamp: true,
  recordedAt: true,
  tags: true,
  retainUntil: true,
  expiresAt: true,
  counterExpiresAt: true,
  costUsdMicros: true,
  inputTokens: true,
  outputTokens: true,
  cacheReadInputTokens: true,
  cacheWriteInputTokens: true,
  requests: true,
};
export const USAGE_RECORD_KEYS = Object.keys(RECORD_KEYS) as (keyof UsageRecord)[];

/**
 * A deep copy of a record written field by field: one object shape for every stored record, and
 * several times cheaper than the generic copy() on the hot path (docs/performance.md, "Lean comparison").
 */
export function copyRecord(r: UsageRecord): UsageRecord {
  const out: UsageRecord = {
    scopeKey: r.scopeKey,
    requestId: r.requestId,
    orgId: r.orgId,
    appId: r.appId,
    label: r.label,
    bedrockModelId: r.bedrockModelId,
    priceSource: r.priceSource,
    priceVersion: r.priceVersion,
    day: r.day,
    shard: r.shard,
    status: r.status,
    timestamp: r.timestamp,
    recordedAt: r.recordedAt,
    retainUntil: r.retainUntil,
    expiresAt: r.expiresAt,
    counterExpiresAt: r.counterExpiresAt,
    costUsdMicros: r.costUsdMicros,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cacheReadInputTokens: r.cacheReadInputTokens,
    cacheWriteInputTokens: r.cacheWriteInputTokens,
    requests: r.requests,
  };
  if (r.callingRegion !== undefined) out.callingRegion = r.callingRegion;
  if (r.profileArn !== undefined) out.profileArn = r.profileArn;
  if (r.tags !== undefined) out.tags = { ...r.tags };
  return out;
}

/**
 * The records as the DynamoDB adapter indexes them: per (org, org day) in timestamp order, and one
 * list in recordedAt order for the worker's feed. `add` is called by recordOnce for a new record.
 */
export function createRecordStore(tick: () => Promise<void>): {
  /** Stores a copy of a new record and returns that copy (owned by the store: never hand it out). */
  add(record: UsageRecord): UsageRecord;
  records: UsageRecords;
} {
  const byDay = new Map<string, SortedRecords>(); // `${orgId}|${day}`
  const byRecordedAt: SortedRecords = { items: [], lastKey: '' };

  return {
    add(record) {
      const stored = copyRecord(record);
      const dayKey = `${record.orgId}|${record.day}`;
      let list = byDay.get(dayKey);
      if (!list) byDay.set(dayKey, (list = { items: [], lastKey: '' }));
      insertSorted(list, stored, recordPosition);
      insertSorted(byRecordedAt, stored, feedPosition);
      return stored;
    },
    records: {
      async readDay(q): Promise<DayRecordsPage> {
        await tick();
        const list = byDay.get(`${q.orgId}|${q.day}`)?.items ?? [];
        const nowSecs = epoch(q.now);
        const start =
          q.after !== undefined && q.after >= q.from
            ? firstAfter(list, recordPosition, q.after, false)
            : firstAfter(list, recordPosition, q.from, true);
        const records: UsageRecord[] = [];
        for (let i = start; i < list.length; i++) {
          const record = list[i]!;
          const key = recordPosition(record);
          if (key >= q.to) break;
          if (!recordVisible(record, q, nowSecs)) continue;
          records.push(copyRecord(record));
          if (records.length === q.limit) {
            return i + 1 < list.length && recordPosition(list[i + 1]!) < q.to
              ? { records, next: key }
              : { records };
          }
        }
        return { records };
      },
      async recordedBetween(from, to, cursor, limit): Promise<RecordFeedPage> {
        await tick();
        const fromIso = from.toISOString();
        const toIso = to.toISOString();
        const feed = byRecordedAt.items;
        const start =
          cursor !== undefined
            ? firstAfter(feed, feedPosition, cursor, false)
            : firstAfter(feed, feedPosition, fromIso, true);
        const records: UsageRecord[] = [];
        for (let i = start; i < feed.length; i++) {
          const record = feed[i]!;
          const key = feedPosition(record);
          if (key >= toIso) break;
          records.push(copyRecord(record));
          if (records.length === limit) {
            return i + 1 < feed.length && feedPosition(feed[i + 1]!) < toIso
              ? { records, next: key }
              : { records };
          }
        }
        return { records };
      },
    },
  };
}
