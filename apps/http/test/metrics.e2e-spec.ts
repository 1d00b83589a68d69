// GET /metrics on the HTTP app: Prometheus text (read with a parser library) carrying the metrics of
// clients.md with their types, the route template as label (never the raw URL), usage events and
// storage errors counted, the worker's metrics when it runs in-process, and METRICS_TOKEN.
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { uniqueId, testServiceConfig } from '#core-domain/testing';
import { createDynamoAdapters, createDynamoClient, createTableIfMissing } from '#adapters-dynamo';
import { ConfigPricingSource, createLogger, PromMetrics, WorkerJobs } from '#composition';
import { dynamoEndpoint, uniqueTableName } from '../../../test/dynamo/dynamo-test-client.js';
import { parseMetrics, samples, valueOf } from '../../../test/metrics/prometheus-text.js';
import { expectErrorBody, provision, startApp, tokens, type Harness } from './harness.js';

const USAGE_ROUTE = '/api/v1/orgs/:org_id/apps/:app_id/usage';
const TOKEN = 'metrics-token-0123456789abcdef';

const event = (h: Harness, over: Record<string, unknown> = {}) => ({
  request_id: uniqueId(),
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
  status: 'OK',
  timestamp: h.clock.now().toISOString(),
  ...over,
});

async function scrape(h: Harness, token?: string) {
  const req = h.http.get('/metrics');
  const r = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(r.headers['cache-control']).toBe('no-store');
  return { text: r.text, f: parseMetrics(r.text) };
}

describe('GET /metrics on the HTTP app with the worker in-process (memory storage)', () => {
  let h: Harness;
  beforeAll(async () => {
    const config = testServiceConfig();
    h = await startApp('memory', {
      config,
      worker: {
        intervalSecs: 60,
        pricingSource: new ConfigPricingSource(config),
        logger: createLogger('silent'),
        schedule: false,
      },
    });
  });
  afterAll(() => h.close());

  it('carries the listed metrics with their types; routes are templates, whatever the URLs', async () => {
    const p = await provision(h, {
      quota_scope: 'APP',
      quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
    });
    const t = (await tokens(h, p.apps.chat!)).access;
    const post = (body: Record<string, unknown>) =>
      h.http.post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`).set('Authorization', `Bearer ${t}`).send(body);
    const dup = event(h);
    expect((await post(dup)).status).toBe(202);
    expect((await post(dup)).body.duplicate).toBe(true);
    expect((await post(event(h, { model_label: 'nope' }))).status).toBe(400);
    // Unknown URLs, each different: one 'unmatched' series, no URL in any label.
    for (let i = 0; i < 5; i++) expect((await h.http.get(`/no/such/${uniqueId()}`)).status).toBe(404);
    h.clock.advanceSecs(1);
    await h.app.get(WorkerJobs).aggregate();

    const { text, f } = await scrape(h);
    const types = Object.fromEntries([...f].map(([name, fam]) => [name, fam.type]));
    expect(types).toMatchObject({
      http_request_duration_seconds: 'HISTOGRAM',
      usage_events_total: 'COUNTER',
      storage_errors_total: 'COUNTER',
      aggregation_pass_duration_seconds: 'HISTOGRAM',
      aggregation_lag_seconds: 'GAUGE',
      webhook_deliveries_total: 'COUNTER',
      bck_spend_usd_micros: 'GAUGE',
      bck_limit_usd_micros: 'GAUGE',
    });
    const usage = samples(f, 'http_request_duration_seconds', { route: USAGE_ROUTE, method: 'POST' });
    expect(usage.map((s) => [s.labels!.status, s.count]).sort()).toEqual([
      ['202', '2'],
      ['400', '1'],
    ]);
    const unmatched = samples(f, 'http_request_duration_seconds', { route: 'unmatched' });
    expect(unmatched.map((s) => [s.labels!.method, s.labels!.status, s.count])).toEqual([
      ['GET', '404', '5'],
    ]);
    // No raw URL in any route label: no org id, no random path.
    const routes = samples(f, 'http_request_duration_seconds').map((s) => s.labels!.route!);
    expect(routes.filter((r) => r.includes(p.orgId) || r.startsWith('/no/'))).toEqual([]);
    expect(text).toContain(`route="${USAGE_ROUTE}"`);
    // An encoded path to /metrics is not /metrics (the load balancer rule matches the plain path).
    const encoded = await h.http.get('/%6detrics');
    expect(encoded.status).toBe(404);
    expect(valueOf(f, 'usage_events_total', { result: 'accepted' })).toBe(1);
    expect(valueOf(f, 'usage_events_total', { result: 'duplicate' })).toBe(1);
    expect(valueOf(f, 'usage_events_total', { result: 'rejected' })).toBe(1);
    expect(samples(f, 'aggregation_pass_duration_seconds')[0]!.count).toBe('1');
    // The app's daily quota line: 3,760 micro-USD spent of 10,000.
    const line = { org: p.orgId, app: 'chat', label: 'premium', window: 'day' };
    expect(valueOf(f, 'bck_spend_usd_micros', line)).toBe(3760);
    expect(valueOf(f, 'bck_limit_usd_micros', line)).toBe(10_000);
    // GET /metrics is not an API operation.
    const doc = await h.http.get('/openapi.json');
    expect(Object.keys(doc.body.paths)).not.toContain('/metrics');
  });

  it('counts webhook deliveries: a threshold crossed, delivered to a local receiver', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['webhook-id']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const p = await provision(h, { quotas: { premium: 5000, standard: 1_000_000, economy: 1_000_000 } });
      const port = (receiver.address() as AddressInfo).port;
      await h.keeper.webhooks.create(p.orgId, {
        url: `http://127.0.0.1:${port}/hook`,
        eventTypes: ['budget.threshold_crossed'],
      });
      const t = (await tokens(h, p.apps.chat!)).access;
      const r = await h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`)
        .set('Authorization', `Bearer ${t}`)
        .send(event(h)); // 3,760 of 5,000: the 50 % threshold
      expect(r.status).toBe(202);
      const before = valueOf((await scrape(h)).f, 'webhook_deliveries_total', { result: 'succeeded' });
      h.clock.advanceSecs(1);
      const jobs = h.app.get(WorkerJobs);
      await jobs.aggregate();
      const report = await jobs.deliver();
      expect(report?.succeeded).toBeGreaterThan(0);
      expect(received).toHaveLength(report!.succeeded);
      const { f } = await scrape(h);
      expect(valueOf(f, 'webhook_deliveries_total', { result: 'succeeded' })).toBe(
        before + report!.succeeded,
      );
      expect(valueOf(f, 'webhook_deliveries_total', { result: 'failed' })).toBe(0);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it('is open without METRICS_TOKEN; POST /metrics is 404 with the error body', async () => {
    await scrape(h);
    const r = await h.http.post('/metrics').send({});
    expect(r.status).toBe(404);
    expectErrorBody(r.body, 'NOT_FOUND');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('memory', { metricsToken: TOKEN });
  });
  afterAll(() => h.close());

  it('401 with the error body without the bearer token or with a wrong one; 200 with it', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN}0`]) {
      const req = h.http.get('/metrics').set('X-Request-Id', 'scrape-1');
      const r = await (auth ? req.set('Authorization', auth) : req);
      expect([auth, r.status]).toEqual([auth, 401]);
      expectErrorBody(r.body, 'UNAUTHORIZED');
      expect(r.body.request_id).toBe('scrape-1');
      expect(r.headers['www-authenticate']).toBe('Bearer');
      expect(r.text).not.toContain('http_request_duration_seconds');
    }
    const { f } = await scrape(h, TOKEN);
    // This app runs no worker: it exports what it measures.
    expect(f.has('http_request_duration_seconds')).toBe(true);
    expect(f.has('aggregation_lag_seconds')).toBe(false);
    expect(f.has('bck_spend_usd_micros')).toBe(false);
    // The refused scrapes are requests too (route /metrics, 401).
    expect(samples(f, 'http_request_duration_seconds', { route: '/metrics', status: '401' })[0]!.count).toBe(
      '5',
    );
  });
});

describe('storage errors on DynamoDB Local (a throttling fault injected in the SDK)', () => {
  let h: Harness;
  let client: DynamoDBClient;
  let throttle = false;
  const metrics = new PromMetrics({ http: true });
  beforeAll(async () => {
    client = createDynamoClient({ endpoint: dynamoEndpoint(), maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        if (throttle)
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'faultInjection', priority: 'low' },
    );
    const tableName = uniqueTableName('metrics');
    await createTableIfMissing(client, tableName);
    h = await startApp('dynamodb', {
      storage: createDynamoAdapters({
        client,
        tableName,
        onStorageError: (kind) => metrics.storageError(kind),
      }),
      metrics,
    });
  });
  afterAll(async () => {
    await h.close();
    client.destroy();
  });

  it('a throttled POST /usage is 503, a failed usage event and a storage error of kind throttled', async () => {
    const p = await provision(h, { quota_scope: 'APP' });
    const t = (await tokens(h, p.apps.chat!)).access;
    const post = () =>
      h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`)
        .set('Authorization', `Bearer ${t}`)
        .send(event(h));
    expect((await post()).status).toBe(202); // warms the config cache
    throttle = true;
    const r = await post();
    throttle = false;
    expect(r.status).toBe(503);
    const { f } = await scrape(h);
    expect(valueOf(f, 'storage_errors_total', { kind: 'throttled' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(f, 'storage_errors_total', { kind: 'other' })).toBe(0);
    expect(valueOf(f, 'usage_events_total', { result: 'failed' })).toBe(1);
    expect(valueOf(f, 'usage_events_total', { result: 'accepted' })).toBe(1);
  });
});
