import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import {
  FakeClock,
  StaticProfileResolver,
  testCostKeeper,
  testServiceConfig,
  uniqueId,
} from '#core-domain/testing';
import {
  InvalidModelLabelError,
  InvalidRequestError,
  NotFoundError,
  type OrgInput,
  StorageUnavailableError,
  type UsageInput,
} from '#core-domain';

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/prof1';

async function setup(org: Partial<OrgInput> = {}, configExtra: Record<string, unknown> = {}) {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const storage = createMemoryAdapters();
  const resolver = new StaticProfileResolver();
  const keeper = testCostKeeper({
    storage,
    clock,
    config: testServiceConfig(configExtra),
    profileResolver: resolver,
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, { orgName: 'A', timezone: 'UTC', quotaScope: 'APP', ...org });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
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
  return {
    clock,
    storage,
    keeper,
    orgId,
    resolver,
    event,
    record: (e: UsageInput) => keeper.recordUsage.execute(orgId, 'chat', e),
  };
}

describe('RecordUsage (use case)', () => {
  it('rule: the server prices the tokens: 3,760 / 8,800 / 315 micro-USD', async () => {
    const { record, event } = await setup();
    expect((await record(event())).costUsdMicros).toBe(3760);
    expect(
      (await record(event({ modelLabel: 'standard', inputTokens: 10_000, outputTokens: 2000 })))
        .costUsdMicros,
    ).toBe(8800);
    expect(
      (await record(event({ modelLabel: 'economy', inputTokens: 5000, outputTokens: 1000 }))).costUsdMicros,
    ).toBe(315);
  });

  it('rule: cache-read and cache-write tokens are priced at the input price when the label has no cache prices', async () => {
    const { record, event } = await setup();
    const r = await record(
      event({
        inputTokens: 0,
        outputTokens: 0,
        cacheReadInputTokens: 1_000_000,
        cacheWriteInputTokens: 500_000,
      }),
    );
    expect(r.costUsdMicros).toBe(800_000 + 400_000);
  });

  it('rule: a duplicate request_id counts once and returns the first cost, marked duplicate', async () => {
    const { record, event, keeper, orgId, storage } = await setup();
    const e = event();
    const first = await record(e);
    const again = await record({
      ...e,
      inputTokens: 1,
      outputTokens: 1,
      requestId: e.requestId.toUpperCase(),
    });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, costUsdMicros: 3760, shard: first.shard });
    await keeper.aggregator.runPass();
    const totals = await storage.totals.forScopeDay(`ORG#${orgId}#APP#chat`, '2026-03-10');
    expect(totals).toHaveLength(1);
    expect(totals[0]).toMatchObject({ requests: 1, costUsdMicros: 3760 });
  });

  it('rule: a Promise.all burst of one request id counts once', async () => {
    const { record, event, storage, orgId } = await setup();
    const e = event();
    const results = await Promise.all(Array.from({ length: 25 }, () => record({ ...e })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const sum = await storage.counters.sumShards(
      { scopeKey: `ORG#${orgId}#APP#chat`, label: 'premium', day: '2026-03-10' },
      8,
    );
    expect(sum.requests).toBe(1);
  });

  it('rule: the event counts in the org day of its timestamp', async () => {
    const { record, event, clock, storage, orgId } = await setup({ timezone: 'America/Los_Angeles' });
    clock.set('2026-03-10T09:00:00Z'); // 02:00 PDT (UTC-7) on 2026-03-10
    await record(event({ timestamp: '2026-03-10T06:30:00Z' })); // 23:30 PDT on 2026-03-09
    const sum = await storage.counters.sumShards(
      { scopeKey: `ORG#${orgId}#APP#chat`, label: 'premium', day: '2026-03-09' },
      8,
    );
    expect(sum.requests).toBe(1);
  });

  it('rule: timestamps more than 5 minutes ahead or older than 24 hours are rejected with acceptable_range', async () => {
    const { record, event } = await setup();
    for (const ts of ['2026-03-10T12:05:01Z', '2026-03-09T11:59:59Z']) {
      const e = (await record(event({ timestamp: ts })).catch((x: unknown) => x)) as InvalidRequestError;
      expect(e).toBeInstanceOf(InvalidRequestError);
      expect(e.details).toMatchObject({
        acceptable_range: { earliest: '2026-03-09T12:00:00Z', latest: '2026-03-10T12:05:00Z' },
      });
    }
    expect((await record(event({ timestamp: '2026-03-10T12:05:00Z' }))).duplicate).toBe(false);
  });

  it('rule: a label outside the app ordering and its profiles is INVALID_MODEL_LABEL listing the configured labels', async () => {
    const { record, event } = await setup();
    const e = (await record(event({ modelLabel: 'turbo' })).catch(
      (x: unknown) => x,
    )) as InvalidModelLabelError;
    expect(e).toBeInstanceOf(InvalidModelLabelError);
    expect(e.details).toEqual({ configured_labels: ['premium', 'standard', 'economy'] });
  });

  it("rule: a config label not in this app's ordering is rejected too", async () => {
    const { record, event, keeper, orgId } = await setup();
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat', modelOrdering: ['economy'] });
    await expect(record(event())).rejects.toBeInstanceOf(InvalidModelLabelError);
  });

  it('rule: a profile label needs calling_region and is priced by the model behind it in that region', async () => {
    const { record, event, keeper, orgId, resolver } = await setup();
    await keeper.profiles.register(orgId, 'chat', { profileLabel: 'prof', inferenceProfileArn: ARN });
    const missing = (await record(event({ modelLabel: 'prof' })).catch(
      (x: unknown) => x,
    )) as InvalidRequestError;
    expect(missing.fields).toEqual([
      { field: 'calling_region', message: 'is required for an inference profile label' },
    ]);
    resolver.set(ARN, 'amazon.nova-micro-v1:0', 'eu-west-1');
    const r = await record(
      event({ modelLabel: 'prof', callingRegion: 'eu-west-1', inputTokens: 5000, outputTokens: 1000 }),
    );
    expect(r.costUsdMicros).toBe(315); // economy (Nova Micro) prices
  });

  it("rule: when the profile lookup fails, the label's config fallback price is used, else a clear 400", async () => {
    const withFallback = await setup(
      {},
      {
        profile_fallback_prices: {
          prof: { input_price_usd_micros_per_1m: 1_000_000, output_price_usd_micros_per_1m: 0 },
        },
      },
    );
    await withFallback.keeper.profiles.register(withFallback.orgId, 'chat', {
      profileLabel: 'prof',
      inferenceProfileArn: ARN,
    });
    withFallback.resolver.failing = true;
    const r = await withFallback.record(
      withFallback.event({
        modelLabel: 'prof',
        callingRegion: 'us-east-1',
        inputTokens: 10,
        outputTokens: 99,
      }),
    );
    expect(r.costUsdMicros).toBe(10);

    const without = await setup();
    await without.keeper.profiles.register(without.orgId, 'chat', {
      profileLabel: 'prof',
      inferenceProfileArn: ARN,
    });
    without.resolver.failing = true;
    const e = (await without
      .record(without.event({ modelLabel: 'prof', callingRegion: 'us-east-1' }))
      .catch((x: unknown) => x)) as InvalidRequestError;
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect(e.message).toContain('could not be priced');
  });

  it("rule: pricing resolves the day's PricingCache entry (regional, then global) before the config price", async () => {
    const { record, event, storage, clock } = await setup();
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + 3 * 86400;
    await storage.pricing.put([
      {
        day: '2026-03-10',
        bedrockModelId: 'amazon.nova-pro-v1:0',
        price: { inputPerMillion: 2_000_000, outputPerMillion: 0 },
        origin: 'PRICING_API',
        version: 'g',
        expiresAt,
      },
      {
        day: '2026-03-10',
        bedrockModelId: 'amazon.nova-pro-v1:0',
        region: 'eu-west-1',
        price: { inputPerMillion: 3_000_000, outputPerMillion: 0 },
        origin: 'PRICING_API',
        version: 'r',
        expiresAt,
      },
    ]);
    expect((await record(event({ inputTokens: 1000, outputTokens: 0 }))).costUsdMicros).toBe(2000);
    expect(
      (await record(event({ inputTokens: 1000, outputTokens: 0, callingRegion: 'eu-west-1' }))).costUsdMicros,
    ).toBe(3000);
  });

  it('quota_status: aggregated total plus this event; live spend and EXCEEDED near the quota', async () => {
    const { record, event, keeper, orgId } = await setup();
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat', quotas: { premium: 10_000 } });
    const a = await record(event());
    expect(a.quotaStatus).toMatchObject({
      modelLabel: 'premium',
      spendUsdMicros: 3760,
      quotaUsdMicros: 10_000,
      quotaPct: 37.6,
      mode: 'NORMAL',
      live: false,
    });
    await keeper.aggregator.runPass();
    await record(event());
    const c = await record(event()); // live 11,280 >= 10,000 while the aggregate says 3,760
    expect(c.quotaStatus).toMatchObject({ spendUsdMicros: 11_280, mode: 'EXCEEDED', live: true });
  });

  it('answers 404 for an unknown app and lets storage outages through as StorageUnavailable', async () => {
    const { keeper, orgId, event, storage, record } = await setup();
    await expect(keeper.recordUsage.execute(orgId, 'nope', event())).rejects.toBeInstanceOf(NotFoundError);
    await record(event()); // warm the config cache
    const e = event();
    storage.failWith(new StorageUnavailableError());
    await expect(record(e)).rejects.toBeInstanceOf(StorageUnavailableError);
    storage.failWith(undefined);
    expect((await record(e)).duplicate).toBe(false); // the rejected event counts once when resent
    expect((await record(e)).duplicate).toBe(true);
  });

  describe('batch', () => {
    it('one bad item never fails the others; duplicates are reported', async () => {
      const { keeper, orgId, event } = await setup();
      const dup = event();
      await keeper.recordUsage.execute(orgId, 'chat', dup);
      const r = await keeper.recordUsage.executeBatch(orgId, 'chat', [
        event(),
        event({ inputTokens: -1 }),
        dup,
        event({ modelLabel: 'turbo' }),
      ]);
      expect(r).toMatchObject({ accepted: 1, failed: 2, duplicates: 1 });
      expect(r.results.map((x) => x.status)).toEqual(['accepted', 'failed', 'duplicate', 'failed']);
      expect(r.results[1]).toMatchObject({ status: 'failed', error: { code: 'INVALID_REQUEST' } });
      expect(r.results[3]).toMatchObject({ status: 'failed', error: { code: 'INVALID_MODEL_LABEL' } });
    });

    it('takes 1..100 items', async () => {
      const { keeper, orgId, event } = await setup();
      await expect(keeper.recordUsage.executeBatch(orgId, 'chat', [])).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
      await expect(
        keeper.recordUsage.executeBatch(
          orgId,
          'chat',
          Array.from({ length: 101 }, () => event()),
        ),
      ).rejects.toBeInstanceOf(InvalidRequestError);
      expect(
        (
          await keeper.recordUsage.executeBatch(
            orgId,
            'chat',
            Array.from({ length: 100 }, () => event()),
          )
        ).accepted,
      ).toBe(100);
    });

    it('a storage outage fails the whole batch so the client resends it', async () => {
      const { keeper, orgId, event, storage } = await setup();
      await keeper.recordUsage.execute(orgId, 'chat', event());
      storage.failWith(new StorageUnavailableError());
      await expect(keeper.recordUsage.executeBatch(orgId, 'chat', [event()])).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
    });
  });
});

describe('RecordUsage and SelectModel: the calls in flight (latency_ms) near a quota', () => {
  // premium quota 1,000,000 µUSD; each event costs 3,760 and took 5 s (timestamp = its start).
  async function burn(withLatency: boolean) {
    const s = await setup();
    await s.keeper.provisioning.putApp(s.orgId, 'chat', { appName: 'Chat', quotas: { premium: 1_000_000 } });
    const call = () =>
      s.event({
        timestamp: new Date(s.clock.now().getTime() - 5000).toISOString(),
        ...(withLatency ? { latencyMs: 5000 } : {}),
      });
    for (let i = 0; i < 240; i++) await s.record(call()); // 902,400: past the 85 % live-read margin
    await s.keeper.aggregator.runPass();
    // Then one call a second (3,760 µUSD/s) until the service says EXCEEDED or the quota is spent.
    const steps: Array<{ spend: number; mode: string; cacheSecs: number; recommended: string }> = [];
    for (let i = 0; i < 60; i++) {
      s.clock.advance(1000);
      const r = await s.record(call());
      const sel = await s.keeper.selectModel.execute(s.orgId, 'chat');
      steps.push({
        spend: r.quotaStatus.spendUsdMicros,
        mode: r.quotaStatus.mode,
        cacheSecs: sel.guidance.cacheDurationSecs,
        recommended: sel.recommended.label,
      });
      if (r.quotaStatus.mode === 'EXCEEDED') break;
    }
    return steps;
  }

  it('with latency_ms the label turns EXCEEDED before its spend reaches the quota, and selection falls back', async () => {
    const steps = await burn(true);
    const last = steps.at(-1)!;
    expect(last.mode).toBe('EXCEEDED');
    // Rate 3,760/s x lead 5 s = 18,800 in flight, + one standard deviation sqrt(18,800 x 3,760) = 8,407.
    expect(last.spend).toBeLessThan(1_000_000);
    expect(last.spend + 18_800 + 8_407).toBeGreaterThanOrEqual(1_000_000);
    expect(steps.at(-2)!.spend + 18_800 + 8_407).toBeLessThan(1_000_000);
    expect(last.recommended).toBe('standard');
    // While TIGHT, answers expire at the predicted cut-over once it is nearer than the 10 s interval.
    const tight = steps.filter((x) => x.mode === 'TIGHT');
    expect(tight.at(-1)!.cacheSecs).toBeLessThan(10);
    expect(tight.at(-1)!.cacheSecs).toBeGreaterThanOrEqual(1);
    expect(tight.map((x) => x.cacheSecs)).toEqual([...tight.map((x) => x.cacheSecs)].sort((a, b) => b - a));
  });

  it('a NORMAL answer near the quota expires when the label is predicted to turn TIGHT (not before the tight interval)', async () => {
    const s = await setup();
    await s.keeper.provisioning.putApp(s.orgId, 'chat', { appName: 'Chat', quotas: { premium: 1_000_000 } });
    const call = () =>
      s.event({ timestamp: new Date(s.clock.now().getTime() - 5000).toISOString(), latencyMs: 5000 });
    for (let i = 0; i < 230; i++) await s.record(call()); // 864,800: past the 85 % live-read margin, under TIGHT (95 %)
    await s.keeper.aggregator.runPass();
    const steps: Array<{ spend: number; mode: string; cacheSecs: number }> = [];
    for (let i = 0; i < 40; i++) {
      s.clock.advance(1000);
      await s.record(call());
      const sel = await s.keeper.selectModel.execute(s.orgId, 'chat');
      steps.push({
        spend: sel.quotaStatus.spendUsdMicros,
        mode: sel.quotaStatus.mode,
        cacheSecs: sel.guidance.cacheDurationSecs,
      });
      if (sel.quotaStatus.mode === 'TIGHT') break;
    }
    expect(steps.at(-1)!.mode).toBe('TIGHT');
    const normal = steps.filter((x) => x.mode === 'NORMAL');
    // Before a burn rate is known (10 s after the total) nothing is predicted: the normal interval.
    expect(normal[0]!.cacheSecs).toBe(300);
    // Then at 3,760 µUSD/s the answer lasts until the spend is predicted to reach 950,000 (95 %),
    // and never less than the 10 s tight interval.
    const predicted = normal.filter((x) => x.cacheSecs < 300);
    expect(predicted.length).toBeGreaterThan(5);
    for (const x of predicted) {
      expect(x.cacheSecs).toBe(Math.max(10, Math.floor((950_000 - x.spend) / 3_760)));
    }
    expect(predicted.at(-1)!.cacheSecs).toBe(10);
  });

  it('without latency_ms nothing is predicted: EXCEEDED only once the spend reaches the quota', async () => {
    const steps = await burn(false);
    const last = steps.at(-1)!;
    expect(last.mode).toBe('EXCEEDED');
    expect(last.spend).toBeGreaterThanOrEqual(1_000_000);
    expect(steps.filter((x) => x.mode === 'TIGHT').every((x) => x.cacheSecs === 10)).toBe(true);
  });
});
