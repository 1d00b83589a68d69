// Every rule of the client, with a fake fetch and a manual clock: nothing sleeps, nothing listens.
import { describe, expect, it } from '@jest/globals';
import { CostKeeperClient, type CostKeeperClientOptions } from './client.js';
import { ManualClock } from './clock.js';
import type { ModelSelectionDto, UsageDto } from './wire.js';

const ORG = '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10';
const APP_PATH = `/api/v1/orgs/${ORG}/apps/chat`;
const T0 = Date.parse('2026-03-10T08:00:00Z');

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}
type Handler = (req: Seen) => Response | Promise<Response>;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function selection(label: string, mode: 'NORMAL' | 'TIGHT', cacheSecs = mode === 'TIGHT' ? 10 : 300) {
  return {
    org_id: ORG,
    app_id: 'chat',
    recommended_model: { label, bedrock_model_id: `model-${label}`, reason: 'NORMAL', description: label },
    quota_status: { mode, current_model: label, binding: null, budgets: [] },
    client_guidance: {
      cache_duration_secs: cacheSecs,
      check_frequency: `PERIODIC_${cacheSecs}S`,
      explanation: '',
    },
  } as unknown as ModelSelectionDto;
}

/** A fake service: tokens, model selection and usage routes, each replaceable; records every request. */
class FakeService {
  readonly seen: Seen[] = [];
  tokenGrants = 0;
  refreshes = 0;
  validTokens = new Set<string>();
  selectionAnswer: Handler = () => json(200, selection('premium', 'NORMAL'), { etag: '"e1"' });
  usageMode: 'NORMAL' | 'TIGHT' | 'EXCEEDED' = 'NORMAL';
  usage: Handler = (req) => {
    const b = req.body as UsageDto;
    return json(202, {
      request_id: b.request_id,
      status: 'accepted',
      duplicate: false,
      quota_status: { model_label: b.model_label, mode: this.usageMode, binding: null },
    });
  };
  batch: Handler = (req) => {
    const items = (req.body as { requests: UsageDto[] }).requests;
    return json(207, {
      accepted: items.length,
      failed: 0,
      duplicates: 0,
      results: items.map((x) => ({ request_id: x.request_id, status: 'accepted' })),
    });
  };
  down = false;

  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const req: Seen = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      headers,
      ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
    };
    this.seen.push(req);
    if (this.down) throw new TypeError('fetch failed');
    if (url.pathname === '/auth/token') {
      const t = `access-${++this.tokenGrants}`;
      this.validTokens.add(t);
      return json(200, {
        access_token: t,
        refresh_token: `refresh-${this.tokenGrants}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_expires_in: 604800,
        scope: '',
      });
    }
    if (url.pathname === '/auth/refresh') {
      const t = `refreshed-${++this.refreshes}`;
      this.validTokens.add(t);
      return json(200, { access_token: t, token_type: 'Bearer', expires_in: 3600 });
    }
    const token = headers.authorization?.replace(/^Bearer /, '');
    if (!token || !this.validTokens.has(token)) return json(401, { error: 'UNAUTHORIZED', message: 'no' });
    if (url.pathname === `${APP_PATH}/model-selection`) {
      if (req.headers['if-none-match'] === '"e1"' && !url.search.includes('force_check')) {
        const r = await this.selectionAnswer(req);
        if (r.status === 200 && r.headers.get('etag') === '"e1"')
          return new Response(null, { status: 304, headers: { 'cache-control': 'private, max-age=300' } });
        return r;
      }
      return this.selectionAnswer(req);
    }
    if (url.pathname === `${APP_PATH}/usage`) return this.usage(req);
    if (url.pathname === `${APP_PATH}/usage/batch`) return this.batch(req);
    return json(404, { error: 'NOT_FOUND', message: req.path });
  }) as typeof fetch;

  requests(pathEnd: string): Seen[] {
    return this.seen.filter((r) => r.path.split('?')[0]!.endsWith(pathEnd));
  }
}

function setup(o: Partial<CostKeeperClientOptions> = {}) {
  const svc = new FakeService();
  const clock = new ManualClock(T0);
  let n = 0;
  const client = new CostKeeperClient({
    baseUrl: 'http://keeper.test',
    clientId: 'id',
    clientSecret: 'secret',
    orgId: ORG,
    appId: 'chat',
    fetch: svc.fetch,
    clock,
    requestId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...o,
  });
  return { svc, clock, client };
}

const event = (label = 'premium') => ({
  modelLabel: label,
  bedrockModelId: `model-${label}`,
  inputTokens: 1500,
  outputTokens: 800,
});

describe('selectModel(): cache, ETag, the TIGHT and EXCEEDED rules', () => {
  it('caches the answer for cache_duration_secs, then revalidates with If-None-Match (304)', async () => {
    const { svc, clock, client } = setup();
    const first = await client.selectModel();
    expect(first).toMatchObject({
      kind: 'model',
      label: 'premium',
      bedrockModelId: 'model-premium',
      stale: false,
    });
    clock.advance(299_000);
    await client.selectModel();
    expect(svc.requests('/model-selection')).toHaveLength(1);
    clock.advance(1000);
    const again = await client.selectModel();
    const sel = svc.requests('/model-selection');
    expect(sel).toHaveLength(2);
    expect(sel[1]!.headers['if-none-match']).toBe('"e1"');
    expect(again).toMatchObject({ label: 'premium', stale: false });
    expect(client.stats.notModified).toBe(1);
    // The 304's max-age renews the cache.
    clock.advance(299_000);
    await client.selectModel();
    expect(svc.requests('/model-selection')).toHaveLength(2);
  });

  it('a TIGHT answer is cached for its own (short) duration', async () => {
    const { svc, clock, client } = setup();
    svc.selectionAnswer = () => json(200, selection('premium', 'TIGHT'));
    await client.selectModel();
    clock.advance(9_999);
    await client.selectModel();
    expect(svc.requests('/model-selection')).toHaveLength(1);
    clock.advance(1);
    await client.selectModel();
    expect(svc.requests('/model-selection')).toHaveLength(2);
  });

  it('EXCEEDED in a usage answer re-selects at once with force_check', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    svc.usageMode = 'EXCEEDED';
    svc.selectionAnswer = () => json(200, selection('standard', 'NORMAL'));
    client.reportUsage(event());
    await client.flush();
    const sel = svc.requests('/model-selection');
    expect(sel).toHaveLength(2);
    expect(sel[1]!.path).toContain('force_check=true');
    expect(sel[1]!.headers['if-none-match']).toBeUndefined();
    expect(await client.selectModel()).toMatchObject({ label: 'standard' });
    expect(client.stats.forcedSelections).toBe(1);
  });

  it('TIGHT in a usage answer re-selects at once (unforced) when the cached answer was NORMAL, not when TIGHT', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    svc.usageMode = 'TIGHT';
    svc.selectionAnswer = () => json(200, selection('premium', 'TIGHT'), { etag: '"e2"' });
    client.reportUsage(event());
    await client.flush();
    const sel = svc.requests('/model-selection');
    expect(sel).toHaveLength(2);
    expect(sel[1]!.path).not.toContain('force_check');
    expect((await client.selectModel()) as { mode: string }).toMatchObject({ mode: 'TIGHT' });
    // Cached TIGHT now: another TIGHT answer changes nothing.
    client.reportUsage(event());
    await client.flush();
    expect(svc.requests('/model-selection')).toHaveLength(2);
  });

  it('a usage answer about another label than the cached one changes nothing', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    svc.usageMode = 'EXCEEDED';
    client.reportUsage(event('economy'));
    await client.flush();
    expect(svc.requests('/model-selection')).toHaveLength(1);
  });

  it('429 QUOTA_EXCEEDED is a typed "exhausted until retry_after" result; nothing is asked until then', async () => {
    const { svc, clock, client } = setup();
    const until = '2026-03-11T00:00:00.000Z';
    svc.selectionAnswer = () =>
      json(429, {
        error: 'QUOTA_EXCEEDED',
        message: 'all',
        retry_after: until,
        timestamp: '',
        request_id: 'x',
      });
    const r = await client.selectModel();
    expect(r).toEqual({ kind: 'exhausted', retryAfter: new Date(until), stale: false });
    clock.advance(3_600_000);
    expect(await client.selectModel()).toMatchObject({ kind: 'exhausted' });
    expect(svc.requests('/model-selection')).toHaveLength(1);
    await expect(client.currentModel()).rejects.toMatchObject({ name: 'QuotaExhaustedError' });
    clock.advance(Date.parse(until) - clock.now());
    svc.selectionAnswer = () => json(200, selection('premium', 'NORMAL'));
    expect(await client.currentModel()).toBe('model-premium');
  });
});

describe('reportUsage(): batches, interval, retries, queue bound', () => {
  it('sends up to 100 events per /usage/batch at once when a batch is full, the rest after flushMs', async () => {
    const { svc, clock, client } = setup({ usageStatusProbe: false });
    for (let i = 0; i < 250; i++) client.reportUsage(event());
    await client.idle();
    expect(
      svc.requests('/usage/batch').map((r) => (r.body as { requests: unknown[] }).requests.length),
    ).toEqual([100, 100]);
    clock.advance(999);
    await client.idle();
    expect(svc.requests('/usage/batch')).toHaveLength(2);
    clock.advance(1);
    await client.idle();
    expect(
      svc.requests('/usage/batch').map((r) => (r.body as { requests: unknown[] }).requests.length),
    ).toEqual([100, 100, 50]);
    expect(client.stats.accepted).toBe(250);
    expect(client.pending).toBe(0);
  });

  it('a lone event goes through /usage (its answer carries quota_status) after flushMs', async () => {
    const { svc, clock, client } = setup();
    client.reportUsage(event());
    clock.advance(500);
    await client.idle();
    expect(svc.seen).toHaveLength(0);
    clock.advance(500);
    await client.idle();
    expect(svc.requests('/usage')).toHaveLength(1);
    expect(client.stats.accepted).toBe(1);
  });

  it('sends latencyMs as latency_ms (whole ms); a negative or non-finite one is not sent', async () => {
    const { svc, clock, client } = setup();
    client.reportUsage({ ...event(), latencyMs: 2349.6 });
    clock.advance(1000);
    await client.idle();
    client.reportUsage({ ...event(), latencyMs: -1 });
    clock.advance(1000);
    await client.idle();
    client.reportUsage({ ...event(), latencyMs: Number.NaN });
    clock.advance(1000);
    await client.idle();
    const bodies = svc.requests('/usage').map((r) => r.body as Record<string, unknown>);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.latency_ms).toBe(2350);
    expect(bodies[1]).not.toHaveProperty('latency_ms');
    expect(bodies[2]).not.toHaveProperty('latency_ms');
  });

  it('with the status probe, one event of the model in use goes alone through /usage, the rest in a batch', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    for (let i = 0; i < 5; i++) client.reportUsage(event(i === 2 ? 'premium' : 'economy'));
    await client.flush();
    expect(svc.requests('/usage')).toHaveLength(1);
    expect((svc.requests('/usage')[0]!.body as UsageDto).model_label).toBe('premium');
    expect((svc.requests('/usage/batch')[0]!.body as { requests: unknown[] }).requests).toHaveLength(4);
  });

  it('retries 5xx with backoff and 429 after Retry-After, keeping every request_id (counted once)', async () => {
    const { svc, clock, client } = setup({ usageStatusProbe: false, retryBaseMs: 500 });
    const answers = [
      () => json(503, { error: 'SERVICE_UNAVAILABLE' }),
      () => json(429, { error: 'RATE_LIMIT_EXCEEDED' }, { 'retry-after': '7' }),
    ];
    const ok = svc.batch;
    svc.batch = (req) => (answers.shift() ?? ok)(req);
    client.reportUsage(event());
    client.reportUsage(event());
    clock.advance(1000);
    await client.idle();
    expect(svc.requests('/usage/batch')).toHaveLength(1); // 503
    clock.advance(499);
    await client.idle();
    expect(svc.requests('/usage/batch')).toHaveLength(1);
    clock.advance(1); // backoff 500 ms
    await client.idle();
    expect(svc.requests('/usage/batch')).toHaveLength(2); // 429, Retry-After: 7
    clock.advance(6_999);
    await client.idle();
    expect(svc.requests('/usage/batch')).toHaveLength(2);
    clock.advance(1);
    await client.idle();
    const sent = svc
      .requests('/usage/batch')
      .map((r) => (r.body as { requests: UsageDto[] }).requests.map((x) => x.request_id));
    expect(sent).toHaveLength(3);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[2]).toEqual(sent[0]);
    expect(client.stats).toMatchObject({ accepted: 2, retries: 2 });
  });

  it('retries network errors with exponential backoff', async () => {
    const { svc, clock, client } = setup({ retryBaseMs: 100, breaker: { failureThreshold: 100 } });
    await client.selectModel();
    svc.down = true;
    client.reportUsage(event());
    clock.advance(1000);
    await client.idle();
    const attempts = () => svc.requests('/usage').length;
    expect(attempts()).toBe(1);
    for (const [wait, total] of [
      [100, 2],
      [200, 3],
      [400, 4],
    ] as const) {
      clock.advance(wait - 1);
      await client.idle();
      expect(attempts()).toBe(total - 1);
      clock.advance(1);
      await client.idle();
      expect(attempts()).toBe(total);
    }
    svc.down = false;
    clock.advance(800);
    await client.idle();
    expect(client.stats.accepted).toBe(1);
  });

  it('keeps transiently failed batch items and drops the ones refused for good', async () => {
    const { svc, clock, client } = setup({ usageStatusProbe: false });
    let first = true;
    svc.batch = (req) => {
      const items = (req.body as { requests: UsageDto[] }).requests;
      const results = items.map((x, i) =>
        first && i === 0
          ? {
              request_id: x.request_id,
              status: 'failed',
              error: { code: 'SERVICE_UNAVAILABLE', message: '' },
            }
          : first && i === 1
            ? {
                request_id: x.request_id,
                status: 'failed',
                error: { code: 'INVALID_REQUEST', message: 'bad' },
              }
            : { request_id: x.request_id, status: 'accepted' },
      );
      first = false;
      return json(207, { results });
    };
    for (let i = 0; i < 3; i++) client.reportUsage(event());
    await client.flush();
    expect(client.stats).toMatchObject({ accepted: 1, rejected: 1 });
    expect(client.pending).toBe(1);
    clock.advance(500);
    await client.idle();
    expect(client.stats.accepted).toBe(2);
    expect(client.pending).toBe(0);
  });

  it('bounds the queue and counts dropped events', async () => {
    const { client } = setup({ maxQueue: 3, batchSize: 100 });
    const ids = [1, 2, 3, 4, 5].map(() => client.reportUsage(event()));
    expect(ids.filter(Boolean)).toHaveLength(3);
    expect(ids.slice(3)).toEqual([undefined, undefined]);
    expect(client.stats.dropped).toBe(2);
    expect(client.pending).toBe(3);
  });

  it('close() sends what is queued, stops the timer, and refuses later events', async () => {
    const { svc, clock, client } = setup({ usageStatusProbe: false });
    client.reportUsage(event());
    client.reportUsage(event());
    expect(await client.close()).toEqual({ pending: 0 });
    expect(svc.requests('/usage/batch')).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    expect(client.reportUsage(event())).toBeUndefined();
    expect(client.stats.dropped).toBe(1);
  });

  it('reports by model id when the label comes from a selection', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    client.reportUsage({
      bedrockModelId: 'model-premium',
      inputTokens: 1,
      outputTokens: 2,
      cacheReadInputTokens: 3,
    });
    expect(
      client.reportUsage({ bedrockModelId: 'unknown', inputTokens: 1, outputTokens: 1 }),
    ).toBeUndefined();
    await client.flush();
    expect(svc.requests('/usage')[0]!.body).toMatchObject({
      model_label: 'premium',
      input_tokens: 1,
      output_tokens: 2,
      cache_read_input_tokens: 3,
      status: 'OK',
      timestamp: new Date(T0).toISOString(),
    });
    expect(client.stats.unattributed).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, answers stale, lets one probe through after the cool-down, closes on success', async () => {
    const { svc, clock, client } = setup({ breaker: { failureThreshold: 3, cooldownMs: 10_000 } });
    await client.selectModel();
    svc.down = true;
    clock.advance(300_000); // the cache expired
    for (let i = 0; i < 3; i++) {
      expect(await client.selectModel()).toMatchObject({ label: 'premium', stale: true });
    }
    expect(client.breakerState).toBe('open');
    const calls = svc.seen.length;
    expect(await client.selectModel()).toMatchObject({ label: 'premium', stale: true });
    expect(svc.seen.length).toBe(calls); // open: not called
    clock.advance(10_000);
    expect(await client.selectModel()).toMatchObject({ stale: true }); // the probe fails
    expect(svc.seen.length).toBe(calls + 1);
    expect(client.breakerState).toBe('open');
    clock.advance(10_000);
    svc.down = false;
    expect(await client.selectModel()).toMatchObject({ label: 'premium', stale: false });
    expect(client.breakerState).toBe('closed');
  });

  it('half-open lets exactly one probe through', async () => {
    const { svc, clock, client } = setup({ breaker: { failureThreshold: 1, cooldownMs: 1000 } });
    svc.down = true;
    await expect(client.selectModel()).rejects.toMatchObject({ name: 'CostKeeperUnavailableError' });
    expect(client.breakerState).toBe('open');
    clock.advance(1000);
    svc.down = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const answer = svc.selectionAnswer;
    svc.selectionAnswer = async (req) => {
      await gate;
      return answer(req);
    };
    const probe = client.selectModel();
    client.reportUsage(event());
    clock.advance(1000); // the breaker is half-open with its probe in flight: usage waits
    expect(svc.requests('/usage')).toHaveLength(0);
    release();
    expect(await probe).toMatchObject({ stale: false });
    expect(client.breakerState).toBe('closed');
    await client.flush();
    expect(svc.requests('/usage')).toHaveLength(1);
  });

  it('answers the configured default model, marked stale, when nothing was ever answered', async () => {
    const { svc, client } = setup({ defaultModel: { label: 'economy', bedrockModelId: 'model-economy' } });
    svc.down = true;
    expect(await client.selectModel()).toMatchObject({
      label: 'economy',
      bedrockModelId: 'model-economy',
      stale: true,
    });
  });

  it('usage waits while the breaker is open and is sent once after the cool-down', async () => {
    const { svc, clock, client } = setup({
      breaker: { failureThreshold: 2, cooldownMs: 30_000 },
      retryBaseMs: 100,
    });
    await client.selectModel();
    svc.down = true;
    client.reportUsage(event());
    clock.advance(1000);
    await client.idle();
    clock.advance(100);
    await client.idle();
    expect(client.breakerState).toBe('open');
    const tries = svc.requests('/usage').length;
    expect(tries).toBe(2);
    clock.advance(20_000);
    await client.idle();
    expect(svc.requests('/usage')).toHaveLength(tries);
    svc.down = false;
    clock.advance(10_000);
    await client.idle();
    expect(svc.requests('/usage')).toHaveLength(tries + 1);
    expect(client.stats.accepted).toBe(1);
    const ids = svc.requests('/usage').map((r) => (r.body as UsageDto).request_id);
    expect(new Set(ids).size).toBe(1);
  });
});

describe('tokens', () => {
  it('refreshes the access token before it expires, with the refresh token', async () => {
    const { svc, clock, client } = setup();
    await client.selectModel();
    expect(svc.tokenGrants).toBe(1);
    clock.advance(3540_000 - 1); // 1 h minus the 60 s leeway
    client.reportUsage(event());
    await client.flush();
    expect(svc.refreshes).toBe(0);
    clock.advance(1);
    client.reportUsage(event());
    await client.flush();
    expect(svc.refreshes).toBe(1);
    expect(svc.tokenGrants).toBe(1);
    expect(svc.requests('/usage').at(-1)!.headers.authorization).toBe('Bearer refreshed-1');
  });

  it('re-authenticates once on a 401, then gives up', async () => {
    const { svc, client } = setup();
    await client.selectModel();
    svc.validTokens.clear(); // e.g. revoked
    client.reportUsage(event());
    await client.flush();
    expect(svc.tokenGrants).toBe(2);
    expect(client.stats.accepted).toBe(1);
    // A service that refuses every token: one re-authentication per call, then the 401 stands.
    const { svc: svc2, clock: clock2, client: c2 } = setup();
    svc2.usage = () => json(401, { error: 'UNAUTHORIZED' });
    c2.reportUsage(event('economy'));
    clock2.advance(1000);
    await c2.idle();
    expect(svc2.tokenGrants).toBe(2);
    expect(svc2.requests('/usage')).toHaveLength(2);
    expect(c2.stats.rejected).toBe(1);
  });
});
