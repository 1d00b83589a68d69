// The worker's jobs (aggregation, pricing refresh) on both storages, with a fake clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { type CostKeeper, type PricingSource, type StorageAdapters, type UsageInput } from '#core-domain';
import { FakeClock, testServiceConfig, uniqueId } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { createDynamoAdapters } from '#adapters-dynamo';
import { createTestTable } from '../dynamo/dynamo-test-client.js';
import { ConfigPricingSource, COST_KEEPER, PersistenceModule, WorkerJobs, WorkerModule } from '#composition';

@Module({})
class TestWorkerModule {
  static forRoot(imports: DynamicModule[]): DynamicModule {
    return { module: TestWorkerModule, imports };
  }
}

interface Worker {
  ctx: INestApplicationContext;
  jobs: WorkerJobs;
  keeper: CostKeeper;
  logs: Array<Record<string, unknown>>;
}

const config = testServiceConfig();

async function startWorker(
  storage: StorageAdapters,
  clock: FakeClock,
  owner: string,
  source?: PricingSource,
): Promise<Worker> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (logs.push(JSON.parse(String(chunk))), cb()) });
  const ctx = await NestFactory.createApplicationContext(
    TestWorkerModule.forRoot([
      PersistenceModule.register({
        storage,
        config,
        clock,
        aggregationOwner: owner,
        aggregationIntervalSecs: 60,
        bcryptCost: 4,
      }),
      WorkerModule.register({
        intervalSecs: 60,
        pricingSource: source ?? new ConfigPricingSource(config),
        logger: pino({ level: 'info' }, sink),
        schedule: false,
      }),
    ]),
    { logger: false },
  );
  return { ctx, jobs: ctx.get(WorkerJobs), keeper: ctx.get<CostKeeper>(COST_KEEPER), logs };
}

describe.each(['memory', 'dynamodb'] as const)('worker jobs on %s storage', (kind) => {
  let storage: StorageAdapters;
  let client: DynamoDBClient | undefined;
  const workers: Worker[] = [];
  beforeAll(async () => {
    if (kind === 'memory') storage = createMemoryAdapters();
    else {
      const t = await createTestTable('worker');
      client = t.client;
      storage = createDynamoAdapters({ client: t.client, tableName: t.tableName });
    }
  });
  afterAll(async () => {
    for (const w of workers) await w.ctx.close();
    client?.destroy();
  });
  const worker = async (clock: FakeClock, owner = uniqueId(), source?: PricingSource) => {
    const w = await startWorker(storage, clock, owner, source);
    workers.push(w);
    return w;
  };
  const setup = async (clock: FakeClock, w: Worker, org: Record<string, unknown> = {}) => {
    const orgId = uniqueId();
    await w.keeper.provisioning.putOrg(orgId, {
      orgName: 'A',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 20_000, standard: 1_000_000, economy: 1_000_000 },
      ...org,
    });
    await w.keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
    const use = (over: Partial<UsageInput> = {}) =>
      w.keeper.recordUsage.execute(orgId, 'chat', {
        requestId: uniqueId(),
        modelLabel: 'premium',
        bedrockModelId: 'm',
        inputTokens: 1500,
        outputTokens: 800,
        status: 'OK',
        timestamp: clock.now().toISOString(),
        ...over,
      });
    const total = async (day: string) =>
      (await storage.totals.forScopeDay(`ORG#${orgId}`, day)).find((t) => t.label === 'premium');
    return { orgId, use, total };
  };

  it('a pass is idempotent and logs one JSON line with counters, duration and lag', async () => {
    const clock = new FakeClock('2026-06-01T10:00:00Z');
    const w = await worker(clock, `idem-${uniqueId()}`);
    const { use, total } = await setup(clock, w);
    await use();
    await use();
    const first = await w.jobs.aggregate();
    expect(first).toMatchObject({ ran: true });
    const t1 = await total('2026-06-01');
    clock.advanceSecs(60);
    await w.jobs.aggregate();
    expect(await total('2026-06-01')).toMatchObject({ costUsdMicros: t1!.costUsdMicros, requests: 2 });
    const lines = w.logs.filter((l) => l.job === 'aggregation');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      msg: 'aggregation pass',
      groups_aggregated: expect.any(Number),
      duration_ms: expect.any(Number),
      max_lag_secs: expect.any(Number),
    });
  });

  it('two workers at once produce the same totals and only one holds the lease', async () => {
    const clock = new FakeClock('2026-06-02T10:00:00Z');
    const [a, b] = [await worker(clock), await worker(clock)];
    const { use, total } = await setup(clock, a);
    for (let i = 0; i < 3; i++) await use();
    // The lease is shared by every worker on this storage: release what earlier tests left by moving on.
    clock.advanceSecs(600);
    const [ra, rb] = await Promise.all([a.jobs.aggregate(), b.jobs.aggregate()]);
    expect([ra.ran, rb.ran].filter(Boolean)).toHaveLength(1);
    expect(await total('2026-06-02')).toMatchObject({ costUsdMicros: 3 * 3760, requests: 3 });
  });

  it('a worker killed mid-pass leaves totals that the next pass corrects, once its lease expires', async () => {
    const clock = new FakeClock('2026-06-03T10:00:00Z');
    clock.advanceSecs(600);
    const w = await worker(clock);
    const { use, total, orgId } = await setup(clock, w);
    await use();
    await use();
    // The dead worker took the lease and wrote a partial total before dying.
    expect((await storage.lease.tryAcquire('aggregator', 'dead-worker', clock.now(), 180)).acquired).toBe(
      true,
    );
    await storage.totals.put([
      {
        scopeKey: `ORG#${orgId}`,
        label: 'premium',
        day: '2026-06-03',
        costUsdMicros: 3760,
        inputTokens: 1500,
        outputTokens: 800,
        cacheReadInputTokens: 0,
        cacheWriteInputTokens: 0,
        requests: 1,
        updatedAt: clock.now().toISOString(),
        expiresAt: 4102444800,
      },
    ]);
    expect((await w.jobs.aggregate()).ran).toBe(false);
    clock.advanceSecs(181);
    expect((await w.jobs.aggregate()).ran).toBe(true);
    expect(await total('2026-06-03')).toMatchObject({ costUsdMicros: 2 * 3760, requests: 2 });
  });

  it('a label that crosses its quota between two selections is already sticky on the next selection', async () => {
    const clock = new FakeClock('2026-06-04T10:00:00Z');
    clock.advanceSecs(1200);
    const w = await worker(clock);
    const { use, orgId } = await setup(clock, w);
    expect((await w.keeper.selectModel.execute(orgId, 'chat')).recommended.label).toBe('premium');
    for (let i = 0; i < 6; i++) await use(); // 22,560 >= 20,000
    clock.advanceSecs(60);
    await w.jobs.aggregate();
    const next = await w.keeper.selectModel.execute(orgId, 'chat');
    expect(next.recommended).toMatchObject({ label: 'standard', reason: 'STICKY_FALLBACK' });
    expect(next.usedLiveSpend).toBe(false);
  });

  it("late events for yesterday land in yesterday's total during the grace window", async () => {
    const clock = new FakeClock('2026-06-05T22:30:00Z'); // 00:30 in Paris on 06-06
    clock.advanceSecs(1800);
    const w = await worker(clock);
    const { use, total } = await setup(clock, w, { timezone: 'Europe/Paris' });
    await use({ timestamp: '2026-06-05T21:50:00Z' }); // 23:50 in Paris on 06-05
    await use();
    clock.advanceSecs(60);
    await w.jobs.aggregate();
    expect(await total('2026-06-05')).toMatchObject({ requests: 1 });
    expect(await total('2026-06-06')).toMatchObject({ requests: 1 });
  });

  it("the pricing refresh writes the day's entries; when the source fails, yesterday's prices stay in force", async () => {
    const clock = new FakeClock('2026-06-10T00:05:00Z');
    const quoted = (inputPerMillion: number): PricingSource => ({
      origin: 'PRICING_API',
      quotes: async (models) =>
        models.map((m) => ({
          bedrockModelId: m.bedrockModelId,
          region: m.region!,
          price: { inputPerMillion, outputPerMillion: 0 },
        })),
    });
    const first = await worker(clock, uniqueId(), quoted(900_000));
    expect(await first.jobs.refreshPricingIfDue()).toMatchObject({
      day: '2026-06-10',
      written: 3,
      sourceFailed: false,
    });
    expect(await first.jobs.refreshPricingIfDue()).toBeUndefined(); // once a day
    clock.set('2026-06-11T00:05:00Z');
    const failing: PricingSource = {
      origin: 'PRICING_API',
      quotes: async () => Promise.reject(new Error('price list down')),
    };
    const second = await worker(clock, uniqueId(), failing);
    expect(await second.jobs.refreshPricingIfDue()).toMatchObject({
      day: '2026-06-11',
      sourceFailed: true,
      carriedOver: 3,
    });
    const found = await storage.pricing.find('2026-06-11', 'amazon.nova-pro-v1:0', 'us-east-1', clock.now());
    expect(found.regional?.price.inputPerMillion).toBe(900_000);
    const { orgId } = await setup(clock, second);
    const r = await second.keeper.recordUsage.execute(orgId, 'chat', {
      requestId: uniqueId(),
      modelLabel: 'premium',
      bedrockModelId: 'm',
      inputTokens: 1000,
      outputTokens: 0,
      status: 'OK',
      timestamp: clock.now().toISOString(),
    });
    expect(r.costUsdMicros).toBe(900);
  });
});
