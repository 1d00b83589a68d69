// POST usage and GET model-selection are served by plain Fastify handlers (runtime.fast-routes.ts),
// not by Nest's router, guards, pipes and filter. This spec plays the same script of requests on two
// apps that differ only in that (fastRoutes on / off), on the same clock and ids, and requires the
// same status, headers and body for each step; it also checks that the fast app answered from its
// fast handlers. The apps run one after the other: passport keeps its strategies in one registry per
// process, so a second app's JwtStrategy would serve the first app's tokens too.
import { describe, expect, it, jest } from '@jest/globals';
import { testServiceConfig } from '#core-domain/testing';
import { BearerGuard } from '../src/auth/guards.js';
import { ADMIN_KEY, craftJwt, expectErrorBody, startApp, STORAGES, tokens } from './harness.js';

const NOW = '2026-03-10T03:00:00Z';
const ORG = '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10';
const OTHER_ORG = '0b8e2c64-7a1d-4f3e-8c55-1d2e3f4a5b6c';
const RID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const CALL = {
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
  status: 'OK',
};

// Nest runs BearerGuard.canActivate on every request it serves on these routes; the fast handlers
// never do. (The controller's methods cannot be spied: Nest reads their route metadata.)
const guardSpy = jest.spyOn(BearerGuard.prototype, 'canActivate');

interface Sent {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
  text: string;
}

/** One request as the test describes it: method, path, headers (Authorization given by token name), body. */
interface Req {
  name: string;
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  token?: 'chat' | 'other' | 'none' | 'forged' | 'garbage';
  headers?: Record<string, string>;
  body?: unknown;
  /** A raw body string with this content type instead of `body`. */
  raw?: { type: string; text: string };
}

/** An app with one org (fixed id), apps chat and other, and the access tokens of both apps. */
async function start(kind: 'memory' | 'dynamodb', fastRoutes: boolean, rateLimits = false) {
  const config = testServiceConfig(
    rateLimits
      ? {
          rate_limits: {
            usage: { limit: 3, window_secs: 60 },
            model_selection: { limit: 2, window_secs: 60 },
          },
        }
      : {},
  );
  const h = await startApp(kind, { now: NOW, rateLimits, config, fastRoutes });
  const creds: Record<string, { client_id: string; client_secret: string }> = {};
  for (const [org, quotas] of [
    [ORG, { premium: 10_000, standard: 10_000, economy: 1_000 }],
    [OTHER_ORG, { premium: 10_000, standard: 10_000, economy: 1_000 }],
  ] as const) {
    const r = await h.http
      .put(`/api/v1/orgs/${org}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ org_name: 'Acme', timezone: 'Asia/Tokyo', quota_scope: 'ORG', quotas });
    expect({ status: r.status, body: r.body as unknown }).toMatchObject({ status: 201 });
  }
  for (const app of ['chat', 'other']) {
    const a = await h.http
      .put(`/api/v1/orgs/${ORG}/apps/${app}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ app_name: app });
    expect(a.status).toBe(201);
    creds[app] = a.body.credentials;
  }
  const access = {
    chat: (await tokens(h, creds.chat!)).access,
    other: (await tokens(h, creds.other!)).access,
  };
  return { h, access };
}

type App = Awaited<ReturnType<typeof start>>;

async function send(app: App, r: Req, n: number): Promise<Sent> {
  let t = app.h.http[r.method === 'GET' ? 'get' : r.method === 'HEAD' ? 'head' : 'post'](r.path);
  t = t.set('X-Request-Id', `req-${n}`);
  const token = r.token ?? 'chat';
  if (token === 'chat' || token === 'other') t = t.set('Authorization', `Bearer ${app.access[token]}`);
  if (token === 'forged')
    t = t.set('Authorization', `Bearer ${craftJwt({ sub: 'x', typ: 'access' }, { key: 'not-the-secret' })}`);
  if (token === 'garbage') t = t.set('Authorization', 'Bearer abc.def');
  for (const [k, v] of Object.entries(r.headers ?? {})) t = t.set(k, v);
  if (r.raw) t = t.set('Content-Type', r.raw.type).send(r.raw.text);
  else if (r.body !== undefined) t = t.send(r.body as object);
  const res = await t;
  const headers = { ...res.headers };
  delete headers.date;
  delete headers.connection;
  delete headers['keep-alive'];
  return { status: res.status, headers, body: res.body, text: res.text ?? '' };
}

const usagePath = (org = ORG, app = 'chat') => `/api/v1/orgs/${org}/apps/${app}/usage`;
const selectPath = (q = '', org = ORG, app = 'chat') => `/api/v1/orgs/${org}/apps/${app}/model-selection${q}`;
const usage = (name: string, body: unknown, extra: Partial<Req> = {}): Req => ({
  name,
  method: 'POST',
  path: usagePath(),
  body,
  ...extra,
});

/** Every kind of answer the two routes give, in an order where each depends only on the ones before. */
function requests(): Req[] {
  const ts = NOW;
  const ok = { ...CALL, timestamp: ts };
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 20; i++) cur = cur.x = {} as Record<string, unknown>;
  return [
    usage('accepted', { ...ok, request_id: RID(1) }),
    usage('duplicate', { ...ok, request_id: RID(1) }),
    usage('accepted, with tags and latency', {
      ...ok,
      request_id: RID(2),
      tags: { a: 'b' },
      latency_ms: 120,
    }),
    usage('body is an array', []),
    usage('body is JSON null', null, { raw: { type: 'application/json', text: 'null' } }),
    usage('body is a JSON string', undefined, { raw: { type: 'application/json', text: '"x"' } }),
    usage('no body', undefined),
    usage('malformed JSON', undefined, { raw: { type: 'application/json', text: '{"a":' } }),
    usage('text/plain', undefined, { raw: { type: 'text/plain', text: 'hello' } }),
    usage('form-encoded', undefined, { raw: { type: 'application/x-www-form-urlencoded', text: 'a=b' } }),
    usage('too deep', deep),
    usage('__proto__ key', undefined, {
      raw: { type: 'application/json', text: `{"request_id":"${RID(3)}","__proto__":{"x":1}}` },
    }),
    usage('empty object', {}),
    usage('unknown field', { ...ok, request_id: RID(4), extra: 1 }),
    usage('request_id not a UUID', { ...ok, request_id: 'nope' }),
    usage('model_label missing', { ...ok, request_id: RID(5), model_label: undefined }),
    usage('model_label unknown', { ...ok, request_id: RID(6), model_label: 'nope' }),
    usage('input_tokens negative', { ...ok, request_id: RID(7), input_tokens: -1 }),
    usage('input_tokens a string', { ...ok, request_id: RID(8), input_tokens: '10' }),
    usage('output_tokens fraction', { ...ok, request_id: RID(9), output_tokens: 1.5 }),
    usage('cache tokens null', { ...ok, request_id: RID(10), cache_read_input_tokens: null }),
    usage('status unknown', { ...ok, request_id: RID(11), status: 'MAYBE' }),
    usage('timestamp bad', { ...ok, request_id: RID(12), timestamp: 'yesterday' }),
    usage('timestamp far future', { ...ok, request_id: RID(13), timestamp: '2030-01-01T00:00:00Z' }),
    usage('tags not an object', { ...ok, request_id: RID(14), tags: [1] }),
    usage('latency_ms too big', { ...ok, request_id: RID(15), latency_ms: 3_600_001 }),
    usage('bedrock_model_id wrong type', { ...ok, request_id: RID(16), bedrock_model_id: 5 }),
    usage('many problems at once', { request_id: 1, input_tokens: 'x', zzz: true }),
    usage('bad org id', { ...ok, request_id: RID(17) }, { path: usagePath('not-a-uuid') }),
    usage('bad org id and bad body', [], { path: usagePath('not-a-uuid') }),
    usage('bad app id', { ...ok, request_id: RID(18) }, { path: usagePath(ORG, 'bad!app') }),
    usage('another org', { ...ok, request_id: RID(19) }, { path: usagePath(OTHER_ORG) }),
    usage('another app', { ...ok, request_id: RID(20) }, { path: usagePath(ORG, 'other') }),
    usage('upper-case org id', { ...ok, request_id: RID(21) }, { path: usagePath(ORG.toUpperCase()) }),
    usage('empty app id', { ...ok, request_id: RID(22) }, { path: `/api/v1/orgs/${ORG}/apps//usage` }),
    usage('no token', { ...ok, request_id: RID(23) }, { token: 'none' }),
    usage('forged token', { ...ok, request_id: RID(24) }, { token: 'forged' }),
    usage('garbage token', { ...ok, request_id: RID(25) }, { token: 'garbage' }),
    usage(
      'the other app in its own path',
      { ...ok, request_id: RID(26) },
      {
        token: 'other',
        path: usagePath(ORG, 'other'),
      },
    ),
    { name: 'selection', method: 'GET', path: selectPath() },
    { name: 'selection HEAD', method: 'HEAD', path: selectPath() },
    { name: 'selection force_check=true', method: 'GET', path: selectPath('?force_check=true') },
    { name: 'selection force_check=false', method: 'GET', path: selectPath('?force_check=false') },
    { name: 'selection force_check=maybe', method: 'GET', path: selectPath('?force_check=maybe') },
    {
      name: 'selection force_check twice',
      method: 'GET',
      path: selectPath('?force_check=true&force_check=false'),
    },
    { name: 'selection force_check empty', method: 'GET', path: selectPath('?force_check=') },
    {
      name: 'selection If-None-Match star',
      method: 'GET',
      path: selectPath(),
      headers: { 'If-None-Match': '*' },
    },
    {
      name: 'selection stale If-None-Match',
      method: 'GET',
      path: selectPath(),
      headers: { 'If-None-Match': '"x"' },
    },
    { name: 'selection bad org', method: 'GET', path: selectPath('', 'nope') },
    { name: 'selection bad app', method: 'GET', path: selectPath('', ORG, '-x') },
    { name: 'selection other org', method: 'GET', path: selectPath('', OTHER_ORG) },
    { name: 'selection other app', method: 'GET', path: selectPath('', ORG, 'other') },
    { name: 'selection no token', method: 'GET', path: selectPath(), token: 'none' },
    { name: 'selection forged token', method: 'GET', path: selectPath(), token: 'forged' },
    {
      name: 'selection form-encoded',
      method: 'GET',
      path: selectPath(),
      raw: { type: 'application/x-www-form-urlencoded', text: 'a=b' },
    },
    // Premium is over its quota after these (10,000 micro-USD, 3,760 each).
    usage('premium 2', { ...ok, request_id: RID(30) }),
    usage('premium 3', { ...ok, request_id: RID(31) }),
    usage('premium 4', { ...ok, request_id: RID(32) }),
    { name: 'selection after premium is over', method: 'GET', path: selectPath() },
    // Then standard (8,800 each) and economy (315 each): every label over its quota.
    ...[33, 34].map((n) =>
      usage(`standard ${n}`, {
        ...ok,
        request_id: RID(n),
        model_label: 'standard',
        bedrock_model_id: 'amazon.nova-2-lite-v1:0',
        input_tokens: 10000,
        output_tokens: 2000,
      }),
    ),
    ...[35, 36, 37, 38].map((n) =>
      usage(`economy ${n}`, {
        ...ok,
        request_id: RID(n),
        model_label: 'economy',
        bedrock_model_id: 'amazon.nova-micro-v1:0',
        input_tokens: 5000,
        output_tokens: 1000,
      }),
    ),
    {
      name: 'selection force_check after premium is over',
      method: 'GET',
      path: selectPath('?force_check=true'),
    },
  ];
}

interface Step {
  name: string;
  answer: Sent;
  /** BearerGuard.canActivate calls during the step: 0 when the fast handler served it. */
  viaNest: number;
}

/** The script: every kind of answer of the two routes, then revocation, expiry. */
async function play(app: App): Promise<Step[]> {
  const steps: Step[] = [];
  let n = 0;
  const run = async (r: Req): Promise<Sent> => {
    const before = guardSpy.mock.calls.length;
    const answer = await send(app, r, n++);
    steps.push({ name: r.name, answer, viaNest: guardSpy.mock.calls.length - before });
    return answer;
  };
  // The first request with a token is the one whose signature passport checks (in Nest's handler).
  await run({ name: 'first use of chat', method: 'GET', path: selectPath() });
  await run({
    name: 'first use of other',
    method: 'GET',
    path: selectPath('', ORG, 'other'),
    token: 'other',
  });
  let etag = '';
  for (const r of requests()) {
    const a = await run(r);
    if (r.name === 'selection') etag = String(a.headers.etag);
  }
  await run({ name: 'selection 304', method: 'GET', path: selectPath(), headers: { 'If-None-Match': etag } });
  // A token the fast handler knows, then revoked: the domain's check refuses it.
  const revoke = await app.h.http
    .post('/auth/revoke')
    .set('Authorization', `Bearer ${app.access.other}`)
    .send({ token: app.access.other });
  expect(revoke.status).toBe(204);
  await run(
    usage(
      'revoked token',
      { ...CALL, timestamp: NOW, request_id: RID(40) },
      {
        token: 'other',
        path: usagePath(ORG, 'other'),
      },
    ),
  );
  await run({
    name: 'revoked token, selection',
    method: 'GET',
    path: selectPath('', ORG, 'other'),
    token: 'other',
  });
  app.h.clock.advanceSecs(2 * 3600);
  await run(usage('expired token', { ...CALL, timestamp: NOW, request_id: RID(41) }));
  await run({ name: 'expired token, selection', method: 'GET', path: selectPath() });
  return steps;
}

/** The rate-limited script: 3 usage and 2 selections a minute per client. */
async function playLimited(app: App): Promise<Step[]> {
  const steps: Step[] = [];
  let n = 0;
  const run = async (r: Req) => {
    const before = guardSpy.mock.calls.length;
    const answer = await send(app, r, n++);
    steps.push({ name: r.name, answer, viaNest: guardSpy.mock.calls.length - before });
  };
  // The first usage request is Nest's (a new token), the next ones the fast handler's: one count.
  for (let i = 0; i < 5; i++)
    await run(usage(`usage ${i}`, { ...CALL, timestamp: NOW, request_id: RID(50 + i) }));
  for (let i = 0; i < 3; i++) await run({ name: `selection ${i}`, method: 'GET', path: selectPath() });
  // A new window on the clock; a bad body still counts.
  app.h.clock.advanceSecs(61);
  await run(usage('bad body in a new window', []));
  await run(usage('good body in the new window', { ...CALL, timestamp: NOW, request_id: RID(60) }));
  return steps;
}

async function both(
  kind: 'memory' | 'dynamodb',
  rateLimits: boolean,
  script: (app: App) => Promise<Step[]>,
): Promise<{ fast: Step[]; nest: Step[] }> {
  const out: { fast: Step[]; nest: Step[] } = { fast: [], nest: [] };
  for (const fastRoutes of [true, false]) {
    const app = await start(kind, fastRoutes, rateLimits);
    try {
      out[fastRoutes ? 'fast' : 'nest'] = await script(app);
    } finally {
      await app.h.close();
    }
  }
  return out;
}

const answers = (steps: Step[]) => steps.map((s) => ({ name: s.name, ...s.answer }));
const SERVED = new Set([200, 202, 304, 403, 429]);

describe.each(STORAGES)('fast routes answer as Nest does (%s storage)', (kind) => {
  it('gives the same status, headers and body for every kind of request', async () => {
    const { fast, nest } = await both(kind, false, play);
    expect(answers(fast)).toEqual(answers(nest));
    const statuses = new Set(fast.map((s) => s.answer.status));
    for (const s of [200, 202, 304, 400, 401, 403, 404, 415, 429])
      expect([s, statuses.has(s)]).toEqual([s, true]);
    // Every refusal is the error body of api.md (ErrorBodyDto), with the request's id.
    for (const s of fast) {
      if (s.answer.status < 400 || s.name.includes('HEAD')) continue;
      const body = s.answer.body as { error: string; request_id: string };
      expectErrorBody(body, body.error);
      expect(body.request_id).toBe(s.answer.headers['x-request-id']);
    }
    const by = (name: string) => fast.find((s) => s.name === name)!;
    expect(by('revoked token').answer.status).toBe(401);
    expect(by('expired token').answer.status).toBe(401);
    // What the fast handler serves never reaches Nest's guard; the first use of a token does.
    expect(by('first use of chat').viaNest).toBe(1);
    for (const s of fast.slice(2)) {
      if (SERVED.has(s.answer.status) || s.answer.status === 400 || s.name.endsWith('token'))
        if (!/no token|forged|garbage|empty app id|malformed|__proto__/.test(s.name))
          expect({ name: s.name, viaNest: s.viaNest }).toEqual({ name: s.name, viaNest: 0 });
    }
    // The Nest app's answers came through its guard every time.
    expect(
      nest
        .slice(2)
        .filter((s) => s.viaNest === 0)
        .map((s) => s.name),
    ).toEqual(
      nest
        .slice(2)
        .filter((s) => s.viaNest === 0)
        .map((s) => s.name)
        .filter((name) => /text\/plain|form-encoded|malformed|__proto__|empty app id/.test(name)),
    );
  });
});

describe('fast routes with RATE_LIMITS on answer as Nest does (memory storage)', () => {
  it('counts usage and selection per client in one limiter: same X-RateLimit headers, then 429', async () => {
    const { fast, nest } = await both('memory', true, playLimited);
    expect(answers(fast)).toEqual(answers(nest));
    expect(fast.map((s) => s.answer.status)).toEqual([202, 202, 202, 429, 429, 200, 200, 429, 400, 202]);
    expect(fast.map((s) => s.answer.headers['x-ratelimit-limit'])).toEqual([
      '3',
      '3',
      '3',
      '3',
      '3',
      '2',
      '2',
      '2',
      '3',
      '3',
    ]);
    const over = fast[3]!.answer;
    expect((over.body as { error: string }).error).toBe('RATE_LIMIT_EXCEEDED');
    expect(over.headers['retry-after']).toBe('60');
    expect(fast[8]!.answer.headers['x-ratelimit-remaining']).toBe('2');
    expect(fast.slice(1).every((s) => s.viaNest === 0)).toBe(true);
  });
});
