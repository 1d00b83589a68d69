// The client SDK (libs/client) against the real service on a real port, on both storages: 1,000
// Bedrock calls through withCostKeeper() against a local fake Bedrock, with the service stopped for a
// while and restarted (and, on memory storage, its storage failing with 503s). Every call is counted
// exactly once at the right cost; selection answers stale meanwhile. The SDK's clock is a ManualClock
// moved with the service's FakeClock: nothing sleeps.
import { type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CostKeeperClient, ManualClock } from '#client';
import { withCostKeeper } from '#client/bedrock';
import { costMicros, StorageUnavailableError } from '#core-domain';
import { testServiceConfig } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { bedrockClient, startFakeBedrock, type FakeBedrock } from './fake-bedrock.js';
import { provision, startApp, STORAGES, tokens, type Harness } from './harness.js';

const USAGE = { inputTokens: 1500, outputTokens: 800, cacheReadInputTokens: 400, cacheWriteInputTokens: 120 };

describe.each(STORAGES)('the client SDK through withCostKeeper() (%s)', (kind) => {
  let h: Harness;
  let memory: ReturnType<typeof createMemoryAdapters> | undefined;
  let server: Server;
  let port = 0;
  let fake: FakeBedrock;

  beforeAll(async () => {
    memory = kind === 'memory' ? createMemoryAdapters() : undefined;
    h = await startApp(kind, memory ? { storage: memory } : {});
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    server = h.app.getHttpServer() as Server;
    port = (server.address() as { port: number }).port;
    fake = await startFakeBedrock(USAGE);
  });
  afterAll(async () => {
    await fake?.close();
    if (!server.listening) await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await h?.close();
  });

  /** The service stops listening (connections refused) ... */
  const stopService = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  /** ... and comes back on the same port. */
  const restartService = () =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));

  it('counts 1,000 calls exactly once at the right cost, across an outage; selection answers stale meanwhile', async () => {
    const p = await provision(h, {
      quotas: { premium: 100_000_000, standard: 100_000_000, economy: 100_000_000 },
    });
    const clock = new ManualClock(h.clock.now());
    const advance = (ms: number) => {
      h.clock.advance(ms);
      clock.advance(ms);
    };
    const errors: unknown[] = [];
    const keeper = new CostKeeperClient({
      baseUrl: `http://127.0.0.1:${port}`,
      orgId: p.orgId,
      appId: 'chat',
      clientId: p.apps.chat!.client_id,
      clientSecret: p.apps.chat!.client_secret,
      clock,
      breaker: { failureThreshold: 3, cooldownMs: 30_000 },
      onError: (e) => errors.push(e),
    });
    const bedrock = withCostKeeper(bedrockClient(fake.url), keeper);
    const messages = [{ role: 'user' as const, content: [{ text: 'Hello' }] }];
    const call = async () => {
      const out = await bedrock.send(new ConverseCommand({ modelId: await keeper.currentModel(), messages }));
      expect(out.output?.message?.content?.[0]?.text).toMatch(/fake Bedrock/);
    };
    const calls = async (n: number) => {
      for (let i = 0; i < n; i++) await call();
    };

    // Up: 400 calls; full batches go out at once.
    await calls(400);
    await keeper.flush();
    expect(keeper.pending).toBe(0);

    // Down: the listener is closed; the cache expires; the breaker opens; answers are stale.
    await stopService();
    advance(300_000);
    const staleAnswer = await keeper.selectModel();
    expect(staleAnswer).toMatchObject({ kind: 'model', label: 'premium', stale: true });
    await calls(250);
    await keeper.idle();
    expect(keeper.breakerState).toBe('open');
    expect(keeper.pending).toBe(250);
    expect(await keeper.selectModel()).toMatchObject({ stale: true });

    // Back: after the cool-down one probe closes the breaker, and the queue drains.
    await restartService();
    advance(30_000);
    await keeper.idle();
    expect(keeper.breakerState).toBe('closed');
    expect(keeper.pending).toBe(0);
    expect(await keeper.selectModel()).toMatchObject({ label: 'premium', stale: false });

    if (memory) {
      // Storage unavailable: the service answers 503 (Retry-After: 5) to selection and usage.
      advance(300_000);
      memory.failWith(new StorageUnavailableError());
      await calls(150);
      await keeper.idle();
      expect(await keeper.selectModel()).toMatchObject({ stale: true });
      expect(keeper.pending).toBeGreaterThan(0);
      memory.failWith(undefined);
      advance(30_000);
      await keeper.idle();
      expect(keeper.pending).toBe(0);
      await calls(200);
    } else {
      await calls(350);
    }
    expect(await keeper.close()).toEqual({ pending: 0 });
    expect(fake.calls).toHaveLength(1000);
    expect(keeper.stats).toMatchObject({ dropped: 0, rejected: 0, unattributed: 0 });
    expect(keeper.stats.accepted + keeper.stats.duplicates).toBe(1000);
    expect(keeper.stats.staleAnswers).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0); // the outage was seen

    await h.keeper.aggregator.runPass();
    const org = (await tokens(h, p.org)).access;
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${org}`);
    expect(agg.status).toBe(200);
    const price = testServiceConfig().labels.premium!.price;
    expect(agg.body.models.premium).toMatchObject({
      requests: 1000,
      cost_usd_micros: 1000 * costMicros(USAGE, price),
    });
  });

  it('falls back as soon as a usage answer says EXCEEDED (forced re-selection), every call counted once', async () => {
    const p = await provision(h, {
      quotas: { premium: 5 * 3760, standard: 10_000_000, economy: 1_000_000 },
    });
    const keeper = new CostKeeperClient({
      baseUrl: `http://127.0.0.1:${port}`,
      orgId: p.orgId,
      appId: 'chat',
      clientId: p.apps.chat!.client_id,
      clientSecret: p.apps.chat!.client_secret,
      clock: new ManualClock(h.clock.now()),
    });
    fake.usage = { inputTokens: 1500, outputTokens: 800 };
    const bedrock = withCostKeeper(bedrockClient(fake.url), keeper);
    const used: string[] = [];
    for (let i = 0; i < 8; i++) {
      const modelId = await keeper.currentModel();
      used.push(keeper.labelFor(modelId)!);
      await bedrock.send(
        new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
      );
      await keeper.flush(); // each report goes out at once (and its answer is read)
    }
    fake.usage = USAGE;
    expect(used).toEqual([
      'premium',
      'premium',
      'premium',
      'premium',
      'premium',
      'standard',
      'standard',
      'standard',
    ]);
    expect(keeper.stats.forcedSelections).toBe(1);
    expect(keeper.stats.selections).toBeLessThanOrEqual(3);
    await keeper.close();
    await h.keeper.aggregator.runPass();
    const org = (await tokens(h, p.org)).access;
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${org}`);
    expect(agg.body.models.premium).toMatchObject({ requests: 5, cost_usd_micros: 5 * 3760 });
    expect(agg.body.models.standard.requests).toBe(3);
  });
});
