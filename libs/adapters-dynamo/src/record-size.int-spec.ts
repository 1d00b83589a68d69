// The write cost of a usage event (docs/performance.md, "Write cost per usage event"): a typical usage
// record item stays under 1 KB, so the record and its `gsi2` entry (all attributes) are one write unit
// each, and the record feed entry on gsi1 holds the keys only. Sizes by DynamoDB's item size rules;
// capacity as DynamoDB Local reports it (ReturnConsumedCapacity: INDEXES). Deterministic: no timing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ConsumedCapacity, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scopeKeyFor, type UsageRecord } from '#core-domain';
import { aUsageRecord, uniqueId } from '#core-domain/testing';
import { createTestTable } from '../../../test/dynamo/dynamo-test-client.js';
import { createDynamoAdapters } from './index.js';

/** DynamoDB's size of an attribute value (strings in UTF-8 bytes; numbers 1 byte per 2 significant digits + 1). */
function valueSize(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') {
    const digits = String(Math.abs(v)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof v === 'boolean' || v === null) return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return 3 + v.reduce((sum: number, x) => sum + valueSize(x) + 1, 0);
  if (typeof v === 'object' && v !== null) {
    return 3 + Object.entries(v).reduce((sum, [k, x]) => sum + Buffer.byteLength(k) + valueSize(x) + 1, 0);
  }
  throw new Error(`unexpected attribute value ${String(v)}`);
}

/** DynamoDB's item size: attribute names plus values. */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + valueSize(v), 0);
}

const T = '2026-03-10T11:59:58.456Z';

/** A realistic event: UUID ids, a profile-priced model in a region, three tags, a Pricing API price. */
function typicalRecord(scope: 'ORG' | 'APP'): UsageRecord {
  const orgId = uniqueId();
  return aUsageRecord({
    orgId,
    scopeKey: scopeKeyFor(scope, orgId, 'checkout-service'),
    requestId: uniqueId(),
    appId: 'checkout-service',
    bedrockModelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    callingRegion: 'us-east-1',
    profileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6',
    priceSource: 'PRICING_API',
    priceVersion: '2026-03-10T00:00:00.000Z',
    timestamp: T,
    recordedAt: '2026-03-10T12:00:00.123Z',
    costUsdMicros: 1_234_567,
    inputTokens: 123_456,
    outputTokens: 7_890,
    cacheReadInputTokens: 45_678,
    cacheWriteInputTokens: 1_234,
    tags: { feature: 'checkout-assistant', team: 'payments', env: 'production' },
  });
}

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
let capacity: ConsumedCapacity[] = [];

beforeAll(async () => {
  ({ client, tableName } = await createTestTable('record-size'));
  doc = DynamoDBDocumentClient.from(client);
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (input.TransactItems || input.Item) input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const reported = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      if (reported) capacity.push(...(Array.isArray(reported) ? reported : [reported]));
      return out;
    },
    { step: 'initialize', name: 'recordSizeCapacity' },
  );
});

afterAll(() => client?.destroy());

async function storedItem(record: UsageRecord): Promise<Record<string, unknown>> {
  const Key = { pk: `REQ#${record.scopeKey}#${record.requestId}`, sk: 'REQ' };
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key }));
  expect(Item).toBeDefined();
  return Item!;
}

describe.each(['ORG', 'APP'] as const)('a typical usage record (%s scope)', (scope) => {
  it('is stored in at most 1 KB, its record feed entry holding only keys and entity identifiers', async () => {
    const s = createDynamoAdapters({ client, tableName });
    const record = typicalRecord(scope);
    expect(await s.counters.recordOnce(record)).toEqual({ duplicate: false });
    const item = await storedItem(record);
    expect(itemSize(item)).toBeLessThanOrEqual(1024);
    // The attributes gsi1 projects (table.ts FEED_PROJECTED_ATTRIBUTES) that a record carries: only
    // ElectroDB's identifiers, so the feed entry is keys + 30 bytes.
    expect(Object.keys(item).filter((k) => ['scope_key', 'label', 'day'].includes(k))).toEqual([]);
    // What the keys carry is not stored twice (scope, request id, org, timestamp, recorded at, feed
    // partition), and reads give it back from the keys.
    for (const copy of ['s', 'r', 'o', 't', 'ra', 'rd', 'k']) expect(item).not.toHaveProperty(copy);
    const page = await s.records.readDay({
      orgId: record.orgId,
      day: record.day,
      from: record.timestamp,
      to: '2026-03-11T00:00:00.000Z',
      limit: 10,
      now: new Date(record.recordedAt),
    });
    expect(page.records).toEqual([record]);
  });

  it('costs one write unit for the item and one for each index entry (DynamoDB Local, INDEXES)', async () => {
    const s = createDynamoAdapters({ client, tableName });
    const record = typicalRecord(scope);
    await s.counters.recordOnce(record);
    // A second event on the same shard counter in the same minute: the counter's feed key stays.
    const second = { ...record, requestId: uniqueId() };
    capacity = [];
    await s.counters.recordOnce(second);
    expect(capacity).toHaveLength(1);
    const [tx] = capacity;
    const table = tx!.Table?.CapacityUnits;
    const gsi1 = tx!.GlobalSecondaryIndexes?.gsi1?.CapacityUnits;
    const gsi2 = tx!.GlobalSecondaryIndexes?.gsi2?.CapacityUnits;
    // Two items (record, counter) of one unit each, one entry in each index; DynamoDB Local reports a
    // transaction that writes an index at twice the units of each part, so compare the parts.
    expect(gsi2).toBe(gsi1);
    expect(table).toBe(2 * gsi2!);

    // The stored item written again on its own (PutItem): 1 unit in the table, 1 in each index.
    const item = await storedItem(second);
    await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
    capacity = [];
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    expect(capacity).toEqual([
      expect.objectContaining({
        CapacityUnits: 3,
        Table: { CapacityUnits: 1 },
        GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 }, gsi2: { CapacityUnits: 1 } },
      }),
    ]);
  });
});
