// docs/client-integration.md's client, against the real service on a real port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CostKeeperClient, type Model } from '../../../docs/examples/client.example.js';
import { provision, startApp, tokens, type Harness } from './harness.js';

describe('the documented TypeScript client', () => {
  let h: Harness;
  let base = '';
  beforeAll(async () => {
    h = await startApp('memory');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => h.close());

  it('caches the model, reports usage once per call, and falls back as soon as a usage response says EXCEEDED', async () => {
    const p = await provision(h, { quotas: { premium: 5 * 3760, standard: 10_000_000, economy: 1_000_000 } });
    const client = new CostKeeperClient({
      baseUrl: base,
      orgId: p.orgId,
      appId: 'chat',
      ...toOptions(p.apps.chat!),
    });
    const used: string[] = [];
    const bedrock = async (model: Model) => {
      used.push(model.label);
      return {
        result: `answer from ${model.bedrockModelId}`,
        usage: { inputTokens: 1500, outputTokens: 800 },
      };
    };
    for (let i = 0; i < 8; i++) {
      expect(await client.call(bedrock)).toMatch(/^answer from amazon\.nova/);
      await client.flush(); // the background sender, made deterministic here
    }
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
    expect(client.stats.reported).toBe(8);
    expect(client.stats.selections).toBeLessThanOrEqual(3); // cached: the first, the TIGHT switch and the fallback
    await client.stop();

    await h.keeper.aggregator.runPass();
    const org = (await tokens(h, p.org)).access;
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${org}`);
    expect(agg.body.models.premium.requests).toBe(5);
    expect(agg.body.models.standard.requests).toBe(3);
  });

  it('keeps failed reports queued and resends them with the same request_id (counted once)', async () => {
    const p = await provision(h);
    const client = new CostKeeperClient({
      baseUrl: base,
      orgId: p.orgId,
      appId: 'chat',
      ...toOptions(p.apps.chat!),
    });
    const model = await client.model();
    client.report(model, { inputTokens: 1500, outputTokens: 800 });
    client.report(model, { inputTokens: 1500, outputTokens: 800 });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async () => {
      throw new TypeError('network down');
    }) as typeof fetch;
    try {
      await client.flush();
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(client.stats.retries).toBe(1);
    await client.flush();
    expect(client.stats.reported).toBe(2);
    await h.keeper.aggregator.runPass();
    const org = (await tokens(h, p.org)).access;
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${org}`);
    expect(agg.body.models.premium).toMatchObject({ requests: 2, cost_usd_micros: 7520 });
  });
});

function toOptions(c: { client_id: string; client_secret: string }) {
  return { clientId: c.client_id, clientSecret: c.client_secret };
}
