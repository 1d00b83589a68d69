// Storage outages and throttling (fault-injecting SDK middleware on a real DynamoDB Local client):
// /health is 503 within 5 s, every storage-backed route answers 503 SERVICE_UNAVAILABLE (never 500,
// never 202), the app recovers without a restart, and an event rejected during the outage is counted
// exactly once when resent.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { uniqueId } from '#core-domain/testing';
import { createDynamoAdapters, createDynamoClient, createTableIfMissing } from '#adapters-dynamo';
import { dynamoEndpoint, uniqueTableName } from '../dynamo/dynamo-test-client.js';
import {
  ADMIN_KEY,
  expectErrorBody,
  provision,
  startApp,
  tokens,
  type Harness,
} from '../../apps/http/test/harness.js';

type Fault = 'none' | 'down' | 'throttle';

describe.each(['down', 'throttle'] as const)('storage %s', (fault) => {
  let h: Harness;
  let client: DynamoDBClient;
  let mode: Fault = 'none';
  beforeAll(async () => {
    client = createDynamoClient({
      endpoint: dynamoEndpoint(),
      maxAttempts: 2,
      connectionTimeoutMs: 500,
      requestTimeoutMs: 1500,
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        if (mode === 'down')
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
        if (mode === 'throttle') {
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'faultInjection', priority: 'low' },
    );
    const tableName = uniqueTableName('faults');
    await createTableIfMissing(client, tableName);
    h = await startApp('dynamodb', { storage: createDynamoAdapters({ client, tableName }) });
  });
  afterAll(async () => {
    await h.close();
    client.destroy();
  });

  it('503 everywhere while it lasts, recovery after, and a rejected event counted once when resent', async () => {
    mode = 'none';
    const p = await provision(h, { quota_scope: 'APP' });
    const app = await tokens(h, p.apps.chat!);
    const org = await tokens(h, p.org);
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    const event = {
      request_id: uniqueId(),
      model_label: 'premium',
      bedrock_model_id: 'amazon.nova-pro-v1:0',
      input_tokens: 1500,
      output_tokens: 800,
      status: 'OK',
    };
    const base = `/api/v1/orgs/${p.orgId}/apps/chat`;
    const calls = () =>
      [
        ['token', h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...p.apps.chat })],
        ['model selection', h.http.get(`${base}/model-selection`).set(auth(app.access))],
        [
          'usage',
          h.http
            .post(`${base}/usage`)
            .set(auth(app.access))
            .send({ ...event, timestamp: h.clock.now().toISOString() }),
        ],
        [
          'usage batch',
          h.http
            .post(`${base}/usage/batch`)
            .set(auth(app.access))
            .send({
              requests: [{ ...event, request_id: uniqueId(), timestamp: h.clock.now().toISOString() }],
            }),
        ],
        ['org aggregates', h.http.get(`/api/v1/orgs/${p.orgId}/aggregates/today`).set(auth(org.access))],
        ['app aggregates', h.http.get(`${base}/aggregates/today`).set(auth(app.access))],
        ['profiles', h.http.get(`${base}/inference-profiles`).set(auth(app.access))],
        ['get org', h.http.get(`/api/v1/orgs/${p.orgId}`).set('X-API-Key', ADMIN_KEY)],
        ['put app', h.http.put(`${base}`).set('X-API-Key', ADMIN_KEY).send({ app_name: 'chat' })],
      ] as const;

    mode = fault;
    const started = Date.now();
    const health = await h.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', database: { status: 'disconnected' } });
    expect(Date.now() - started).toBeLessThan(5000);
    for (const [name, req] of calls()) {
      const r = await req;
      expect({ name, status: r.status }).toEqual({ name, status: 503 });
      expectErrorBody(r.body, 'SERVICE_UNAVAILABLE');
      expect(r.headers['retry-after']).toBeDefined();
      expect(JSON.stringify(r.body)).not.toMatch(/ECONNREFUSED|Throttling|Rate of requests/);
    }

    mode = 'none';
    // Recovery without a restart. After throttling, the SDK's adaptive retry ramps the client's send
    // rate back up gradually (as it would against DynamoDB), so wait for it, bounded.
    const deadline = Date.now() + 45_000;
    while ((await h.http.get('/health')).status !== 200) {
      if (Date.now() > deadline) throw new Error('storage did not recover within 45 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const [name, req] of calls()) {
      const r = await req;
      expect({ name, ok: r.status < 400 }).toEqual({ name, ok: true });
    }
    // The usage event refused during the outage, resent after it: counted once.
    const again = await h.http
      .post(`${base}/usage`)
      .set(auth(app.access))
      .send({ ...event, timestamp: h.clock.now().toISOString() });
    expect(again.status).toBe(202);
    expect(again.body.duplicate).toBe(true); // the resend in the recovery loop above counted it
    await h.keeper.aggregator.runPass();
    const agg = await h.http.get(`/api/v1/orgs/${p.orgId}/aggregates/today`).set(auth(org.access));
    expect(agg.body.models.premium.requests).toBe(2); // that event once, and the batch item once
  }, 180_000);
});
