import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type StorageAdapters, type UsageInput } from '#core-domain';

async function setup(
  timezone = 'UTC',
  storage: StorageAdapters = createMemoryAdapters(),
  clock = new FakeClock('2026-03-10T12:00:00Z'),
) {
  const make = (owner: string) =>
    testCostKeeper({
      storage,
      clock,
      aggregation: { owner },
    });
  const keeper = make('w1');
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone,
    quotaScope: 'ORG',
    quotas: { premium: 20_000, standard: 100_000, economy: 100_000 },
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  const event = (over: Partial<UsageInput> = {}): UsageInput => ({
    requestId: uniqueId(),
    modelLabel: 'premium',
    bedrockModelId: 'm',
    inputTokens: 1500,
    outputTokens: 800,
    status: 'OK',
    timestamp: clock.now().toISOString(),
    ...over,
  });
  const total = async (day = '2026-03-10', label = 'premium') =>
    (await storage.totals.forScopeDay(`ORG#${orgId}`, day)).find((t) => t.label === label);
  return {
    clock,
    storage,
    keeper,
    make,
    orgId,
    event,
    total,
    record: (e: UsageInput) => keeper.recordUsage.execute(orgId, 'chat', e),
  };
}

describe('AggregateUsage (use case)', () => {
  it('rule: sums all shards of each changed group and overwrites the day total; a second pass changes nothing', async () => {
    const { keeper, record, event, total, clock } = await setup();
    for (let i = 0; i < 4; i++) await record(event());
    const report = await keeper.aggregator.runPass();
    expect(report).toMatchObject({ ran: true, groupsAggregated: 1 });
    const first = await total();
    expect(first).toMatchObject({
      costUsdMicros: 4 * 3760,
      requests: 4,
      inputTokens: 6000,
      outputTokens: 3200,
      updatedAt: clock.now().toISOString(),
    });
    clock.advanceSecs(60);
    await keeper.aggregator.runPass();
    expect(await total()).toMatchObject({ costUsdMicros: 4 * 3760, requests: 4 });
  });

  it('rule: two workers at once produce the same totals and only one holds the lease', async () => {
    const { make, record, event, total } = await setup();
    for (let i = 0; i < 3; i++) await record(event());
    const [a, b] = await Promise.all([make('w1').aggregator.runPass(), make('w2').aggregator.runPass()]);
    expect([a.ran, b.ran].filter(Boolean)).toHaveLength(1);
    expect(await total()).toMatchObject({ costUsdMicros: 3 * 3760, requests: 3 });
  });

  it('rule: a worker that dies mid-pass leaves totals the next pass corrects, after its lease expires', async () => {
    const { make, record, event, total, storage, clock } = await setup();
    await record(event());
    // w1 takes the lease and dies (never releases).
    expect((await storage.lease.tryAcquire('aggregator', 'w1', clock.now(), 120)).acquired).toBe(true);
    await record(event());
    const w2 = make('w2').aggregator;
    expect((await w2.runPass()).ran).toBe(false);
    clock.advanceSecs(121);
    expect((await w2.runPass()).ran).toBe(true);
    expect(await total()).toMatchObject({ costUsdMicros: 2 * 3760, requests: 2 });
  });

  it('an aborted pass keeps the old cursor so the next pass redoes the work', async () => {
    const { keeper, record, event, total, clock } = await setup();
    await keeper.aggregator.runPass(); // sets a cursor
    clock.advanceSecs(600);
    await record(event());
    const aborted = await keeper.aggregator.runPass({ aborted: true });
    expect(aborted).toMatchObject({ ran: true, groupsAggregated: 0 });
    expect(await total()).toBeUndefined();
    clock.advanceSecs(600);
    await keeper.aggregator.runPass();
    expect(await total()).toMatchObject({ requests: 1 });
  });

  it('rule: reads only groups written since the last pass (minus an overlap), not every group', async () => {
    const { keeper, record, event, clock } = await setup();
    await record(event());
    expect(await keeper.aggregator.runPass()).toMatchObject({ groupsAggregated: 1 });
    clock.advanceSecs(600);
    // The feed is read from two minutes before the previous pass began: the group written at that
    // instant is read once more, then not again.
    expect(await keeper.aggregator.runPass()).toMatchObject({ groupsAggregated: 1, maxLagSecs: 720 });
    clock.advanceSecs(600);
    expect(await keeper.aggregator.runPass()).toMatchObject({ groupsAggregated: 0 });
    await record(event({ modelLabel: 'economy' }));
    expect(await keeper.aggregator.runPass()).toMatchObject({ groupsAggregated: 1 });
  });

  it("rule: late events for yesterday land in yesterday's total during the two-hour grace window", async () => {
    const { keeper, record, event, total, clock } = await setup('Europe/Paris');
    clock.set('2026-03-10T22:30:00Z'); // 23:30 local
    await record(event());
    await keeper.aggregator.runPass();
    clock.set('2026-03-10T23:30:00Z'); // 00:30 local on 2026-03-11: grace window for 2026-03-10
    await record(event({ timestamp: '2026-03-10T22:50:00Z' })); // belongs to 2026-03-10 local
    await keeper.aggregator.runPass();
    expect(await total('2026-03-10')).toMatchObject({ requests: 2, costUsdMicros: 2 * 3760 });
    expect(await total('2026-03-11')).toBeUndefined();
  });

  it('rule: a label that becomes EXCEEDED advances the sticky state, so the next selection already falls back', async () => {
    const { keeper, record, event, orgId, storage, clock } = await setup();
    for (let i = 0; i < 6; i++) await record(event()); // 22,560 >= 20,000
    const report = await keeper.aggregator.runPass();
    expect(report).toMatchObject({ stickyAdvanced: 1 });
    expect(await storage.sticky.get(`ORG#${orgId}`, '2026-03-10', clock.now())).toMatchObject({
      label: 'standard',
      index: 1,
      previousLabel: 'premium',
    });
    const s = await keeper.selectModel.execute(orgId, 'chat');
    expect(s.recommended).toMatchObject({ label: 'standard', reason: 'STICKY_FALLBACK' });
    expect(s.usedLiveSpend).toBe(false);
  });

  it('skips groups whose org no longer exists', async () => {
    const storage = createMemoryAdapters();
    const { keeper } = await setup('UTC', storage);
    await storage.counters.recordOnce({
      scopeKey: `ORG#${uniqueId()}`,
      requestId: uniqueId(),
      orgId: 'x',
      appId: 'y',
      label: 'premium',
      bedrockModelId: 'm',
      day: '2026-03-10',
      shard: 0,
      status: 'OK',
      timestamp: '2026-03-10T12:00:00Z',
      recordedAt: '2026-03-10T12:00:00.000Z',
      costUsdMicros: 1,
      inputTokens: 1,
      outputTokens: 1,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      requests: 1,
      priceSource: 'CONFIG_FALLBACK',
      priceVersion: 'config',
      retainUntil: 0,
      expiresAt: 0,
      counterExpiresAt: 0,
    });
    expect(await keeper.aggregator.runPass()).toMatchObject({ ran: true, groupsAggregated: 0 });
  });
});
