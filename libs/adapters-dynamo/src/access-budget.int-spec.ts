// The access budget (storage.md): how many DynamoDB calls each hot-path adapter call makes,
// counted with the SDK middleware that tests and benchmarks use.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import {
  aCredential,
  aDailyTotal,
  anApp,
  anOrg,
  aPeriodTotal,
  aPricingEntry,
  aStickyState,
  aUsageRecord,
  uniqueId,
} from '#core-domain/testing';
import { createTestTable } from '../../../test/dynamo/dynamo-test-client.js';
import { type CommandCounter, countCommands, createDynamoAdapters } from './index.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const nowSecs = Math.floor(NOW.getTime() / 1000);

let client: DynamoDBClient;
let s: StorageAdapters;
let calls: CommandCounter;

beforeAll(async () => {
  const table = await createTestTable('budget');
  client = table.client;
  s = createDynamoAdapters({ client, tableName: table.tableName });
  calls = countCommands(client);
});

afterAll(() => client?.destroy());

beforeEach(() => calls.reset());

/** Runs `fn` and returns the commands it sent. */
async function counted(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  calls.reset();
  await fn();
  return calls.byCommand();
}

describe('access budget (DynamoDB calls per adapter call)', () => {
  it('recordOnce: one TransactWriteItems, also for a duplicate (the record comes back with the cancellation)', async () => {
    const r = aUsageRecord({ shard: 4 });
    expect(await counted(() => s.counters.recordOnce(r))).toEqual({ TransactWriteItemsCommand: 1 });
    let outcome: unknown;
    expect(
      await counted(async () => {
        outcome = await s.counters.recordOnce({ ...r, costUsdMicros: 1 });
      }),
    ).toEqual({ TransactWriteItemsCommand: 1 });
    expect(outcome).toEqual({
      duplicate: true,
      costUsdMicros: r.costUsdMicros,
      shard: 4,
      label: r.label,
      day: r.day,
    });
  });

  it('SpendReader.read: one BatchGetItem for totals, every shard of the live labels and the sticky state', async () => {
    const orgId = uniqueId();
    const scopeKey = `ORG#${orgId}`;
    await s.totals.put([aDailyTotal({ scopeKey, label: 'premium' })]);
    await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, shard: 63 }));
    await s.sticky.advance(aStickyState({ scopeKey }), NOW);
    // 3 totals + 64 shards + 1 sticky = 68 keys
    let snapshot: Awaited<ReturnType<StorageAdapters['spend']['read']>> | undefined;
    const used = await counted(async () => {
      snapshot = await s.spend.read(
        {
          scopeKey,
          day: '2026-03-10',
          totalsFor: ['premium', 'standard', 'economy'],
          liveFor: ['premium'],
          shardCount: 64,
          withSticky: true,
        },
        NOW,
      );
    });
    expect(used).toEqual({ BatchGetItemCommand: 1 });
    expect(snapshot?.totals.size).toBe(1);
    expect(snapshot?.live.get('premium')?.requests).toBe(1);
    expect(snapshot?.sticky?.scopeKey).toBe(scopeKey);
    // The usual model-selection read: 3 totals + 3 labels x 8 shards + sticky = 28 keys
    expect(
      await counted(() =>
        s.spend.read(
          {
            scopeKey,
            day: '2026-03-10',
            totalsFor: ['premium', 'standard', 'economy'],
            liveFor: ['premium', 'standard', 'economy'],
            shardCount: 8,
            withSticky: true,
          },
          NOW,
        ),
      ),
    ).toEqual({ BatchGetItemCommand: 1 });
  });

  it('SpendReader.read with period totals: still one BatchGetItem (the periods ride on the same batch)', async () => {
    const orgId = uniqueId();
    const scopeKey = `ORG#${orgId}`;
    await s.totals.put([aDailyTotal({ scopeKey, label: 'premium' })]);
    await s.periodTotals.put([
      aPeriodTotal({ scopeKey, periodKey: 'W#2026-03-09', label: '*' }),
      aPeriodTotal({ scopeKey, periodKey: 'M#2026-03', label: 'premium' }),
    ]);
    // 3 totals + 3 x 8 shards + sticky + 6 period totals (week and month, all labels, one label, org roll-up) = 34 keys
    const periods = ['W#2026-03-09', 'M#2026-03'].flatMap((periodKey) => [
      { scopeKey, periodKey, label: '*' },
      { scopeKey, periodKey, label: 'premium' },
      { scopeKey: `ORG#${uniqueId()}`, periodKey, label: '*' },
    ]);
    let snapshot: Awaited<ReturnType<StorageAdapters['spend']['read']>> | undefined;
    const used = await counted(async () => {
      snapshot = await s.spend.read(
        {
          scopeKey,
          day: '2026-03-10',
          totalsFor: ['premium', 'standard', 'economy'],
          liveFor: ['premium', 'standard', 'economy'],
          shardCount: 8,
          withSticky: true,
          periods,
        },
        NOW,
      );
    });
    expect(used).toEqual({ BatchGetItemCommand: 1 });
    expect(snapshot?.totals.size).toBe(1);
    expect(snapshot?.periods.size).toBe(2);
  });

  it('PeriodTotals.get: one BatchGetItem per 100 keys', async () => {
    const scopeKey = `ORG#${uniqueId()}`;
    const keys = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ scopeKey, periodKey: 'M#2026-03', label: `l${i}` }));
    expect(await counted(() => s.periodTotals.get(keys(100), NOW))).toEqual({ BatchGetItemCommand: 1 });
    expect(await counted(() => s.periodTotals.get(keys(101), NOW))).toEqual({ BatchGetItemCommand: 2 });
    expect(await counted(() => s.periodTotals.get([], NOW))).toEqual({});
  });

  it('sumShards: one BatchGetItem for up to 100 shards', async () => {
    const r = aUsageRecord({ shard: 7 });
    await s.counters.recordOnce(r);
    for (const shards of [8, 64, 100]) {
      expect(
        await counted(() =>
          s.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, shards),
        ),
      ).toEqual({
        BatchGetItemCommand: 1,
      });
    }
  });

  it('anyRevoked: one BatchGetItem (none for no ids); PricingCache.find: one BatchGetItem', async () => {
    const jti = uniqueId();
    await s.revocations.revoke(jti, nowSecs + 60);
    expect(await counted(() => s.revocations.anyRevoked([uniqueId(), jti, uniqueId()], NOW))).toEqual({
      BatchGetItemCommand: 1,
    });
    expect(await counted(() => s.revocations.anyRevoked([], NOW))).toEqual({});
    const p = aPricingEntry();
    await s.pricing.put([p, { ...p, region: 'eu-west-1' }]);
    expect(await counted(() => s.pricing.find(p.day, p.bedrockModelId, 'eu-west-1', NOW))).toEqual({
      BatchGetItemCommand: 1,
    });
    expect(await counted(() => s.pricing.find(p.day, p.bedrockModelId, undefined, NOW))).toEqual({
      BatchGetItemCommand: 1,
    });
  });

  it('configs, sticky state, lease and ping: one call each', async () => {
    const org = anOrg();
    expect(await counted(() => s.tenants.createOrg(org, aCredential(org.orgId)))).toEqual({
      TransactWriteItemsCommand: 1,
    });
    expect(await counted(() => s.tenants.getOrg(org.orgId))).toEqual({ GetItemCommand: 1 });
    const app = anApp(org.orgId);
    expect(await counted(() => s.tenants.createApp(app, aCredential(org.orgId, app.appId)))).toEqual({
      TransactWriteItemsCommand: 1,
    });
    expect(await counted(() => s.tenants.listApps(org.orgId))).toEqual({ QueryCommand: 1 });
    expect(await counted(() => s.credentials.get(`org-${org.orgId}`))).toEqual({ GetItemCommand: 1 });
    const st = aStickyState();
    expect(await counted(() => s.sticky.advance(st, NOW))).toEqual({ PutItemCommand: 1 });
    expect(await counted(() => s.sticky.get(st.scopeKey, st.day, NOW))).toEqual({ GetItemCommand: 1 });
    expect(await counted(() => s.lease.tryAcquire(`lease-${uniqueId()}`, 'w1', NOW, 30))).toEqual({
      UpdateItemCommand: 1,
    });
    expect(await counted(() => s.ping())).toEqual({ GetItemCommand: 1 });
  });

  it('changedGroups: one Query per feed partition (16) per day, however many orgs exist', async () => {
    expect(await counted(() => s.changeFeed.changedGroups(['2026-03-10'], NOW))).toEqual({
      QueryCommand: 16,
    });
    expect(await counted(() => s.changeFeed.changedGroups(['2026-03-09', '2026-03-10'], NOW))).toEqual({
      QueryCommand: 32,
    });
  });

  it('DailyTotals.put: one BatchWriteItem per 25 totals', async () => {
    const scopeKey = `ORG#${uniqueId()}`;
    const totals = Array.from({ length: 30 }, (_, i) => aDailyTotal({ scopeKey, label: `l${i}` }));
    expect(await counted(() => s.totals.put(totals))).toEqual({ BatchWriteItemCommand: 2 });
    expect(await counted(() => s.totals.forScopeDay(scopeKey, '2026-03-10'))).toEqual({ QueryCommand: 1 });
  });
});
