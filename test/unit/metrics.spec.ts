// The Prometheus metrics (PromMetrics, the spend series and their cap), the CloudWatch EMF lines and
// the worker's /metrics server, without storage. The text is read with a parser library.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  lineState,
  periodAt,
  type LineDef,
  type LineState,
  type PassReport,
  type WindowKind,
} from '#core-domain';
import { FakeClock } from '#core-domain/testing';
import {
  EMF_NAMESPACE,
  EmfWriter,
  PromMetrics,
  startMetricsServer,
  UNMATCHED_ROUTE,
  type MetricsServer,
} from '#composition';
import { parseMetrics, samples, valueOf } from '../metrics/prometheus-text.js';

const NOW = '2026-03-10T12:00:00Z';

/** A line of an org or app with its spend, in the period containing the clock's now. */
function line(
  clock: FakeClock,
  o: { scope?: 'ORG' | 'APP'; window?: WindowKind; label?: string | null; limit?: number; spend?: number },
): LineState {
  const window = o.window ?? 'DAY';
  const def: LineDef = {
    scope: o.scope ?? 'APP',
    window,
    label: o.label === undefined ? 'premium' : o.label,
    limitUsdMicros: o.limit ?? 10_000,
    source: window === 'DAY' && o.label !== null ? 'QUOTA' : 'BUDGET',
    spendScopeKey: 'unused',
  };
  return lineState(def, periodAt(window, clock.now(), 'UTC', 'MONDAY'), o.spend ?? 0, 80);
}

const pass = (over: Partial<Extract<PassReport, { ran: true }>> = {}): PassReport => ({
  ran: true,
  groupsAggregated: 3,
  periodTotalsWritten: 9,
  stickyAdvanced: 0,
  eventsCreated: 0,
  durationMs: 420,
  maxLagSecs: 61,
  startedAt: NOW,
  ...over,
});

const workerMetrics = (maxSeries = 100, clock = new FakeClock(NOW)) =>
  new PromMetrics({ http: false, worker: { maxSeries, clock } });

describe('PromMetrics', () => {
  it('the HTTP app exports requests by route template, usage events and storage errors, with their types', async () => {
    const m = new PromMetrics({ http: true });
    m.observeHttp('/api/v1/orgs/:orgId/apps/:appId/usage', 'POST', 200, 0.004);
    m.observeHttp('/api/v1/orgs/:orgId/apps/:appId/usage', 'POST', 200, 0.02);
    m.observeHttp(UNMATCHED_ROUTE, 'GET', 404, 0.001);
    m.usageEvents('accepted', 2);
    m.usageEvents('duplicate', 1);
    m.usageEvents('rejected', 1);
    m.storageError('throttled');
    const f = parseMetrics(await m.text());
    expect(f.get('http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(f.get('usage_events_total')?.type).toBe('COUNTER');
    expect(f.get('storage_errors_total')?.type).toBe('COUNTER');
    const usage = samples(f, 'http_request_duration_seconds', {
      route: '/api/v1/orgs/:orgId/apps/:appId/usage',
      method: 'POST',
      status: '200',
    });
    expect(usage).toHaveLength(1);
    expect(usage[0]!.count).toBe('2');
    expect(usage[0]!.buckets!['0.005']).toBe('1');
    expect(Number(usage[0]!.sum)).toBeCloseTo(0.024);
    expect(samples(f, 'http_request_duration_seconds', { route: 'unmatched', status: '404' })).toHaveLength(
      1,
    );
    expect(valueOf(f, 'usage_events_total', { result: 'accepted' })).toBe(2);
    expect(valueOf(f, 'usage_events_total', { result: 'duplicate' })).toBe(1);
    expect(valueOf(f, 'usage_events_total', { result: 'rejected' })).toBe(1);
    expect(valueOf(f, 'usage_events_total', { result: 'failed' })).toBe(0);
    expect(valueOf(f, 'storage_errors_total', { kind: 'throttled' })).toBe(1);
    expect(valueOf(f, 'storage_errors_total', { kind: 'timeout' })).toBe(0);
    // Worker metrics belong to the worker.
    expect(f.has('aggregation_lag_seconds')).toBe(false);
    expect(f.has('bck_spend_usd_micros')).toBe(false);
  });

  it('the worker exports passes, lag, deliveries and spend series, with their types', async () => {
    const clock = new FakeClock(NOW);
    const m = workerMetrics(100, clock);
    m.aggregationPass(pass({ durationMs: 420, maxLagSecs: 61 }));
    m.aggregationPass(pass({ durationMs: 1500, maxLagSecs: 75 }));
    m.deliveryPass({ attempted: 3, succeeded: 2, failed: 1, disabled: 0 });
    m.linesEvaluated({ orgId: 'o1', appId: 'chat' }, [
      line(clock, { scope: 'APP', label: 'premium', limit: 10_000, spend: 7520 }),
      line(clock, { scope: 'ORG', window: 'MONTH', label: null, limit: 500_000, spend: 9000 }),
    ]);
    const f = parseMetrics(await m.text());
    expect(Object.fromEntries([...f].map(([name, fam]) => [name, fam.type]))).toEqual({
      storage_errors_total: 'COUNTER',
      aggregation_pass_duration_seconds: 'HISTOGRAM',
      aggregation_lag_seconds: 'GAUGE',
      webhook_deliveries_total: 'COUNTER',
      bck_spend_usd_micros: 'GAUGE',
      bck_limit_usd_micros: 'GAUGE',
      bck_spend_series: 'GAUGE',
      bck_spend_series_refused_total: 'COUNTER',
    });
    const passes = samples(f, 'aggregation_pass_duration_seconds');
    expect(passes[0]!.count).toBe('2');
    expect(Number(passes[0]!.sum)).toBeCloseTo(1.92);
    expect(valueOf(f, 'aggregation_lag_seconds')).toBe(75);
    expect(valueOf(f, 'webhook_deliveries_total', { result: 'succeeded' })).toBe(2);
    expect(valueOf(f, 'webhook_deliveries_total', { result: 'failed' })).toBe(1);
    const app = { org: 'o1', app: 'chat', label: 'premium', window: 'day' };
    expect(valueOf(f, 'bck_spend_usd_micros', app)).toBe(7520);
    expect(valueOf(f, 'bck_limit_usd_micros', app)).toBe(10_000);
    const org = { org: 'o1', app: '', label: '*', window: 'month' };
    expect(valueOf(f, 'bck_spend_usd_micros', org)).toBe(9000);
    expect(valueOf(f, 'bck_limit_usd_micros', org)).toBe(500_000);
    expect(valueOf(f, 'bck_spend_series')).toBe(2);
  });

  it('keeps the spend series within METRICS_MAX_SERIES (a cap of 5 here)', async () => {
    const clock = new FakeClock(NOW);
    const m = workerMetrics(5, clock);
    const appLines = (spend: number) =>
      ['premium', 'standard', 'economy'].map((label) => line(clock, { label, spend }));
    for (let i = 0; i < 4; i++) m.linesEvaluated({ orgId: 'o1', appId: `app${i}` }, appLines(100 + i));
    let f = parseMetrics(await m.text());
    expect(samples(f, 'bck_spend_usd_micros')).toHaveLength(5);
    expect(samples(f, 'bck_limit_usd_micros')).toHaveLength(5);
    expect(valueOf(f, 'bck_spend_series')).toBe(5);
    expect(valueOf(f, 'bck_spend_series_refused_total')).toBe(7);
    // The first app's series are complete, the second's partly there; later apps have none.
    expect(samples(f, 'bck_spend_usd_micros', { app: 'app0' })).toHaveLength(3);
    expect(samples(f, 'bck_spend_usd_micros', { app: 'app1' })).toHaveLength(2);
    expect(samples(f, 'bck_spend_usd_micros', { app: 'app3' })).toHaveLength(0);
    // Series already exported keep updating at the cap.
    m.linesEvaluated({ orgId: 'o1', appId: 'app0' }, appLines(999));
    f = parseMetrics(await m.text());
    expect(valueOf(f, 'bck_spend_usd_micros', { app: 'app0', label: 'economy' })).toBe(999);
    expect(samples(f, 'bck_spend_usd_micros')).toHaveLength(5);
    // An app reporting fewer lines frees room for others.
    m.linesEvaluated({ orgId: 'o1', appId: 'app0' }, []);
    m.linesEvaluated({ orgId: 'o1', appId: 'app3' }, appLines(7));
    f = parseMetrics(await m.text());
    expect(samples(f, 'bck_spend_usd_micros', { app: 'app3' })).toHaveLength(3);
    expect(samples(f, 'bck_spend_usd_micros')).toHaveLength(5);
  });

  it('drops series when their period ends, when their app goes, and on a standby worker', async () => {
    const clock = new FakeClock(NOW);
    const m = workerMetrics(100, clock);
    m.linesEvaluated({ orgId: 'o1', appId: 'chat' }, [
      line(clock, { label: 'premium', spend: 5 }),
      line(clock, { scope: 'ORG', window: 'MONTH', label: null, limit: 500_000, spend: 5 }),
    ]);
    m.linesEvaluated({ orgId: 'o1', appId: 'mail' }, [
      line(clock, { label: 'premium', spend: 6 }),
      line(clock, { scope: 'ORG', window: 'MONTH', label: null, limit: 500_000, spend: 6 }),
    ]);
    const series = async () =>
      samples(parseMetrics(await m.text()), 'bck_spend_usd_micros').map(
        (s) => `${s.labels!.app}/${s.labels!.label}/${s.labels!.window}`,
      );
    expect((await series()).sort()).toEqual(['/*/month', 'chat/premium/day', 'mail/premium/day']);
    clock.set('2026-03-11T00:00:00Z'); // the day is over: its series go, the month's stays
    expect(await series()).toEqual(['/*/month']);
    m.linesEvaluated({ orgId: 'o1', appId: 'chat' }, [line(clock, { label: 'premium', spend: 1 })]);
    expect(m.spend!.apps()).toEqual([{ orgId: 'o1', appId: 'chat' }]);
    m.spend!.forgetApp('o1', 'chat');
    expect(await series()).toEqual([]);
    m.linesEvaluated({ orgId: 'o1', appId: 'chat' }, [line(clock, { label: 'premium', spend: 1 })]);
    m.aggregationPass({ ran: false, reason: 'lease-held-elsewhere' });
    expect(await series()).toEqual([]);
  });

  it('one series per labels: a daily quota and a DAY budget on one label export the tighter limit', async () => {
    const clock = new FakeClock(NOW);
    const m = workerMetrics(100, clock);
    const budget = line(clock, { label: 'premium', limit: 8000, spend: 10 });
    m.linesEvaluated({ orgId: 'o1', appId: 'chat' }, [
      line(clock, { label: 'premium', limit: 10_000, spend: 10 }),
      { ...budget, source: 'BUDGET' },
    ]);
    const f = parseMetrics(await m.text());
    expect(samples(f, 'bck_limit_usd_micros')).toHaveLength(1);
    expect(valueOf(f, 'bck_limit_usd_micros', { app: 'chat' })).toBe(8000);
  });
});

describe('CloudWatch EMF lines (METRICS_EMF=on)', () => {
  it('one valid JSON line per pass this worker ran, with the _aws block of namespace BedrockCostKeeper', () => {
    const lines: string[] = [];
    const emf = new EmfWriter('prod', (l) => lines.push(l));
    emf.aggregationPass(pass({ maxLagSecs: 61, durationMs: 420 }), new Date(NOW));
    emf.aggregationPass({ ran: false, reason: 'lease-held-elsewhere' }, new Date(NOW));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain('\n');
    const record = JSON.parse(lines[0]!) as Record<string, unknown> & {
      _aws: {
        Timestamp: number;
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string; Unit: string }>;
        }>;
      };
    };
    expect(EMF_NAMESPACE).toBe('BedrockCostKeeper');
    expect(record._aws.Timestamp).toBe(Date.parse(NOW));
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('BedrockCostKeeper');
    // Every dimension and metric the directive names is a member of the record (the EMF rule).
    for (const set of directive!.Dimensions) for (const d of set) expect(typeof record[d]).toBe('string');
    for (const metric of directive!.Metrics) expect(typeof record[metric.Name]).toBe('number');
    expect(record).toMatchObject({
      Environment: 'prod',
      AggregatorMaxLagSecs: 61,
      AggregatorPasses: 1,
      AggregatorPassDurationMs: 420,
    });
    expect(directive!.Metrics.map((x) => x.Unit)).toEqual(['Seconds', 'Count', 'Milliseconds']);
  });
});

describe("the worker's /metrics server", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const TOKEN = 'metrics-token-0123456789';

  it('serves the Prometheus text; other paths and methods are 404 with the error body', async () => {
    const m = workerMetrics();
    m.aggregationPass(pass());
    server = await startMetricsServer({ metrics: m, host: '127.0.0.1', port: 0, clock: new FakeClock(NOW) });
    const base = `http://127.0.0.1:${server.port}`;
    const r = await fetch(`${base}/metrics?x=1`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(valueOf(parseMetrics(await r.text()), 'aggregation_lag_seconds')).toBe(61);
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metrics/x'],
      ['POST', '/metrics'],
    ] as const) {
      const bad = await fetch(`${base}${path}`, { method, headers: { 'X-Request-Id': 'req-1' } });
      expect([method, path, bad.status]).toEqual([method, path, 404]);
      expect(await bad.json()).toEqual({
        error: 'NOT_FOUND',
        message: 'Not found',
        timestamp: '2026-03-10T12:00:00Z',
        request_id: 'req-1',
      });
    }
  });

  it('with METRICS_TOKEN: 401 with the error body without the bearer token, 200 with it', async () => {
    server = await startMetricsServer({
      metrics: workerMetrics(),
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      clock: new FakeClock(NOW),
    });
    const url = `http://127.0.0.1:${server.port}/metrics`;
    for (const auth of [undefined, 'Bearer nope', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const r = await fetch(url, { headers: auth ? { Authorization: auth } : {} });
      expect([auth, r.status]).toEqual([auth, 401]);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await r.json()) as Record<string, unknown>;
      expect(body).toEqual({
        error: 'UNAUTHORIZED',
        message: expect.stringContaining('METRICS_TOKEN'),
        timestamp: '2026-03-10T12:00:00Z',
        request_id: expect.any(String),
      });
    }
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(parseMetrics(await ok.text()).has('bck_spend_usd_micros')).toBe(true);
  });
});

describe('the Prometheus text check', () => {
  it('refuses what the lenient parser lets through: undeclared families and non-numeric values', () => {
    expect(() => parseMetrics('garbage {\n')).toThrow(/no # TYPE/);
    expect(() => parseMetrics('# HELP a x\n# TYPE a counter\na{b="c"} one\n')).toThrow(/not a sample value/);
    expect(() =>
      parseMetrics(
        '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      ),
    ).toThrow(/cumulative/);
  });

  it('keeps the series of a labelled histogram apart (the parser alone merges them)', () => {
    const two = parseMetrics(
      '# HELP h x\n# TYPE h histogram\n' +
        'h_bucket{le="1",a="x"} 1\nh_bucket{le="+Inf",a="x"} 1\nh_sum{a="x"} 0.5\nh_count{a="x"} 1\n' +
        'h_bucket{le="1",a="y"} 0\nh_bucket{le="+Inf",a="y"} 2\nh_sum{a="y"} 4\nh_count{a="y"} 2\n',
    );
    expect(two.get('h')!.metrics).toEqual([
      { labels: { a: 'x' }, buckets: { '1': '1', '+Inf': '1' }, sum: '0.5', count: '1' },
      { labels: { a: 'y' }, buckets: { '1': '0', '+Inf': '2' }, sum: '4', count: '2' },
    ]);
  });
});
