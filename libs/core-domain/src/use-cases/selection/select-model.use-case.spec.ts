import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type OrgInput, QuotaExceededError, type UsageInput } from '#core-domain';

const PREMIUM_EVENT = 3760; // 1,500 in / 800 out on premium

async function setup(org: Partial<OrgInput> = {}, clockStart = '2026-03-10T12:00:00Z') {
  const clock = new FakeClock(clockStart);
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({
    storage,
    clock,
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'UTC',
    quotaScope: 'ORG',
    quotas: { premium: 10 * PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
    ...org,
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  let n = 0;
  const use = (label = 'premium', over: Partial<UsageInput> = {}) =>
    keeper.recordUsage.execute(orgId, 'chat', {
      requestId: `00000000-0000-4000-8000-${(++n).toString().padStart(12, '0')}`,
      modelLabel: label,
      bedrockModelId: 'x',
      inputTokens: label === 'premium' ? 1500 : 10_000,
      outputTokens: label === 'premium' ? 800 : 2000,
      status: 'OK',
      timestamp: clock.now().toISOString(),
      ...over,
    });
  return {
    clock,
    storage,
    keeper,
    orgId,
    use,
    select: (force = false) => keeper.selectModel.execute(orgId, 'chat', { forceCheck: force }),
  };
}

describe('SelectModel (use case)', () => {
  it('recommends the first label with reason NORMAL, guidance PERIODIC_300S, org day and local time', async () => {
    const { select, orgId } = await setup({ timezone: 'America/New_York' });
    const s = await select();
    expect(s.recommended).toEqual({
      label: 'premium',
      bedrockModelId: 'amazon.nova-pro-v1:0',
      reason: 'NORMAL',
      description: 'Nova Pro',
    });
    expect(s.quotaStatus).toMatchObject({
      scope: 'ORG',
      mode: 'NORMAL',
      currentModel: 'premium',
      spendUsdMicros: 0,
      quotaPct: 0,
      stickyFallbackActive: false,
    });
    expect(Object.keys(s.quotaStatus.modelsStatus)).toEqual(['premium', 'standard', 'economy']);
    expect(s.guidance).toMatchObject({ checkFrequency: 'PERIODIC_300S', cacheDurationSecs: 300 });
    expect(s.pricing).toEqual({
      inputPricePerMillion: 800000,
      outputPricePerMillion: 3200000,
      version: 'config',
      source: 'CONFIG_FALLBACK',
    });
    expect(s).toMatchObject({
      orgId,
      appId: 'chat',
      checkedAt: '2026-03-10T12:00:00Z',
      orgDay: '20260310',
      orgLocalTime: '2026-03-10T08:00:00-04:00',
    });
  });

  it('walks a whole org day: NORMAL -> TIGHT -> fallback (QUOTA_EXCEEDED_PREMIUM, then STICKY_FALLBACK) -> all exhausted -> midnight resets', async () => {
    const { select, use, keeper, clock } = await setup({
      quotas: { premium: 10 * PREMIUM_EVENT, standard: 8800, economy: 315 },
      overrides: { tightModeThresholdPct: 85 },
    });
    for (let i = 0; i < 8; i++) await use();
    await keeper.aggregator.runPass();
    let s = await select();
    expect(s.quotaStatus.mode).toBe('NORMAL'); // 80% < 85%
    expect(s.guidance.checkFrequency).toBe('PERIODIC_300S');
    await use();
    await keeper.aggregator.runPass();
    s = await select();
    expect(s.quotaStatus.mode).toBe('TIGHT'); // 90% >= 85%
    expect(s.guidance.checkFrequency).toBe('PERIODIC_10S');
    await use(); // 100% live, the aggregate still says 90%
    clock.advanceSecs(10);
    s = await select();
    // The aggregated total lags, but near the quota live spend is read: premium is exhausted.
    expect(s.usedLiveSpend).toBe(true);
    expect(s.recommended.label).toBe('standard');
    expect(s.recommended.reason).toBe('QUOTA_EXCEEDED_PREMIUM');
    expect(s.quotaStatus.stickyFallbackActive).toBe(true);
    s = await select();
    expect(s.recommended).toMatchObject({ label: 'standard', reason: 'STICKY_FALLBACK' });
    await use('standard');
    await keeper.aggregator.runPass();
    s = await select();
    // The aggregator saw standard become EXCEEDED and advanced the sticky state itself.
    expect(s.recommended).toMatchObject({ label: 'economy', reason: 'STICKY_FALLBACK' });
    await use('economy');
    await keeper.aggregator.runPass();
    const err = await select().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    const q = err as QuotaExceededError;
    expect(q.retryAfter).toBe('2026-03-11T00:00:00Z');
    expect(q.details).toMatchObject({
      date: '2026-03-10',
      models: { premium: { exceeded: true }, standard: { exceeded: true }, economy: { exceeded: true } },
    });
    clock.set('2026-03-11T00:00:01Z');
    s = await select();
    expect(s.recommended).toMatchObject({ label: 'premium', reason: 'NORMAL' });
    expect(s.orgDay).toBe('20260311');
  });

  it('TIGHT mode switches guidance to PERIODIC_10S', async () => {
    const { select, use, keeper } = await setup({ quotas: { premium: 3900, standard: 1, economy: 1 } });
    await use(); // 3760 / 3900 = 96.4%
    await keeper.aggregator.runPass();
    const s = await select();
    expect(s.quotaStatus.mode).toBe('TIGHT');
    expect(s.quotaStatus.quotaPct).toBe(96.4);
    expect(s.guidance).toMatchObject({ checkFrequency: 'PERIODIC_10S', cacheDurationSecs: 10 });
  });

  it('rule: sticky state never returns to an earlier model within the day, even when spend later looks lower', async () => {
    const { select, use, keeper, storage, orgId } = await setup({
      quotas: { premium: PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
    });
    await use();
    await keeper.aggregator.runPass();
    expect((await select()).recommended.label).toBe('standard');
    // Raise the premium quota: premium is no longer exceeded, yet the day stays on standard.
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'A',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 10_000_000, standard: 100_000, economy: 100_000 },
    });
    keeper.configs.forgetOrg(orgId);
    const s = await select();
    expect(s.recommended).toMatchObject({ label: 'standard', reason: 'STICKY_FALLBACK' });
    expect(s.quotaStatus.modelsStatus.premium!.status).toBe('NORMAL');
    expect(
      await storage.sticky.get(`ORG#${orgId}`, '2026-03-10', new Date('2026-03-10T12:00:00Z')),
    ).toMatchObject({ label: 'standard', index: 1, previousLabel: 'premium', reason: 'QUOTA_EXCEEDED' });
  });

  it('rule: with stickiness off each check walks from position 0', async () => {
    const { select, use, keeper, orgId } = await setup({
      quotas: { premium: PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
      overrides: { stickyFallbackEnabled: false },
    });
    await use();
    await keeper.aggregator.runPass();
    expect((await select()).recommended).toMatchObject({
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
    });
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'A',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 10_000_000, standard: 100_000, economy: 100_000 },
      overrides: { stickyFallbackEnabled: false },
    });
    expect((await select()).recommended).toMatchObject({ label: 'premium', reason: 'NORMAL' });
  });

  it('force_check reads live spend for every label', async () => {
    const { select, use } = await setup({
      quotas: { premium: PREMIUM_EVENT * 100, standard: 100_000, economy: 100_000 },
    });
    await use();
    expect((await select()).quotaStatus.spendUsdMicros).toBe(0); // not aggregated yet
    const forced = await select(true);
    expect(forced.usedLiveSpend).toBe(true);
    expect(forced.quotaStatus.spendUsdMicros).toBe(PREMIUM_EVENT);
  });

  it('rule: ORG scope shares spend across apps; APP scope keeps each app apart', async () => {
    for (const scope of ['ORG', 'APP'] as const) {
      const { keeper, orgId, use } = await setup({
        quotaScope: scope,
        quotas: { premium: PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
      });
      await keeper.provisioning.putApp(orgId, 'other', { appName: 'Other' });
      await use(); // chat exhausts premium
      await keeper.aggregator.runPass();
      const other = await keeper.selectModel.execute(orgId, 'other');
      expect(other.recommended.label).toBe(scope === 'ORG' ? 'standard' : 'premium');
    }
  });

  it('a new day starts at local midnight in the org timezone (UTC+14)', async () => {
    const { select, use, keeper, clock } = await setup(
      {
        timezone: 'Pacific/Kiritimati',
        quotas: { premium: PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
      },
      '2026-03-10T09:00:00Z', // 23:00 local
    );
    await use();
    await keeper.aggregator.runPass();
    expect((await select()).recommended.label).toBe('standard');
    clock.set('2026-03-10T10:00:00Z'); // 00:00 local, next day
    const s = await select();
    expect(s.recommended).toMatchObject({ label: 'premium', reason: 'NORMAL' });
    expect(s.orgDay).toBe('20260311');
  });

  it('rule: live spend is read from 10 points below the TIGHT threshold, since the aggregate lags', async () => {
    const { select, use, keeper } = await setup({
      quotas: { premium: 10 * PREMIUM_EVENT, standard: 100_000, economy: 100_000 },
    });
    for (let i = 0; i < 8; i++) await use(); // 80% aggregated: below 85, no live read
    await keeper.aggregator.runPass();
    expect((await select()).usedLiveSpend).toBe(false);
    await use(); // 90% aggregated after the next pass: within 10 points of 95
    await keeper.aggregator.runPass();
    await use(); // 100% live
    const s = await select();
    expect(s.usedLiveSpend).toBe(true);
    expect(s.recommended).toMatchObject({ label: 'standard', reason: 'QUOTA_EXCEEDED_PREMIUM' });
  });
});
