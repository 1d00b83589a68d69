import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageUnavailableError } from '#core-domain';

export type Key = Record<string, unknown>;
export type RawItem = Record<string, unknown>;

/** BatchGetItem accepts at most 100 keys per call. */
export const BATCH_GET_LIMIT = 100;
/** BatchWriteItem accepts at most 25 requests per call. */
export const BATCH_WRITE_LIMIT = 25;
/** Rounds of retries for unprocessed keys / items and transaction conflicts before giving up. */
export const MAX_RETRY_ROUNDS = 8;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff with full jitter: 0..min(cap, base * 2^attempt) ms. */
export function backoff(attempt: number, baseMs = 20, capMs = 1000): Promise<void> {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return sleep(Math.random() * ceiling);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function keyId(key: Key): string {
  return `${String(key.pk)}\u0000${String(key.sk)}`;
}

/**
 * One BatchGetItem per 100 keys (in parallel), retrying unprocessed keys with backoff. Returns the raw
 * (unmarshalled) items found, in no particular order. `consistent` asks for strongly consistent reads.
 *
 * Raw SDK on purpose: ElectroDB's batch get covers one entity per call (the hot-path read needs
 * totals, shard counters and the sticky state in one BatchGetItem) and does not retry unprocessed
 * keys. Keys still come from ElectroDB (`entity.get(...).params().Key`) and items are parsed back
 * with `entity.parse`, so key formats live in one place (entities.ts).
 */
export async function batchGetRaw(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Key[],
  consistent = false,
): Promise<RawItem[]> {
  const unique = new Map<string, Key>();
  for (const key of keys) unique.set(keyId(key), key);
  if (unique.size === 0) return [];
  const results = await Promise.all(
    chunk([...unique.values()], BATCH_GET_LIMIT).map((part) => getChunk(doc, table, part, consistent)),
  );
  return results.flat();
}

async function getChunk(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Key[],
  consistent: boolean,
): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      if (attempt > MAX_RETRY_ROUNDS) {
        throw new StorageUnavailableError(
          `BatchGetItem left ${pending.length} keys unprocessed after retries`,
        );
      }
      await backoff(attempt);
    }
    const out = await doc.send(
      new BatchGetCommand({
        RequestItems: { [table]: { Keys: pending, ...(consistent ? { ConsistentRead: true } : {}) } },
      }),
    );
    items.push(...((out.Responses?.[table] ?? []) as RawItem[]));
    pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
  }
  return items;
}

/** A DocumentClient sharing `client`'s middleware stack (so command counting sees its calls). */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Puts items (already in table form) unconditionally with BatchWriteItem, `concurrency` batches of 25
 * in flight, retrying unprocessed items: bulk loads for benchmarks (rollups, usage records).
 */
export async function batchPutRaw(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly RawItem[],
  concurrency = 1,
): Promise<void> {
  const parts = chunk(items, BATCH_WRITE_LIMIT);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      let pending = parts[next++]!;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > MAX_RETRY_ROUNDS)
          throw new StorageUnavailableError('BatchWriteItem kept items unprocessed');
        if (attempt > 0) await backoff(attempt);
        const out = await doc.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
        pending = (out.UnprocessedItems?.[tableName] ?? []).map((r) => r.PutRequest!.Item as RawItem);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
