// The use cases on DynamoDB Local: the access budget of docs/storage.md measured with the command counter,
// and exactly-once counting across two service instances through the aggregator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CostKeeper, mapLimit, type UsageInput } from '#core-domain';
import { FakeClock, SequentialIds, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type CommandCounter, countCommands, createDynamoAdapters } from '#adapters-dynamo';
import { createTestTable, testDynamoClient } from '../dynamo/dynamo-test-client.js';

let clients: DynamoDBClient[] = [];
let tableName = '';
const clock = new FakeClock('2026-03-10T12:00:00Z');

function keeperOn(client: DynamoDBClient, owner: string, leaseName?: string): CostKeeper {
  return testCostKeeper({
    storage: createDynamoAdapters({ client, tableName }),
    clock,
    ids: new SequentialIds(`00000000-0000-4000-8${owner.padStart(3, '0')}`),
    aggregation: leaseName ? { owner, leaseName } : { owner },
  });
}

beforeAll(async () => {
  const t = await createTestTable('use-cases');
  tableName = t.tableName;
  clients = [t.client, testDynamoClient({ maxAttempts: 5 })];
});
afterAll(() => clients.forEach((c) => c.destroy()));

const event = (over: Partial<UsageInput> = {}): UsageInput => ({
  requestId: uniqueId(),
  modelLabel: 'premium',
  bedrockModelId: 'amazon.nova-pro-v1:0',
  inputTokens: 1500,
  outputTokens: 800,
  status: 'OK',
  timestamp: clock.now().toISOString(),
  ...over,
});

describe('access budget on DynamoDB (configs and pricing cached)', () => {
  let keeper: CostKeeper;
  let counter: CommandCounter;
  let orgId: string;

  beforeAll(async () => {
    counter = countCommands(clients[0]!);
    keeper = keeperOn(clients[0]!, '1');
    orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Budget',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 100_000, standard: 5_000_000, economy: 2_000_000 },
    });
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
    // Warm the in-process caches (configs, profiles, pricing), as a running instance has them.
    await keeper.recordUsage.execute(orgId, 'chat', event());
    await keeper.selectModel.execute(orgId, 'chat');
  });

  it('POST usage: one write and one read', async () => {
    counter.reset();
    const r = await keeper.recordUsage.execute(orgId, 'chat', event());
    expect(r.duplicate).toBe(false);
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1, BatchGetItemCommand: 1 });
  });

  it('a duplicate costs the same two calls', async () => {
    const e = event();
    await keeper.recordUsage.execute(orgId, 'chat', e);
    counter.reset();
    expect((await keeper.recordUsage.execute(orgId, 'chat', e)).duplicate).toBe(true);
    expect(counter.total()).toBe(2);
  });

  it('GET model-selection: one call in NORMAL mode, two when the label is TIGHT (live spend)', async () => {
    counter.reset();
    expect((await keeper.selectModel.execute(orgId, 'chat')).quotaStatus.mode).toBe('NORMAL');
    expect(counter.byCommand()).toEqual({ BatchGetItemCommand: 1 });
    // Push premium to TIGHT: 26 events of 3,760 = 97,760 of 100,000.
    await mapLimit(
      Array.from({ length: 23 }, () => event()),
      8,
      (e) => keeper.recordUsage.execute(orgId, 'chat', e),
    );
    clock.advanceSecs(1);
    await keeper.aggregator.runPass();
    counter.reset();
    const s = await keeper.selectModel.execute(orgId, 'chat');
    expect(s.quotaStatus.mode).toBe('TIGHT');
    expect(s.usedLiveSpend).toBe(true);
    expect(counter.total()).toBeLessThanOrEqual(2);
  });

  it('token check on a runtime route: no call once cached', async () => {
    const { credentials } = await keeper.provisioning.putApp(orgId, `a-${uniqueId().slice(0, 8)}`, {
      appName: 'T',
    });
    const t = await keeper.auth.issueTokens(credentials!.clientId, credentials!.clientSecret);
    await keeper.auth.authenticate(t.access);
    counter.reset();
    await keeper.auth.authenticate(t.access);
    expect(counter.total()).toBe(0);
  });
});

describe('access budget with budgets configured (APP scope: org and app budgets, day/week/month, one label and all)', () => {
  let keeper: CostKeeper;
  let counter: CommandCounter;
  let orgId: string;

  beforeAll(async () => {
    counter = countCommands(clients[0]!);
    // Its own lease: the other suites' aggregators hold theirs on the same table.
    keeper = keeperOn(clients[0]!, '3', 'aggregator-budgets');
    orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Budgets',
      timezone: 'America/New_York',
      quotaScope: 'APP',
      quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
      weekStartsOn: 'SUNDAY',
      budgets: [
        { window: 'DAY', limitUsdMicros: 50_000_000 },
        { window: 'WEEK', limitUsdMicros: 40_000_000, label: 'premium' },
        { window: 'MONTH', limitUsdMicros: 900_000_000 },
        { window: 'MONTH', limitUsdMicros: 800_000_000, label: 'standard' },
      ],
    });
    await keeper.provisioning.putApp(orgId, 'chat', {
      appName: 'Chat',
      budgets: [
        { window: 'WEEK', limitUsdMicros: 100_000, label: 'premium' },
        { window: 'MONTH', limitUsdMicros: 90_000_000 },
        { window: 'DAY', limitUsdMicros: 20_000_000, label: 'economy' },
      ],
    });
    await keeper.recordUsage.execute(orgId, 'chat', event());
    await keeper.selectModel.execute(orgId, 'chat');
  });

  it('POST usage: still one write and one read (the period totals ride on the same BatchGetItem)', async () => {
    counter.reset();
    const r = await keeper.recordUsage.execute(orgId, 'chat', event());
    expect(r.duplicate).toBe(false);
    expect(r.quotaStatus.binding).toBeDefined();
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1, BatchGetItemCommand: 1 });
  });

  it('GET model-selection: one call far from every limit, at most two near the weekly premium budget', async () => {
    clock.advanceSecs(1);
    expect((await keeper.aggregator.runPass()).ran).toBe(true);
    counter.reset();
    const far = await keeper.selectModel.execute(orgId, 'chat');
    expect(far.quotaStatus.lines).toHaveLength(3 + 4 + 3);
    expect(counter.byCommand()).toEqual({ BatchGetItemCommand: 1 });
    // 24 more premium events: 26 x 3,760 = 97,760 of the app's 100,000 weekly premium budget (TIGHT).
    await mapLimit(
      Array.from({ length: 24 }, () => event()),
      8,
      (e) => keeper.recordUsage.execute(orgId, 'chat', e),
    );
    clock.advanceSecs(1);
    expect((await keeper.aggregator.runPass()).ran).toBe(true);
    counter.reset();
    const near = await keeper.selectModel.execute(orgId, 'chat');
    expect(near.quotaStatus.binding).toMatchObject({ window: 'WEEK', label: 'premium', scope: 'APP' });
    expect(near.quotaStatus.mode).toBe('TIGHT');
    expect(near.usedLiveSpend).toBe(true);
    expect(counter.total()).toBeLessThanOrEqual(2);
  });
});

describe('exactly once across two service instances (separate clients), through the aggregator', () => {
  it('2,000 events with 25% duplicates: totals after aggregation are exact', async () => {
    const [a, b] = [keeperOn(clients[0]!, '2'), keeperOn(clients[1]!, '3')];
    const orgId = uniqueId();
    await a.provisioning.putOrg(orgId, {
      orgName: 'Burst',
      timezone: 'Europe/Paris',
      quotaScope: 'APP',
      quotas: { premium: 10 ** 12, standard: 10 ** 12, economy: 10 ** 12 },
    });
    await a.provisioning.putApp(orgId, 'x', { appName: 'X' });
    await a.provisioning.putApp(orgId, 'y', { appName: 'Y' });
    const distinct = Array.from({ length: 1500 }, (_, i) => ({
      app: i % 2 ? 'x' : 'y',
      e: event({ modelLabel: i % 3 ? 'premium' : 'economy', inputTokens: 1000 + i, outputTokens: i }),
    }));
    const duplicates = Array.from({ length: 500 }, (_, i) => distinct[(i * 7) % distinct.length]!);
    const all = [...distinct, ...duplicates].map((item, i) => ({ ...item, keeper: i % 2 ? a : b }));
    const results = await mapLimit(all, 50, ({ keeper, app, e }) =>
      keeper.recordUsage.execute(orgId, app, e),
    );
    expect(results.filter((r) => r.duplicate)).toHaveLength(500);

    // The first describe's keeper holds the lease (holders keep it between passes): let it expire.
    clock.advanceSecs(121);
    const [p1, p2] = await Promise.all([a.aggregator.runPass(), b.aggregator.runPass()]);
    expect([p1.ran, p2.ran].filter(Boolean)).toHaveLength(1);
    if (!p1.ran && !p2.ran) throw new Error('no pass ran');

    const storage = createDynamoAdapters({ client: clients[1]!, tableName });
    const day = '2026-03-10';
    for (const app of ['x', 'y']) {
      const expected = new Map<string, { cost: number; requests: number; input: number }>();
      for (const d of distinct.filter((d) => d.app === app)) {
        const price = d.e.modelLabel === 'premium' ? [800_000, 3_200_000] : [35_000, 140_000];
        const cost =
          Math.floor((d.e.inputTokens * price[0]!) / 1e6) + Math.floor((d.e.outputTokens * price[1]!) / 1e6);
        const m = expected.get(d.e.modelLabel) ?? { cost: 0, requests: 0, input: 0 };
        expected.set(d.e.modelLabel, {
          cost: m.cost + cost,
          requests: m.requests + 1,
          input: m.input + d.e.inputTokens,
        });
      }
      const totals = await storage.totals.forScopeDay(`ORG#${orgId}#APP#${app}`, day);
      for (const [label, exp] of expected) {
        const t = totals.find((x) => x.label === label);
        expect({ label, cost: t?.costUsdMicros, requests: t?.requests, input: t?.inputTokens }).toEqual({
          label,
          cost: exp.cost,
          requests: exp.requests,
          input: exp.input,
        });
      }
    }
  }, 180_000);
});
