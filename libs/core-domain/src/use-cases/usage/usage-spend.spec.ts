import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type SpendQuery, type StorageAdapters, type UsageInput } from '#core-domain';

/** RecordUsage on memory storage, with every spend read of a usage event recorded. */
async function setup(quotas: Record<string, number>) {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const memory = createMemoryAdapters();
  const reads: SpendQuery[] = [];
  const storage: StorageAdapters = {
    ...memory,
    spend: {
      read: (q, now) => {
        reads.push(q);
        return memory.spend.read(q, now);
      },
    },
  };
  const keeper = testCostKeeper({ storage, clock });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'UTC',
    quotaScope: 'ORG',
    quotas: { standard: 1e9, economy: 1e9, ...quotas },
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  const event = (): UsageInput => ({
    requestId: uniqueId(),
    modelLabel: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    inputTokens: 1500,
    outputTokens: 800, // 3,760 µUSD
    status: 'OK',
    timestamp: clock.now().toISOString(),
  });
  const record = async (n = 1) => {
    let last;
    for (let i = 0; i < n; i++) last = await keeper.recordUsage.execute(orgId, 'chat', event());
    return last!;
  };
  /** The spend reads of one usage event: whether each read the live shards. */
  const readsOf = async () => {
    reads.length = 0;
    const result = await record();
    return { live: reads.map((q) => q.liveFor.length > 0), result };
  };
  /** Two aggregation passes a minute apart with `n` events between them: a total and a burn known. */
  const learnBurn = async (n: number) => {
    await record();
    await keeper.aggregator.runPass();
    await readsOf(); // sees the first total
    clock.advance(60_000);
    await record(n);
    await keeper.aggregator.runPass();
  };
  return { clock, keeper, record, readsOf, learnBurn };
}

describe('RecordUsage spend reads: live shard sums only near a limit', () => {
  it('reads live spend while nothing is aggregated (the spend not aggregated cannot be bounded)', async () => {
    const { readsOf } = await setup({ premium: 1_000_000_000 });
    expect((await readsOf()).live).toEqual([true]);
    expect((await readsOf()).live).toEqual([true]);
  });

  it('far from the quota with a known burn: one read of the total, no shards', async () => {
    const { readsOf, learnBurn } = await setup({ premium: 1_000_000_000 });
    await learnBurn(5);
    expect((await readsOf()).live).toEqual([true]); // still remembered as near: one read with shards
    const far = await readsOf();
    expect(far.live).toEqual([false]);
    expect(far.result.quotaStatus).toMatchObject({ mode: 'NORMAL', live: false });
    // Total 26,320 (7 events) at the second pass, plus this event (the one before is not aggregated).
    expect(far.result.quotaStatus.spendUsdMicros).toBe(26_320 + 3760);
  });

  it('near by the burn although the total is far: reads live spend', async () => {
    // Total 26,320 (53 % of 50,000), burn 22,560 µUSD a minute: 26,320 + 3,760 + 22,560 >= 85 %.
    const { readsOf, learnBurn } = await setup({ premium: 50_000 });
    await learnBurn(5);
    await readsOf();
    expect((await readsOf()).live).toEqual([true]);
  });

  it('the same total with a quota twice as large is far', async () => {
    const { readsOf, learnBurn } = await setup({ premium: 100_000 });
    await learnBurn(5);
    await readsOf();
    expect((await readsOf()).live).toEqual([false]);
  });

  it('a label that was far and turns near reads the shards in a second call, and reports live spend', async () => {
    const { readsOf, learnBurn, record, keeper, clock } = await setup({ premium: 200_000 });
    await learnBurn(5);
    await readsOf();
    expect((await readsOf()).live).toEqual([false]);
    clock.advance(60_000);
    await record(45); // 54 events aggregated by the next pass: 203,040 of 200,000
    await keeper.aggregator.runPass();
    const turned = await readsOf();
    expect(turned.live).toEqual([false, true]);
    expect(turned.result.quotaStatus).toMatchObject({ live: true, mode: 'EXCEEDED' });
    expect(turned.result.quotaStatus.spendUsdMicros).toBe(3760 * 55);
    expect((await readsOf()).live).toEqual([true]);
  });

  it('a stale total (aggregation behind) reads live spend', async () => {
    const { readsOf, learnBurn, clock } = await setup({ premium: 1_000_000_000 });
    await learnBurn(5);
    await readsOf();
    expect((await readsOf()).live).toEqual([false]);
    clock.advance(3 * 60_000 + 1000);
    expect((await readsOf()).live).toEqual([false, true]);
    expect((await readsOf()).live).toEqual([true]);
  });
});
