import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { InvalidRequestError, NotFoundError, type QuotaScope, type UsageInput } from '#core-domain';

async function setup(scope: QuotaScope) {
  const clock = new FakeClock('2026-05-05T10:00:00Z');
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({
    storage,
    clock,
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'Europe/Paris',
    quotaScope: scope,
    quotas: { premium: 10_000, standard: 5_000_000, economy: 2_000_000 },
  });
  await keeper.provisioning.putApp(orgId, 'a', { appName: 'App A' });
  await keeper.provisioning.putApp(orgId, 'b', { appName: 'App B' });
  const use = (app: string, over: Partial<UsageInput> = {}) =>
    keeper.recordUsage.execute(orgId, app, {
      requestId: uniqueId(),
      modelLabel: 'premium',
      bedrockModelId: 'm',
      inputTokens: 1500,
      outputTokens: 800,
      status: 'OK',
      timestamp: clock.now().toISOString(),
      ...over,
    });
  return { clock, keeper, orgId, use };
}

describe('GetDailyAggregates (use case)', () => {
  it('rule: every label of the ordering appears, with zeros when unused; today always answers', async () => {
    const { keeper, orgId } = await setup('ORG');
    const v = await keeper.aggregates.forOrg(orgId, 'today');
    expect(Object.keys(v.models)).toEqual(['premium', 'standard', 'economy']);
    expect(v.models.economy).toMatchObject({
      costUsdMicros: 0,
      requests: 0,
      averageCostPerRequest: 0,
      quotaStatus: 'NORMAL',
    });
    expect(v).toMatchObject({
      date: '2026-05-05',
      timezone: 'Europe/Paris',
      updatedAt: null,
      currentActiveModel: 'premium',
    });
  });

  it('ORG scope: totals, quota status, current model and sticky state after exhaustion', async () => {
    const { keeper, orgId, use, clock } = await setup('ORG');
    await use('a');
    await use('b');
    await use('a', { modelLabel: 'economy', inputTokens: 5000, outputTokens: 1000 });
    await keeper.aggregator.runPass(); // premium 7,520 of 10,000
    await use('a');
    clock.advanceSecs(60);
    await keeper.aggregator.runPass(); // premium 11,280: exhausted, sticky advanced
    const v = await keeper.aggregates.forApp(orgId, 'a', 'today');
    expect(v).toMatchObject({
      appId: 'a',
      appName: 'App A',
      totalCostUsdMicros: 11_280 + 315,
      stickyFallbackActive: true,
      currentActiveModel: 'standard',
    });
    expect(v.models.premium).toMatchObject({
      costUsdMicros: 11_280,
      requests: 3,
      quotaStatus: 'EXCEEDED',
      quotaPct: 112.8,
      averageCostPerRequest: 3760,
    });
    expect(v.updatedAt).toBe(clock.now().toISOString());
  });

  it('APP scope: the org view sums the apps and lists them', async () => {
    const { keeper, orgId, use } = await setup('APP');
    await use('a');
    await use('b');
    await use('b');
    await keeper.aggregator.runPass();
    const v = await keeper.aggregates.forOrg(orgId, 'today');
    expect(v.apps).toEqual({
      a: { costUsdMicros: 3760, requests: 1 },
      b: { costUsdMicros: 7520, requests: 2 },
    });
    expect(v.models.premium).toMatchObject({ costUsdMicros: 11_280, quotaUsdMicros: 20_000, requests: 3 });
    expect(v.totalCostUsdMicros).toBe(11_280);
    expect((await keeper.aggregates.forApp(orgId, 'b', 'today')).totalCostUsdMicros).toBe(7520);
  });

  it('rule: a malformed date is 400 with expected_format, a future date 400, a past date without data 404', async () => {
    const { keeper, orgId, use } = await setup('ORG');
    const bad = (await keeper.aggregates
      .forOrg(orgId, '2026-02-30')
      .catch((e: unknown) => e)) as InvalidRequestError;
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect(bad.details).toMatchObject({ expected_format: 'YYYY-MM-DD' });
    await expect(keeper.aggregates.forOrg(orgId, '2026-05-06')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(keeper.aggregates.forOrg(orgId, '2026-05-04')).rejects.toBeInstanceOf(NotFoundError);
    await use('a');
    await keeper.aggregator.runPass();
    expect((await keeper.aggregates.forOrg(orgId, '2026-05-05')).totalCostUsdMicros).toBe(3760);
    await expect(keeper.aggregates.forOrg(uniqueId(), 'today')).rejects.toBeInstanceOf(NotFoundError);
  });
});
