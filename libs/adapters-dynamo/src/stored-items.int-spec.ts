// Items as they are stored: key layouts that must not move, and what the adapter reads from items
// written before a field existed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_ORG_SETTINGS, type StorageAdapters } from '#core-domain';
import { aPricingEntry, uniqueId } from '#core-domain/testing';
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
