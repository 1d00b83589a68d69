// docs/examples/sdk.example.ts (the SDK as docs/client-integration.md shows it), run against the real
// service on a real port, with a local stand-in for Bedrock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSdkExample } from '../../../docs/examples/sdk.example.js';
import { bedrockClient, startFakeBedrock, type FakeBedrock } from './fake-bedrock.js';
import { provision, startApp, tokens, type Harness } from './harness.js';

describe('the documented SDK example', () => {
  let h: Harness;
  let base = '';
  let fake: FakeBedrock;
  beforeAll(async () => {
    h = await startApp('memory');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    fake = await startFakeBedrock({ inputTokens: 1500, outputTokens: 800 });
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });

  it('answers every question with the recommended model and reports each call once', async () => {
    const p = await provision(h);
    const questions = Array.from({ length: 12 }, (_, i) => `question ${i}`);
    const r = await runSdkExample({
      baseUrl: base,
      orgId: p.orgId,
      appId: 'chat',
      clientId: p.apps.chat!.client_id,
      clientSecret: p.apps.chat!.client_secret,
      questions,
      bedrock: bedrockClient(fake.url),
    });
    expect(r.answers).toHaveLength(12);
    expect(r.answers[0]).toMatch(/fake Bedrock/);
    expect(new Set(r.models)).toEqual(new Set(['amazon.nova-pro-v1:0']));
    expect(r.stats).toMatchObject({ accepted: 12, dropped: 0, rejected: 0 });
    expect(r.stats.selections).toBe(1); // cached for the whole run
    await h.keeper.aggregator.runPass();
    const org = (await tokens(h, p.org)).access;
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${org}`);
    expect(agg.body.models.premium).toMatchObject({ requests: 12, cost_usd_micros: 12 * 3760 });
  });
});
