import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Entity, type EntityItem } from 'electrodb';
import { StorageUnavailableError, type UsageTotals, ZERO_TOTALS } from '#core-domain';
import { backoff, BATCH_WRITE_LIMIT, chunk, type Key, MAX_RETRY_ROUNDS, type RawItem } from './batch.js';
import { type Entities, type StorageService } from './entities.js';
import { guard, type StorageErrorListener } from './errors.js';

/** What every port of the DynamoDB adapter is built from. */
export interface Ctx {
  service: StorageService;
  e: Entities;
  /** BatchGetItem of any keys across entities (`batch.ts`); `consistent` for strongly consistent reads. */
  raw: (keys: Key[], consistent?: boolean) => Promise<RawItem[]>;
  /** The DocumentClient and table, for the few raw queries (paged listings, the due index). */
  doc: DynamoDBDocumentClient;
  tableName: string;
}

// ---------------------------------------------------------------------------------------------
// Items

/** Any entity of the table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEntity = Entity<any, any, any, any>;

/** Copies `source` without its undefined values (ElectroDB items must not carry explicit undefined). */
export function defined<T extends object>(source: T): T {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)) as T;
}

/** The table key of an ElectroDB get (`entity.get(...)`), for batch reads. */
export function keyOf(get: { params: () => { Key?: unknown } }): Key {
  return get.params().Key as Key;
}

/** Parses raw items of one entity (skipping items that are not of it). */
export function parseAll<E extends AnyEntity>(entity: E, items: RawItem[]): EntityItem<E>[] {
  const out: EntityItem<E>[] = [];
  for (const Item of items) {
    const data = (entity.parse({ Item }) as { data?: EntityItem<E> } | null)?.data;
    if (data !== null && data !== undefined) out.push(data);
  }
  return out;
}

/** Raw items grouped by their ElectroDB entity name (`__edb_e__`). */
export function byEntity(items: RawItem[]): Map<string, RawItem[]> {
  const out = new Map<string, RawItem[]>();
  for (const item of items) {
    const name = String(item.__edb_e__);
    const list = out.get(name) ?? [];
    list.push(item);
    out.set(name, list);
  }
  return out;
}

const TOTAL_FIELDS = Object.keys(ZERO_TOTALS) as Array<keyof UsageTotals>;

/** The usage totals of a stored item (counters and totals may lack a field: 0). */
export function totalsOf(item: Partial<UsageTotals>): UsageTotals {
  const out = { ...ZERO_TOTALS };
  for (const field of TOTAL_FIELDS) out[field] = item[field] ?? 0;
  return out;
}

/** Sorts by a string field (code unit order, as DynamoDB sorts keys). */
export function sortBy<T>(items: T[], field: (item: T) => string): T[] {
  return items.sort((a, b) => (field(a) < field(b) ? -1 : field(a) > field(b) ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Conditional writes and transactions

function isConditionalFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { name?: unknown }).name === 'ConditionalCheckFailedException') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs a conditional write and resolves its result; when the write's condition fails, resolves
 * `failed` instead (a refused condition is a domain answer such as 'missing' or false, not an error).
 */
export async function unlessConditionFails<T, F>(write: () => Promise<T>, failed: F): Promise<T | F> {
  try {
    return await write();
  } catch (error) {
    if (isConditionalFailure(error)) return failed;
    throw error;
  }
}

export type TransactionResult = {
  canceled: boolean;
  data: Array<{ rejected: boolean; code?: string; item?: unknown }>;
};

/** Cancellation reasons that mean "try the same transaction again". */
const RETRYABLE_CANCEL_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/**
 * How long a write transaction keeps retrying conflicts and throttling (from its first attempt) before
 * the caller gets StorageUnavailableError. A usage event in a client retry storm conflicts with its
 * own copies and with every event on the same shard counter; retrying until a deadline (rather than a
 * fixed number of rounds) lets a burst drain at whatever rate the table allows.
 */
export const TRANSACTION_DEADLINE_MS = 10_000;
/** Backoff between attempts: full jitter over 0..min(cap, base * 2^attempt) ms. */
const TRANSACTION_BACKOFF = { baseMs: 10, capMs: 250 };

export interface TransactionRetry {
  deadlineMs?: number;
  /** Injectable for tests: the clock and the wait between attempts. */
  now?: () => number;
  wait?: (attempt: number) => Promise<void>;
}

/**
 * Runs a write transaction, retrying (with jittered exponential backoff and a fresh
 * ClientRequestToken per attempt) while it is cancelled only by conflicts with concurrent
 * transactions or throttling, until TRANSACTION_DEADLINE_MS after the first attempt. Resolves with
 * the final result: `canceled` with per-action codes when a condition failed. A token per attempt
 * keeps the SDK's own retries of one attempt idempotent without merging distinct attempts.
 */
export async function writeTransaction(
  run: (token: string) => Promise<TransactionResult>,
  retry: TransactionRetry = {},
): Promise<TransactionResult> {
  const now = retry.now ?? Date.now;
  const wait =
    retry.wait ??
    ((attempt: number) => backoff(attempt, TRANSACTION_BACKOFF.baseMs, TRANSACTION_BACKOFF.capMs));
  const deadline = now() + (retry.deadlineMs ?? TRANSACTION_DEADLINE_MS);
  for (let attempt = 0; ; attempt++) {
    const result = await run(randomUUID());
    if (!result.canceled) return result;
    const codes = result.data.map((d) => d.code ?? 'None');
    const conditionFailed = codes.includes('ConditionalCheckFailed');
    const retryable = codes.some((c) => RETRYABLE_CANCEL_CODES.has(c));
    if (conditionFailed || !retryable) return result;
    if (now() >= deadline) {
      throw new StorageUnavailableError(
        `Transaction kept conflicting for ${attempt + 1} attempts (${codes.join(', ')})`,
      );
    }
    await wait(attempt);
  }
}

// ---------------------------------------------------------------------------------------------
// Batch writes and errors

/**
 * BatchWriteItem puts through ElectroDB (which chunks at 25), retrying the unprocessed items it
 * hands back (ElectroDB does not retry them itself).
 */
export async function batchPut<T>(
  items: T[],
  put: (part: T[]) => Promise<{ unprocessed: unknown[] }>,
): Promise<void> {
  await Promise.all(
    chunk(items, BATCH_WRITE_LIMIT).map(async (part) => {
      let pending = part;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt > MAX_RETRY_ROUNDS) {
            throw new StorageUnavailableError(
              `BatchWriteItem left ${pending.length} items unprocessed after retries`,
            );
          }
          await backoff(attempt);
        }
        const { unprocessed } = await put(pending);
        pending = unprocessed as T[];
      }
    }),
  );
}

/**
 * Wraps every method of a port so that unavailability surfaces as StorageUnavailableError; every
 * failure is told to `onError` (storage_errors_total), at no cost to calls that succeed.
 */
export function guarded<T extends object>(port: T, onError?: StorageErrorListener): T {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(port)) {
    out[name] =
      typeof fn === 'function'
        ? (...args: unknown[]) => guard(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args), onError)
        : fn;
  }
  return out as T;
}
