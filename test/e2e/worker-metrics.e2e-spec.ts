// The worker process's GET /metrics (METRICS_PORT) on DynamoDB Local: Prometheus text read with a
// parser library, METRICS_TOKEN, the spend series of aggregated lines within METRICS_MAX_SERIES, and
// with METRICS_EMF=on one CloudWatch EMF JSON line per pass on stdout.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { testCostKeeper, uniqueId } from '#core-domain/testing';
import { createDynamoAdapters, createTableIfMissing } from '#adapters-dynamo';
import { systemClock } from '#adapters-node';
import { testDynamoClient, uniqueTableName } from '../dynamo/dynamo-test-client.js';
import { buildOnce, type Running } from '../../apps/http/test/process.js';
import { parseMetrics, samples, valueOf } from '../metrics/prometheus-text.js';
import { startWorkerOn, until } from './worker-process.js';

const TOKEN = 'worker-metrics-token-0123456789';

/** The JSON lines a process wrote to stdout. */
function jsonLines(out: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the worker process: GET /metrics and EMF lines', () => {
  let client: DynamoDBClient;
  let tableName = '';
  let worker: Running;
  let url = '';
  beforeAll(async () => {
    buildOnce();
    client = testDynamoClient();
    tableName = uniqueTableName('metrics');
    await createTableIfMissing(client, tableName);
    worker = startWorkerOn(tableName, {
      METRICS_TOKEN: TOKEN,
      METRICS_EMF: 'on',
      METRICS_ENVIRONMENT: 'e2e',
      METRICS_MAX_SERIES: '4',
    });
    await until(
      'the metrics listening line',
      () => jsonLines(worker.stdout()).some((l) => l.msg === 'metrics listening'),
      30_000,
    );
    const listening = jsonLines(worker.stdout()).find((l) => l.msg === 'metrics listening')!;
    expect(listening.metrics_host).toBe('127.0.0.1');
    url = `http://127.0.0.1:${String(listening.metrics_port)}/metrics`;
  }, 240_000);
  afterAll(async () => {
    expect(await worker.stop()).toBe(0);
    client.destroy();
  });

  const scrape = async () => {
    const r = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    return parseMetrics(await r.text());
  };

  it('answers 401 with the error body without the token', async () => {
    const r = await fetch(url);
    expect(r.status).toBe(401);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toEqual({
      error: 'UNAUTHORIZED',
      message: expect.any(String),
      timestamp: expect.any(String),
      request_id: expect.any(String),
    });
  });

  it('exports passes, lag and the spend series of the aggregated lines, at most METRICS_MAX_SERIES', async () => {
    const keeper = testCostKeeper({
      storage: createDynamoAdapters({ client, tableName }),
      clock: systemClock,
    });
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Acme',
      timezone: 'UTC',
      quotaScope: 'APP',
      quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
      budgets: [{ window: 'MONTH', limitUsdMicros: 5_000_000 }],
    });
    for (const appId of ['chat', 'mail']) {
      await keeper.provisioning.putApp(orgId, appId, { appName: appId });
      await keeper.recordUsage.execute(orgId, appId, {
        requestId: uniqueId(),
        modelLabel: 'premium',
        bedrockModelId: 'amazon.nova-pro-v1:0',
        inputTokens: 1500,
        outputTokens: 800,
        status: 'OK',
        timestamp: new Date().toISOString(),
      });
    }
    // Each app has 3 daily quota lines, the org a month budget: 7 lines, 4 of them exported.
    // Passes run every second on real time: scrape until both apps were aggregated (bounded).
    let f = await scrape();
    const deadline = Date.now() + 30_000;
    while (
      samples(f, 'bck_spend_usd_micros', { org: orgId }).length < 4 ||
      valueOf(f, 'bck_spend_series_refused_total') < 3
    ) {
      if (Date.now() > deadline) throw new Error('no spend series within 30 s');
      await new Promise((r) => setTimeout(r, 300));
      f = await scrape();
    }
    expect(Object.fromEntries([...f].map(([name, fam]) => [name, fam.type]))).toMatchObject({
      storage_errors_total: 'COUNTER',
      aggregation_pass_duration_seconds: 'HISTOGRAM',
      aggregation_lag_seconds: 'GAUGE',
      webhook_deliveries_total: 'COUNTER',
      bck_spend_usd_micros: 'GAUGE',
      bck_limit_usd_micros: 'GAUGE',
    });
    expect(f.has('http_request_duration_seconds')).toBe(false);
    expect(samples(f, 'bck_spend_usd_micros')).toHaveLength(4);
    expect(samples(f, 'bck_limit_usd_micros')).toHaveLength(4);
    expect(valueOf(f, 'bck_spend_series_refused_total')).toBeGreaterThanOrEqual(3);
    expect(Number(samples(f, 'aggregation_pass_duration_seconds')[0]!.count)).toBeGreaterThan(0);
    const spent = samples(f, 'bck_spend_usd_micros', { label: 'premium', window: 'day' });
    for (const s of spent) expect(s.value).toBe('3760');
  }, 90_000);

  it('writes one EMF JSON line per pass, namespace BedrockCostKeeper, next to the JSON logs', () => {
    const emf = jsonLines(worker.stdout()).filter((l) => '_aws' in l);
    expect(emf.length).toBeGreaterThan(0);
    const passes = jsonLines(worker.stdout()).filter((l) => l.msg === 'aggregation pass');
    expect(emf.length).toBeGreaterThanOrEqual(passes.length);
    for (const line of emf) {
      expect(line).toMatchObject({
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'BedrockCostKeeper',
              Dimensions: [['Environment']],
              Metrics: [
                { Name: 'AggregatorMaxLagSecs', Unit: 'Seconds' },
                { Name: 'AggregatorPasses', Unit: 'Count' },
                { Name: 'AggregatorPassDurationMs', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        Environment: 'e2e',
        AggregatorMaxLagSecs: expect.any(Number),
        AggregatorPasses: 1,
        AggregatorPassDurationMs: expect.any(Number),
      });
    }
  });
});
