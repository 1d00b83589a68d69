// Items as they are stored: key layouts that must not move, and what the adapter reads from items
// written before a field existed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_ORG_SETTINGS, type StorageAdapters } from '#core-domain';
import { aPricingEntry, aUsageRecord, uniqueId } from '#core-domain/testing';
import { createTestTable } from '../../../test/dynamo/dynamo-test-client.js';
import { createDynamoAdapters } from './index.js';

const T0 = '2026-03-10T12:00:00.000Z';

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
let s: StorageAdapters;

beforeAll(async () => {
  ({ client, tableName } = await createTestTable('stored'));
  doc = DynamoDBDocumentClient.from(client);
  s = createDynamoAdapters({ client, tableName });
});

afterAll(() => client?.destroy());

describe('items written before budgets existed', () => {
  it('an org item without budgets or weekStartsOn reads with budgets [] and MONDAY', async () => {
    const orgId = uniqueId();
    const { weekStartsOn: _absent, ...oldSettings } = DEFAULT_ORG_SETTINGS;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `TENANT#${orgId}`,
          sk: 'ORG',
          org_id: orgId,
          org_name: 'Old',
          timezone: 'UTC',
          quota_scope: 'ORG',
          model_ordering: ['premium'],
          quotas: { premium: 5 },
          settings: oldSettings,
          created_at: T0,
          updated_at: T0,
          __edb_e__: 'org',
          __edb_v__: '1',
        },
      }),
    );
    expect(await s.tenants.getOrg(orgId)).toEqual({
      orgId,
      orgName: 'Old',
      timezone: 'UTC',
      quotaScope: 'ORG',
      modelOrdering: ['premium'],
      quotas: { premium: 5 },
      budgets: [],
      settings: { ...oldSettings, weekStartsOn: 'MONDAY' },
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('an app item without budgets reads without budgets', async () => {
    const orgId = uniqueId();
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `TENANT#${orgId}`,
          sk: 'APP#a1',
          org_id: orgId,
          app_id: 'a1',
          app_name: 'Old app',
          overrides: { tightModeThresholdPct: 80 },
          created_at: T0,
          updated_at: T0,
          __edb_e__: 'app',
          __edb_v__: '1',
        },
      }),
    );
    const app = await s.tenants.getApp(orgId, 'a1');
    expect(app?.overrides).toEqual({ tightModeThresholdPct: 80 });
  });
});

describe('usage records written with the long attribute names (before 2026-12-02)', () => {
  /** A record item exactly as recordOnce stored it before RECORD_FIELDS (keys unchanged since). */
  function legacyItem(orgId: string, requestId: string) {
    const scopeKey = `ORG#${orgId}`;
    return {
      pk: `REQ#${scopeKey}#${requestId}`,
      sk: 'REQ',
      gsi2pk: `REC#${orgId}#20260310`,
      gsi2sk: `2026-03-10T11:59:58.456Z#${scopeKey}#${requestId}`,
      gsi1pk: 'RECFEED#20260310#3',
      gsi1sk: `R#2026-03-10T12:00:00.123Z#${scopeKey}#${requestId}`,
      scope_key: scopeKey,
      request_id: requestId,
      org_id: orgId,
      app_id: 'app1',
      label: 'premium',
      bedrock_model_id: 'amazon.nova-pro-v1:0',
      calling_region: 'us-east-1',
      price_source: 'PRICING_API',
      price_version: 'v7',
      day: '20260310',
      shard: 5,
      status: 'OK',
      ts: '2026-03-10T11:59:58.456Z',
      recorded_at: '2026-03-10T12:00:00.123Z',
      recorded_day: '20260310',
      feed_k: 3,
      retain_until: 1776168000,
      tags: { team: 'blue' },
      cost_usd_micros: 3760,
      input_tokens: 1500,
      output_tokens: 800,
      cache_read_input_tokens: 10,
      cache_write_input_tokens: 20,
      requests: 1,
      counter_expires_at: 1807704000,
      expires_at: 1776168000,
      __edb_e__: 'usageRecord',
      __edb_v__: '1',
    };
  }

  it('are read by readDay and recordedBetween with every field', async () => {
    const orgId = uniqueId();
    const requestId = uniqueId();
    await doc.send(new PutCommand({ TableName: tableName, Item: legacyItem(orgId, requestId) }));
    const expected = {
      scopeKey: `ORG#${orgId}`,
      requestId,
      orgId,
      appId: 'app1',
      label: 'premium',
      bedrockModelId: 'amazon.nova-pro-v1:0',
      callingRegion: 'us-east-1',
      priceSource: 'PRICING_API',
      priceVersion: 'v7',
      day: '2026-03-10',
      shard: 5,
      status: 'OK',
      timestamp: '2026-03-10T11:59:58.456Z',
      recordedAt: '2026-03-10T12:00:00.123Z',
      tags: { team: 'blue' },
      costUsdMicros: 3760,
      inputTokens: 1500,
      outputTokens: 800,
      cacheReadInputTokens: 10,
      cacheWriteInputTokens: 20,
      requests: 1,
      retainUntil: 1776168000,
      expiresAt: 1776168000,
      counterExpiresAt: 1807704000,
    };
    const page = await s.records.readDay({
      orgId,
      day: '2026-03-10',
      from: '2026-03-10T00:00:00.000Z',
      to: '2026-03-11T00:00:00.000Z',
      limit: 10,
      now: new Date(T0),
    });
    expect(page.records).toEqual([expected]);
    const feed = await s.records.recordedBetween(
      new Date('2026-03-10T12:00:00.000Z'),
      new Date('2026-03-10T12:01:00.000Z'),
      undefined,
      100,
    );
    expect(feed.records.filter((r) => r.orgId === orgId)).toEqual([expected]);
  });

  it('still make a resubmission of their request id a duplicate with the stored cost', async () => {
    const orgId = uniqueId();
    const requestId = uniqueId();
    await doc.send(new PutCommand({ TableName: tableName, Item: legacyItem(orgId, requestId) }));
    const again = aUsageRecord({ orgId, scopeKey: `ORG#${orgId}`, requestId, costUsdMicros: 1, shard: 0 });
    expect(await s.counters.recordOnce(again)).toEqual({
      duplicate: true,
      costUsdMicros: 3760,
      shard: 5,
      label: 'premium',
      day: '2026-03-10',
    });
  });
});

describe('stored key layout', () => {
  it('pricing entries keep YYYYMMDD days in their keys (the port takes YYYY-MM-DD)', async () => {
    const entry = aPricingEntry({ day: '2026-03-10', region: 'eu-west-1' });
    await s.pricing.put([entry]);
    const { Item } = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `PRICE#20260310#${entry.bedrockModelId}`, sk: 'REGION#eu-west-1' },
      }),
    );
    expect(Item).toMatchObject({ day: '20260310', region_key: 'eu-west-1' });
    expect(await s.pricing.find('2026-03-10', entry.bedrockModelId, 'eu-west-1', new Date(T0))).toEqual({
      regional: entry,
    });
  });
});
