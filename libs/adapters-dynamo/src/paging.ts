import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError } from '#core-domain';
import { type RawItem } from './batch.js';
import { type Ctx } from './support.js';

/**
 * Newest-first listings of one partition with an opaque cursor. The cursor is base64url JSON of the
 * sort key of the last item returned (`{ "sk": ... }`); the next page reads strictly below it, so
 * pages neither repeat nor skip items, also when items share a timestamp (ids break ties in the key).
 */

/** An instant in its one ISO form (`toISOString`), so that string order is time order. */
export function isoInstant(instant: string, field: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new InvalidRequestError([{ field, message: 'must be an ISO-8601 instant' }]);
  return new Date(ms).toISOString();
}

export function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk })).toString('base64url');
}

/** The sort key in a cursor; InvalidRequestError (field `cursor`) when it is not one of this listing. */
export function decodeCursor(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const sk = (parsed as { sk?: unknown } | null)?.sk;
    if (typeof sk === 'string' && sk.startsWith(prefix)) return sk;
  } catch {
    // reported below
  }
  throw new InvalidRequestError([{ field: 'cursor', message: 'is not a cursor of this listing' }]);
}

export interface NewestFirstQuery {
  pk: string;
  /** Inclusive sort-key bounds. */
  lo: string;
  hi: string;
  /** From a cursor: only items strictly below this sort key. */
  below?: string;
  limit: number;
  /** Filters applied after reading (types, expiry). */
  accept: (item: RawItem) => boolean;
}

/**
 * Reads `pk` between `lo` and `hi` (or below `below`), newest first, until `limit` + 1 accepted items
 * or the end: the extra item only tells whether a next page exists (no empty last page).
 */
export async function queryNewestFirst(
  { doc, tableName }: Ctx,
  q: NewestFirstQuery,
): Promise<{ items: RawItem[]; nextCursor?: string }> {
  const hi = q.below !== undefined && q.below < q.hi ? q.below : q.hi;
  if (q.limit <= 0 || q.lo > hi) return { items: [] };
  const found: RawItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': q.pk, ':lo': q.lo, ':hi': hi },
        ScanIndexForward: false,
        Limit: q.limit + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of (out.Items ?? []) as RawItem[]) {
      if (item.sk === q.below || !q.accept(item)) continue;
      found.push(item);
      if (found.length > q.limit) break;
    }
    start = out.LastEvaluatedKey;
  } while (start !== undefined && found.length <= q.limit);
  if (found.length <= q.limit) return { items: found };
  const items = found.slice(0, q.limit);
  return { items, nextCursor: encodeCursor(String(items.at(-1)!.sk)) };
}
