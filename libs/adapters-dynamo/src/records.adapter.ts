import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  InvalidRequestError,
  recordVisible,
  type DayRecordsPage,
  type RecordFeedPage,
  type UsageRecord,
  type UsageRecords,
} from '#core-domain';
import { batchPutRaw, documentClient, type Key, type RawItem } from './batch.js';
import { createService } from './entities.js';
import { upgradeRecordItem, withoutKeyCopies } from './record-entities.js';
import { dayFromKey, dayToKey, FEED_PARTITIONS } from './keys.js';
import { FEED_INDEX, RECORDS_INDEX } from './table.js';
import { type Ctx, parseAll } from './support.js';
import { recordToItem, type UsageRecordItem } from './usage.adapter.js';

export function recordFromItem(item: UsageRecordItem): UsageRecord {
  const record: UsageRecord = {
    scopeKey: item.scopeKey,
    requestId: item.requestId,
    orgId: item.orgId,
    appId: item.appId,
    label: item.label,
    bedrockModelId: item.bedrockModelId,
    priceSource: item.priceSource ?? 'CONFIG_FALLBACK',
    priceVersion: item.priceVersion ?? '',
    day: dayFromKey(item.day),
    shard: item.shard,
    status: item.status,
    timestamp: item.timestamp,
    recordedAt: item.recordedAt,
    costUsdMicros: item.costUsdMicros,
    inputTokens: item.inputTokens,
    outputTokens: item.outputTokens,
    cacheReadInputTokens: item.cacheReadInputTokens,
    cacheWriteInputTokens: item.cacheWriteInputTokens,
    requests: item.requests,
    // Records written before retention existed: readable as long as they live.
    retainUntil: item.retainUntil ?? item.expiresAt,
    expiresAt: item.expiresAt,
    counterExpiresAt: item.counterExpiresAt,
  };
  if (item.callingRegion !== undefined) record.callingRegion = item.callingRegion;
  if (item.profileArn !== undefined) record.profileArn = item.profileArn;
  if (item.tags && typeof item.tags === 'object') record.tags = { ...(item.tags as Record<string, string>) };
  return record;
}

/** The UTC days (`YYYYMMDD`) that [from, to) touches. */
function utcDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  const end = to.getTime() - 1;
  for (
    let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    t <= end;
    t += 86_400_000
  ) {
    days.push(dayToKey(new Date(t).toISOString().slice(0, 10)));
  }
  return days;
}

interface FeedCursor {
  /** Index into the window's UTC days, the partition k, and the last sort key read there. */
  d: number;
  k: number;
  s?: string;
}

function feedCursor(cursor: string | undefined): FeedCursor {
  if (cursor === undefined) return { d: 0, k: 0 };
  try {
    const c = JSON.parse(cursor) as FeedCursor;
    if (Number.isInteger(c.d) && Number.isInteger(c.k)) return c;
  } catch {
    // below
  }
  throw new InvalidRequestError([{ field: 'cursor', message: 'is not a record feed cursor' }]);
}

export function usageRecords(ctx: Ctx): UsageRecords {
  const { e, doc, tableName, raw } = ctx;
  const parse = (items: RawItem[]) =>
    parseAll(e.usageRecord, items.map(upgradeRecordItem)).map(recordFromItem);

  return {
    async readDay(q): Promise<DayRecordsPage> {
      const pk = `REC#${q.orgId}#${dayToKey(q.day)}`;
      const lo = q.after !== undefined && q.after > q.from ? q.after : q.from;
      if (lo >= q.to) return { records: [] };
      const nowSecs = Math.floor(q.now.getTime() / 1000);
      const records: UsageRecord[] = [];
      let start: Record<string, unknown> | undefined;
      let lastSk: string | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: RECORDS_INDEX,
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi',
            ExpressionAttributeValues: { ':pk': pk, ':lo': lo, ':hi': q.to },
            // Read a little more than asked: filtered or expired records do not count.
            Limit: Math.min(1000, q.limit - records.length + 1),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of (out.Items ?? []) as RawItem[]) {
          const sk = String(item.gsi2sk);
          if (sk === q.after) continue;
          if (records.length === q.limit) return { records, next: lastSk! };
          lastSk = sk;
          const [record] = parse([item]);
          if (record && recordVisible(record, q, nowSecs)) records.push(record);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return { records };
    },

    async recordedBetween(from, to, cursor, limit): Promise<RecordFeedPage> {
      const days = utcDays(from, to);
      const lo = `R#${from.toISOString()}`;
      const hi = `R#${to.toISOString()}`;
      let { d, k, s } = feedCursor(cursor);
      const keys: Key[] = [];
      let next: string | undefined;
      outer: while (d < days.length) {
        while (k < FEED_PARTITIONS) {
          const out = await doc.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: FEED_INDEX,
              KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
              ExpressionAttributeValues: {
                ':pk': `RECFEED#${days[d]}#${k}`,
                ':lo': s !== undefined && s > lo ? s : lo,
                ':hi': hi,
              },
              ProjectionExpression: 'pk, sk, gsi1sk',
              // +2: the first item may be `s` itself (skipped), and one more tells whether a next page exists.
              Limit: limit - keys.length + 2,
            }),
          );
          for (const item of (out.Items ?? []) as RawItem[]) {
            const sk = String(item.gsi1sk);
            if (sk === s) continue;
            if (keys.length === limit) {
              next = JSON.stringify({ d, k, s });
              break outer;
            }
            keys.push({ pk: item.pk, sk: item.sk });
            s = sk;
          }
          if (out.LastEvaluatedKey !== undefined) continue; // the same partition goes on from `s`
          k += 1;
          s = undefined;
        }
        d += 1;
        k = 0;
      }
      const records = keys.length > 0 ? parse(await raw(keys)) : [];
      return next !== undefined ? { records, next } : { records };
    },
  };
}

/**
 * Writes records straight into the table as recordOnce would leave them (record item, both index keys),
 * without counters: for benchmarks that need a million records fast. BatchWriteItem, `concurrency`
 * batches of 25 in flight.
 */
export async function seedUsageRecords(
  client: DynamoDBClient,
  tableName: string,
  records: readonly UsageRecord[],
  concurrency = 8,
): Promise<void> {
  const e = createService(client, tableName).entities;
  const items = records.map((r) =>
    withoutKeyCopies(e.usageRecord.put(recordToItem(r)).params().Item as RawItem),
  );
  await batchPutRaw(documentClient(client), tableName, items, concurrency);
}
