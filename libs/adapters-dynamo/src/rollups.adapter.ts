import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  StorageUnavailableError,
  type DayRollup,
  type RollupCheckpoint,
  type RollupSet,
  type RollupTotals,
  type UsageRollups,
} from '#core-domain';
import { batchPutRaw, documentClient, type RawItem } from './batch.js';
import { createService } from './entities.js';
import { dayFromKey, dayToKey } from './keys.js';
import { type Ctx, parseAll, unlessConditionFails } from './support.js';

/** A part's compressed body stays under this (the item limit is 400 KB, keys and attributes included). */
export const ROLLUP_PART_BYTES = 300_000;
/** At most this many parts (one transaction, 4 MB). */
const MAX_PARTS = 12;
const CHECKPOINT = 'rollups';

type Row = [string, number, number, number, number, number, number, number];

function encode(entries: Array<[string, RollupTotals]>): Uint8Array {
  const rows: Row[] = entries.map(([k, t]) => [
    k,
    t.costUsdMicros,
    t.inputTokens,
    t.outputTokens,
    t.cacheReadInputTokens,
    t.cacheWriteInputTokens,
    t.requests,
    t.errors,
  ]);
  return deflateRawSync(Buffer.from(JSON.stringify(rows)));
}

function decode(body: unknown, into: Map<string, RollupTotals>): void {
  const bytes = body instanceof Uint8Array ? body : Buffer.from(String(body), 'base64');
  const rows = JSON.parse(inflateRawSync(bytes).toString('utf8')) as Row[];
  for (const [k, c, i, o, cr, cw, rq, er] of rows) {
    into.set(k, {
      costUsdMicros: c,
      inputTokens: i,
      outputTokens: o,
      cacheReadInputTokens: cr,
      cacheWriteInputTokens: cw,
      requests: rq,
      errors: er,
    });
  }
}

/** The entries in key order, split into as few parts as keep each compressed body under the limit. */
export function encodeParts(entries: Map<string, RollupTotals>, limit = ROLLUP_PART_BYTES): Uint8Array[] {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let n = 1; n <= MAX_PARTS; n++) {
    const size = Math.ceil(sorted.length / n) || 1;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < Math.max(1, sorted.length); i += size) parts.push(encode(sorted.slice(i, i + size)));
    if (parts.every((p) => p.byteLength <= limit)) return parts;
  }
  throw new StorageUnavailableError(`A rollup day holds too many entries (${entries.size}) to store`);
}

const partKey = (i: number) => String(i).padStart(2, '0');

/** The table items (part 0, then any further parts) that store `rollup`: for writes and bulk seeding. */
export function rollupItems(e: Ctx['e'], rollup: DayRollup): Array<Record<string, unknown>> {
  const window = rollup.window;
  if (window === undefined) throw new Error('A rollup is written with the window it applied');
  const bodies = encodeParts(rollup.entries);
  return bodies.map(
    (body, i) =>
      (
        e.rollup
          .put({
            orgId: rollup.orgId,
            set: rollup.set,
            day: dayToKey(rollup.day),
            part: partKey(i),
            parts: bodies.length,
            window,
            entryCount: rollup.entries.size,
            body,
            expiresAt: rollup.expiresAt,
          })
          .params() as { Item: Record<string, unknown> }
      ).Item,
  );
}

/**
 * Bulk-loads rollups with BatchWriteItem (unconditional; the bench seeds 400 days this way), retrying
 * unprocessed items.
 */
export async function seedRollups(
  client: DynamoDBClient,
  tableName: string,
  rollups: readonly DayRollup[],
): Promise<void> {
  const e = createService(client, tableName).entities;
  await batchPutRaw(
    documentClient(client),
    tableName,
    rollups.flatMap((r) => rollupItems(e, r)),
  );
}

export function usageRollups(ctx: Ctx): UsageRollups {
  const { e, doc, tableName } = ctx;

  return {
    async readRange(orgId, set, fromDay, toDay) {
      const items: RawItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
            ExpressionAttributeValues: {
              ':pk': `ROLLUP#${orgId}`,
              ':lo': `${set}#${dayToKey(fromDay)}#`,
              ':hi': `${set}#${dayToKey(toDay)}#~`,
            },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...((out.Items ?? []) as RawItem[]));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      // Items come in key order: each day's part 0 first, then its other parts.
      const out: DayRollup[] = [];
      let current: { rollup: DayRollup; parts: number } | undefined;
      for (const item of parseAll(e.rollup, items)) {
        if (item.part === '00') {
          current = {
            rollup: {
              orgId,
              set: set as RollupSet,
              day: dayFromKey(item.day),
              entries: new Map(),
              window: item.window,
              expiresAt: item.expiresAt,
            },
            parts: item.parts,
          };
          out.push(current.rollup);
        } else if (
          !current ||
          current.rollup.day !== dayFromKey(item.day) ||
          Number(item.part) >= current.parts ||
          item.window !== current.rollup.window
        ) {
          continue; // a part left over from a larger earlier write
        }
        decode(item.body, current!.rollup.entries);
      }
      return out;
    },

    async write(rollup, expectedWindow) {
      const items = rollupItems(e, rollup).map((Item) => ({ Item }));
      const condition =
        expectedWindow === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#w = :w',
              ExpressionAttributeNames: { '#w': 'applied_window' },
              ExpressionAttributeValues: { ':w': expectedWindow },
            };
      if (items.length === 1) {
        return unlessConditionFails(async () => {
          await doc.send(new PutCommand({ TableName: tableName, Item: items[0]!.Item, ...condition }));
          return true;
        }, false);
      }
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: items.map((p, i) => ({
              Put: { TableName: tableName, Item: p.Item, ...(i === 0 ? condition : {}) },
            })),
          }),
        );
        return true;
      } catch (error) {
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
        if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
        throw error;
      }
    },

    async readCheckpoint() {
      const { data } = await e.rollupCheckpoint.get({ name: CHECKPOINT }).go({ consistent: true });
      return data ? (structuredClone(data.state) as RollupCheckpoint) : undefined;
    },

    async writeCheckpoint(checkpoint) {
      await e.rollupCheckpoint.put({ name: CHECKPOINT, state: { ...checkpoint } }).go();
    },
  };
}
