import {
  recordPosition,
  recordVisible,
  type DayRecordsPage,
  type RecordFeedPage,
  type UsageRecord,
  type UsageRecords,
} from '#core-domain';
import { copy, epoch } from './copy.js';

interface Placed {
  key: string;
  record: UsageRecord;
}

/** Inserts keeping `list` sorted by key (appends are the common case: O(1) then). */
function insertSorted(list: Placed[], item: Placed): void {
  let lo = 0;
  let hi = list.length;
  if (hi === 0 || list[hi - 1]!.key <= item.key) {
    list.push(item);
    return;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.key <= item.key) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

/** First index whose key is strictly greater than `key` (or >= when `inclusive`). */
function firstAfter(list: Placed[], key: string, inclusive: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = list[mid]!.key;
    if (k < key || (!inclusive && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The records as the DynamoDB adapter indexes them: per (org, org day) in timestamp order, and one
 * list in recordedAt order for the worker's feed. `add` is called by recordOnce for a new record.
 */
export function createRecordStore(tick: () => Promise<void>): {
  add(record: UsageRecord): void;
  records: UsageRecords;
} {
  const byDay = new Map<string, Placed[]>(); // `${orgId}|${day}`
  const byRecordedAt: Placed[] = [];

  return {
    add(record) {
      const stored = copy(record);
      const dayKey = `${record.orgId}|${record.day}`;
      let list = byDay.get(dayKey);
      if (!list) byDay.set(dayKey, (list = []));
      insertSorted(list, { key: recordPosition(record), record: stored });
      insertSorted(byRecordedAt, {
        key: `${record.recordedAt}#${record.scopeKey}#${record.requestId}`,
        record: stored,
      });
    },
    records: {
      async readDay(q): Promise<DayRecordsPage> {
        await tick();
        const list = byDay.get(`${q.orgId}|${q.day}`) ?? [];
        const nowSecs = epoch(q.now);
        const start =
          q.after !== undefined && q.after >= q.from
            ? firstAfter(list, q.after, false)
            : firstAfter(list, q.from, true);
        const records: UsageRecord[] = [];
        for (let i = start; i < list.length; i++) {
          const { key, record } = list[i]!;
          if (key >= q.to) break;
          if (!recordVisible(record, q, nowSecs)) continue;
          records.push(copy(record));
          if (records.length === q.limit) {
            return i + 1 < list.length && list[i + 1]!.key < q.to ? { records, next: key } : { records };
          }
        }
        return { records };
      },
      async recordedBetween(from, to, cursor, limit): Promise<RecordFeedPage> {
        await tick();
        const fromIso = from.toISOString();
        const toIso = to.toISOString();
        const start =
          cursor !== undefined
            ? firstAfter(byRecordedAt, cursor, false)
            : firstAfter(byRecordedAt, fromIso, true);
        const records: UsageRecord[] = [];
        for (let i = start; i < byRecordedAt.length; i++) {
          const { key, record } = byRecordedAt[i]!;
          if (key >= toIso) break;
          records.push(copy(record));
          if (records.length === limit) {
            return i + 1 < byRecordedAt.length && byRecordedAt[i + 1]!.key < toIso
              ? { records, next: key }
              : { records };
          }
        }
        return { records };
      },
    },
  };
}
