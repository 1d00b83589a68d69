// Property tests: random and hostile input on every route of the OpenAPI document. Whatever comes in,
// the answer is never a 5xx, and every 4xx is the error body (ErrorBodyDto in openapi/openapi.json) with an X-Request-Id. Fixed seeds:
// the same requests every run. HOSTILE_INPUT_STATS=1 prints the responses counted by status and code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Response, type Test } from 'supertest';
import { uniqueId } from '#core-domain/testing';
import {
  ADMIN_KEY,
  craftJwt,
  expectErrorBody,
  provision,
  startApp,
  tokens,
  type Harness,
} from './harness.js';

/** The error codes (ErrorCode in openapi/openapi.json) and their status. */
const STATUS_OF_CODE: Record<string, number> = {
  INVALID_REQUEST: 400,
  INVALID_CONFIG: 400,
  INVALID_MODEL_LABEL: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUOTA_EXCEEDED: 429,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

const SEED = 42;
const NUM_RUNS = 60; // per operation and property: about 1,300 requests a property over 21 operations
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number] | 'options';

interface Operation {
  id: string;
  method: Method;
  /** OpenAPI template, e.g. `/api/v1/orgs/{org_id}`. */
  path: string;
  params: string[];
  security: string[];
  tags: string[];
  /** Required query parameters (usage records, export, summary, audit ranges). */
  requiredQuery: string[];
}

// ---------------------------------------------------------------------------------------------
// JSON written as text, so that it can carry what JSON.stringify cannot: `-0`, `1e400`, huge
// integers, duplicate keys and `__proto__` keys.

class Raw {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: [string, J][]) {}
}
type J = null | boolean | number | string | Raw | Obj | J[];

function jsonText(v: J): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Obj)
    return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return JSON.stringify(v) ?? 'null';
}

function fromPlain(v: unknown): J {
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v !== null && typeof v === 'object')
    return new Obj(Object.entries(v).map(([k, x]) => [k, fromPlain(x)]));
  return v as J;
}

/** Every node of a tree, as a path of child indices (the root is `[]`). */
function nodePaths(v: J, at: number[] = [], out: number[][] = []): number[][] {
  out.push(at);
  const kids = v instanceof Obj ? v.entries.map((e) => e[1]) : Array.isArray(v) ? v : [];
  kids.forEach((k, i) => nodePaths(k, [...at, i], out));
  return out;
}

/** Rewrites the node at `path`; `undefined` from `f` deletes it from its parent. */
function rewrite(v: J, path: number[], f: (node: J) => J | undefined): J | undefined {
  if (path.length === 0) return f(v);
  const [i, ...rest] = path as [number, ...number[]];
  if (v instanceof Obj) {
    const entries: [string, J][] = [];
    v.entries.forEach(([k, x], j) => {
      const y = j === i ? rewrite(x, rest, f) : x;
      if (y !== undefined) entries.push([k, y]);
    });
    return new Obj(entries);
  }
  if (Array.isArray(v)) {
    const out: J[] = [];
    v.forEach((x, j) => {
      const y = j === i ? rewrite(x, rest, f) : x;
      if (y !== undefined) out.push(y);
    });
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const FIELD_NAMES = [
  'org_name',
  'timezone',
  'quota_scope',
  'model_ordering',
  'quotas',
  'overrides',
  'app_name',
  'grace_period_hours',
  'grant_type',
  'client_id',
  'client_secret',
  'refresh_token',
  'token',
  'token_type_hint',
  'request_id',
  'model_label',
  'bedrock_model_id',
  'input_tokens',
  'output_tokens',
  'status',
  'timestamp',
  'requests',
  'profile_label',
  'inference_profile_arn',
  'agg_shard_count',
  'tight_mode_threshold_pct',
  'premium',
];

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      '$where',
      'a.b',
      '0',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
);

const hostileStringArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'NaN',
      'Infinity',
      '-Infinity',
      'null',
      'undefined',
      'true',
      '0',
      '-0',
      '1e308',
      '__proto__',
      'constructor',
      '../../etc/passwd',
      '%00',
      '\u0000',
      '\ud800',
      '\udfff',
      'a\u0000b',
      '\u202eevil',
      '🔥💸',
      'é',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '${jndi:ldap://x/a}',
      '{{7*7}}',
      'premium',
      'standard',
      'economy',
      'ORG',
      'APP',
      'OK',
      'ERROR',
      'client_credentials',
      'refresh_token',
      'access_token',
      'UTC',
      'America/New_York',
      'Not/AZone',
      'Etc/GMT+99',
      '2026-01-23T15:30:45Z',
      '9999-12-31T23:59:59Z',
      '0000-00-00T00:00:00Z',
      'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x',
      '6F1C2A4E-1B7D-4C1E-9A55-0C2F3B8E9D10',
      'eyJhbGciOiJub25lIn0.e30.',
    ),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  // Long strings: up to ~10 KB.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), fc.integer({ min: 64, max: 5000 }))
      .map(([s, n]) => s.repeat(n).slice(0, 10_240)),
  },
);

const hostileNumberArb: fc.Arbitrary<J> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        '0',
        '-0',
        '-0.0',
        '0e0',
        '1e308',
        '-1e308',
        '1e309',
        '-1e400',
        '1e-400',
        '5e-324',
        '1.7976931348623157e308',
        '9007199254740993',
        '-9007199254740993',
        '123456789012345678901234567890',
        '1.5',
        '0.1',
        '-1',
        '1E2',
        '2147483648',
        '-2147483649',
        '4294967296',
        '168',
        '169',
        '24',
        '49',
        '50',
        '100',
        '101',
        '3600',
        '3601',
        '10',
        '8',
        '16',
        '64',
        '7',
      )
      .map((t) => new Raw(t)),
  },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

const leafArb: fc.Arbitrary<J> = fc.oneof(
  { weight: 4, arbitrary: hostileStringArb },
  { weight: 3, arbitrary: hostileNumberArb },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant<J>([]) },
  { weight: 1, arbitrary: fc.constant<J>(new Obj([])) },
);

/** Any JSON value, with hostile leaves and keys; nesting up to 8 levels. */
const hostileValueArb: fc.Arbitrary<J> = fc.letrec<{ value: J; arr: J[]; obj: Obj }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 8, depthIdentifier: 'json' },
    { weight: 3, arbitrary: leafArb },
    { weight: 1, arbitrary: tie('arr') },
    { weight: 1, arbitrary: tie('obj') },
  ),
  arr: fc.array(tie('value'), { maxLength: 5, depthIdentifier: 'json' }),
  obj: fc
    .array(fc.tuple(keyArb, tie('value')), { maxLength: 6, depthIdentifier: 'json' })
    .map((e) => new Obj(e)),
})).value;

/** Deep but sane nesting: `{"a":{"a":...}}` or `[[[...]]]`, up to 200 levels. */
const deepArb: fc.Arbitrary<J> = fc
  .tuple(fc.integer({ min: 10, max: 200 }), fc.boolean(), keyArb, leafArb)
  .map(([depth, objects, key, leaf]) => {
    let v: J = leaf;
    for (let i = 0; i < depth; i++) v = objects ? new Obj([[key, v]]) : [v];
    return objects ? new Obj([[key, v]]) : v;
  });

/** Top-level bodies: mostly objects (the routes expect one), but anything goes. */
const hostileBodyArb: fc.Arbitrary<J> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(fc.tuple(keyArb, hostileValueArb), { minLength: 0, maxLength: 8 })
      .map((e) => new Obj(e)),
  },
  { weight: 2, arbitrary: hostileValueArb },
  { weight: 1, arbitrary: deepArb },
);

type Mutation =
  | { kind: 'replace' | 'add' | 'dup'; at: number; key: string; value: J }
  | { kind: 'delete' | 'wrap' | 'stringify' | 'null'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('replace' as const, 'add' as const, 'dup' as const),
    at: fc.nat(),
    key: keyArb,
    value: hostileValueArb,
  }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'wrap' as const, 'stringify' as const, 'null' as const),
    at: fc.nat(),
  }),
);

/** Applies a mutation to a node chosen by `at` (modulo the node count). */
function mutate(tree: J, m: Mutation): J {
  const paths = nodePaths(tree);
  const path = paths[m.at % paths.length]!;
  const parentPath = path.slice(0, -1);
  let out: J | undefined;
  switch (m.kind) {
    case 'replace':
      out = rewrite(tree, path, () => m.value);
      break;
    case 'null':
      out = rewrite(tree, path, () => null);
      break;
    case 'delete':
      out = path.length ? rewrite(tree, path, () => undefined) : tree;
      break;
    case 'wrap':
      out = rewrite(tree, path, (n) => [n]);
      break;
    case 'stringify':
      out = rewrite(tree, path, (n) => (typeof n === 'string' ? Number(n) : jsonText(n)));
      break;
    case 'add':
      out = rewrite(tree, path, (n) =>
        n instanceof Obj
          ? new Obj([...n.entries, [m.key, m.value]])
          : Array.isArray(n)
            ? [...n, m.value]
            : m.value,
      );
      break;
    case 'dup':
      // The same key twice: JSON.parse keeps the last one.
      out = rewrite(tree, parentPath, (n) => {
        if (!(n instanceof Obj)) return n;
        const key = n.entries[path[path.length - 1]!]?.[0] ?? m.key;
        return new Obj([...n.entries, [key, m.value]]);
      });
      break;
  }
  return out ?? tree;
}

type RawKind =
  | 'truncated'
  | 'bom'
  | 'invalid-utf8'
  | 'empty'
  | 'whitespace'
  | 'two-documents'
  | 'json5'
  | 'control-chars'
  | 'nul';

interface RawPlan {
  kind: RawKind;
  at: number;
  bytes: number[];
  contentType: string;
  contentEncoding?: string;
  fromValid: boolean;
  hostile: J;
}

const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80],
  [0xe2, 0x82],
];

const contentTypeArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=',
      'application/json;;;',
      'application/json; x="unterminated',
      'application/jsonx',
      'application/vnd.api+json',
      'application/merge-patch+json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'text/plain',
      'text/html',
      'application/xml',
      'application/octet-stream',
      '*/*',
      'application/*',
      'json',
      '/',
      ';',
      ' ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

const rawPlanArb: fc.Arbitrary<RawPlan> = fc.record(
  {
    kind: fc.constantFrom<RawKind>(
      'truncated',
      'bom',
      'invalid-utf8',
      'empty',
      'whitespace',
      'two-documents',
      'json5',
      'control-chars',
      'nul',
    ),
    at: fc.nat(),
    bytes: fc.constantFrom(...INVALID_UTF8),
    contentType: contentTypeArb,
    contentEncoding: fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown', 'gzip, gzip'),
    fromValid: fc.boolean(),
    hostile: hostileBodyArb,
  },
  { requiredKeys: ['kind', 'at', 'bytes', 'contentType', 'fromValid', 'hostile'] },
);

function rawBody(plan: RawPlan, base: string): Buffer {
  const cut = (s: string) => plan.at % Math.max(1, s.length);
  switch (plan.kind) {
    case 'truncated':
      return Buffer.from(base.slice(0, cut(base)));
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(base)]);
    case 'invalid-utf8': {
      // Inside a string value when there is one, else anywhere.
      const quote = base.indexOf('"', cut(base));
      const i = quote >= 0 ? quote + 1 : cut(base);
      return Buffer.concat([
        Buffer.from(base.slice(0, i)),
        Buffer.from(plan.bytes),
        Buffer.from(base.slice(i)),
      ]);
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'whitespace':
      return Buffer.from(' \r\n\t '.slice(0, 1 + (plan.at % 5)));
    case 'two-documents':
      return Buffer.from(`${base}${base}`);
    case 'json5':
      return Buffer.from(
        [
          "{'a': 1}",
          '{a: 1}',
          '{"a": 1,}',
          '[1,]',
          '{"a": NaN}',
          '{"a": Infinity}',
          '{"a": 0x10}',
          '{"a": +1}',
          '{/*c*/}',
          '{"a": 01}',
        ][plan.at % 10]!,
      );
    case 'control-chars': {
      const quote = base.indexOf('"', cut(base));
      const i = quote >= 0 ? quote + 1 : cut(base);
      return Buffer.from(`${base.slice(0, i)}\u0001\n\t\u001f${base.slice(i)}`);
    }
    case 'nul':
      return Buffer.concat([
        Buffer.from(base.slice(0, cut(base))),
        Buffer.from([0]),
        Buffer.from(base.slice(cut(base))),
      ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests: path parameters, credentials, extra headers.

const HOSTILE_PARAMS = [
  '',
  ' ',
  '.',
  '..',
  '../',
  '../../etc/passwd',
  '..%2F..%2F',
  '%00',
  '\u0000',
  '#',
  '#frag',
  '?',
  '?x=1',
  '/',
  '//',
  '\\',
  ';',
  'é',
  '🔥',
  '\u202e',
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
  '__proto__',
  'constructor',
  'prototype',
  '*',
  ':org_id',
  '{org_id}',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(65),
  'x'.repeat(101),
  'x'.repeat(1000),
  'CHAT',
  'chat ',
  'chat\n',
];

/** Raw, deliberately malformed percent-encodings, put into the URL as they are. */
const RAW_PARAMS = ['%', '%Z', '%ZZ', '%E0%A4%A', '%C0%AF', '%ff', '%00', '%2e%2e', '%u0041'];

type ParamPlan =
  | { kind: 'good' }
  | { kind: 'other'; id: string }
  | { kind: 'hostile'; value: string }
  | { kind: 'raw'; value: string };

const paramPlanArb: fc.Arbitrary<ParamPlan> = fc.oneof(
  { weight: 15, arbitrary: fc.constant({ kind: 'good' as const }) },
  { weight: 1, arbitrary: fc.uuid().map((id) => ({ kind: 'other' as const, id })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(...HOSTILE_PARAMS),
        fc.string({ maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
      )
      .map((value) => ({ kind: 'hostile' as const, value })),
  },
);

const dateArb = fc.oneof(
  fc.constantFrom('today', 'yesterday', '2020-01-01', '2024-02-29', '2099-12-31'),
  fc.constantFrom(
    '2023-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-01-32',
    '20260101',
    '2026-1-1',
    '26-01-01',
    '2026/01/01',
    '0000-01-01',
    '9999-99-99',
    '-2026-01-01',
    '+002026-01-01',
    '2026-01-01T00:00:00Z',
    'TODAY',
    'now',
    '',
    'NaN',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.string({ maxLength: 20 }),
);

type AuthPlan =
  { kind: 'expected'; useApp: boolean } | { kind: 'none' } | { kind: 'garbage'; which: number; junk: string };

const authPlanArb: fc.Arbitrary<AuthPlan> = fc.oneof(
  { weight: 17, arbitrary: fc.boolean().map((useApp) => ({ kind: 'expected' as const, useApp })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .record({ which: fc.nat(11), junk: fc.string({ maxLength: 120 }) })
      .map((g) => ({ kind: 'garbage' as const, ...g })),
  },
);

interface RequestPlan {
  params: { org_id: ParamPlan; app_id: ParamPlan; other: ParamPlan };
  /** A query string, already encoded (or deliberately not). */
  query?: string;
  date: string;
  label: string;
  auth: AuthPlan;
  requestId?: string;
  /** Occasionally the route with a method it does not have. */
  otherMethod?: Method;
}

const queryArb = fc.oneof(
  fc.constantFrom(
    'force_check=true',
    'force_check=false',
    'force_check=',
    'force_check=1',
    'force_check=TRUE',
    'force_check=true&force_check=false',
    'force_check[]=true',
    'force_check[a]=true',
    '__proto__[admin]=1',
    'constructor[prototype][x]=1',
    'a=%ZZ',
    '%',
    '&&&',
    '=',
    `x=${'y'.repeat(4000)}`,
    // The audit listings' filters.
    'action=org.created',
    'action=org.created,,bogus',
    'action[]=org.created',
    'limit=1000',
    'limit=1e3',
    'limit=-1',
    'cursor=not-a-cursor',
    `cursor=${'A'.repeat(3000)}`,
    'from=2026-12-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    'from=2026-13-45T99:99:99Z',
    'actor=&from=',
    // usage/summary
    'from=2026-01-01&to=2026-01-31&group_by=day',
    'from=2026-01-01&to=2026-01-31&group_by=tag:team',
    'from=2026-01-01&to=2026-01-31&group_by=tag:',
    'from=2026-01-01&to=2026-01-31&group_by=day,app,label',
    'from=2026-01-01&to=2026-01-31&group_by=,',
    'from=2026-01-01&to=2026-01-31&group_by[]=day',
    'from=2026-01-01&to=2026-01-31&group_by=day&group_by=app',
    'from=2020-01-01&to=2026-01-31&group_by=month',
    'from=2026-02-30&to=2026-01-31&group_by=week',
    'from=2026-01-01&to=2026-01-31&group_by=app&app_id=%00',
    'from=2026-01-01&to=2026-01-31&group_by=app&app_id[]=x',
  ),
  fc
    .array(fc.tuple(fc.string({ maxLength: 20 }), hostileStringArb), { maxLength: 4 })
    .map((kv) =>
      kv
        .map(
          ([k, v]) =>
            `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '').slice(0, 500))}`,
        )
        .join('&'),
    ),
);

const requestPlanArb: fc.Arbitrary<RequestPlan> = fc.record(
  {
    params: fc.record({ org_id: paramPlanArb, app_id: paramPlanArb, other: paramPlanArb }),
    date: dateArb,
    label: fc.oneof(fc.constantFrom('premium', 'my-profile', 'nope'), fc.string({ maxLength: 70 })),
    auth: authPlanArb,
    requestId: fc.oneof(
      fc.constantFrom('abc-123', 'x'.repeat(129), 'bad id', '', '\t'),
      fc.string({ maxLength: 140 }),
    ),
    otherMethod: fc.constantFrom<Method>('get', 'put', 'post', 'delete', 'patch', 'options'),
    query: queryArb,
  },
  { requiredKeys: ['params', 'date', 'label', 'auth'] },
);

// ---------------------------------------------------------------------------------------------

describe('hostile input on every route (property)', () => {
  let h: Harness;
  let orgId: string;
  const appId = 'chat';
  /** A webhook and an event of the test's org (alerts routes). */
  let webhookId = '';
  let eventId = '';
  /** Where the fixture webhook points: nothing listens there, so deliveries fail fast. */
  const HOOK_URL = 'http://127.0.0.1:9/hook';
  async function newWebhook(): Promise<string> {
    const w = await h.http
      .post(`/api/v1/orgs/${orgId}/webhooks`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ url: HOOK_URL });
    expect(w.status).toBe(201);
    return w.body.webhook_id as string;
  }
  const creds: Record<'org' | 'app', { client_id: string; client_secret: string }> = {} as never;
  const toks: Record<'org' | 'app', { access: string; refresh: string }> = {} as never;
  /** Tokens that near-valid revoke bodies may kill: never the ones the test authenticates with. */
  const victims: Record<'org' | 'app', { access: string; refresh: string }> = {} as never;
  let ops: Operation[] = [];
  /** Status (and error code) counts over the whole file, per group. */
  const counts = new Map<string, number>();

  beforeAll(async () => {
    h = await startApp('memory', { rateLimits: false });
    const p = await provision(h, { quota_scope: 'APP' }, [appId]);
    orgId = p.orgId;
    creds.org = p.org;
    creds.app = p.apps[appId]!;
    await remint('org');
    await remint('app');
    webhookId = await newWebhook();
    const t = await h.http
      .post(`/api/v1/orgs/${orgId}/webhooks/${webhookId}/test`)
      .set('X-API-Key', ADMIN_KEY);
    expect(t.status).toBe(200);
    eventId = t.body.event_id as string;
    const doc = await h.http.get('/openapi.json');
    expect(doc.status).toBe(200);
    ops = discover(doc.body as { paths: Record<string, Record<string, unknown>> });
  });
  afterAll(async () => {
    if (process.env.HOSTILE_INPUT_STATS) {
      const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
      console.log(`hostile-input responses\n${lines.join('\n')}`);
    }
    await h?.close();
  });

  async function remint(who: 'org' | 'app'): Promise<void> {
    toks[who] = await tokens(h, creds[who]);
    victims[who] = await tokens(h, creds[who]);
  }

  function discover(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
    const out: Operation[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method] as
          | {
              operationId?: string;
              tags?: string[];
              security?: Record<string, unknown>[];
              parameters?: { name: string; in: string; required?: boolean }[];
            }
          | undefined;
        if (!op) continue;
        out.push({
          id: op.operationId ?? `${method} ${path}`,
          method,
          path,
          params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
          security: (op.security ?? []).flatMap((s) => Object.keys(s)),
          tags: op.tags ?? [],
          requiredQuery: (op.parameters ?? [])
            .filter((x) => x.in === 'query' && x.required)
            .map((x) => x.name),
        });
      }
    }
    return out;
  }

  /** Valid values of a route's required query parameters (a range ending now), so some requests pass. */
  function validQuery(op: Operation): string | undefined {
    if (op.requiredQuery.length === 0) return undefined;
    const now = h.clock.now();
    const dates = op.path.endsWith('/summary');
    const values: Record<string, string> = {
      from: dates ? now.toISOString().slice(0, 10) : new Date(now.getTime() - 3600_000).toISOString(),
      to: dates ? now.toISOString().slice(0, 10) : now.toISOString(),
      group_by: 'label',
    };
    return op.requiredQuery.map((name) => `${name}=${encodeURIComponent(values[name] ?? 'x')}`).join('&');
  }

  const isBodyRoute = (op: Operation) => op.method === 'put' || op.method === 'post';

  /** A valid body for the route, from the current credentials; undefined for routes without one. */
  function validBody(op: Operation, plan: RequestPlan, uuid: string): unknown {
    const who = plan.auth.kind === 'expected' && plan.auth.useApp ? 'app' : 'org';
    const now = h.clock.now().toISOString();
    const usage = {
      request_id: uuid,
      // In the ordering of the org and of the app (the near-valid PUT app body narrows it).
      model_label: 'economy',
      bedrock_model_id: 'amazon.nova-micro-v1:0',
      input_tokens: 1200,
      output_tokens: 300,
      status: 'OK',
      timestamp: now,
    };
    const p = op.path;
    if (op.method === 'put' && p === '/api/v1/orgs/{org_id}')
      return {
        org_name: 'Acme',
        timezone: 'America/New_York',
        quota_scope: 'APP',
        model_ordering: ['premium', 'standard', 'economy'],
        quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
        overrides: {
          tight_mode_threshold_pct: 90,
          sticky_fallback_enabled: true,
          refresh_interval_secs: 300,
        },
      };
    if (op.method === 'put' && p === '/api/v1/orgs/{org_id}/apps/{app_id}')
      return {
        app_name: 'Chat',
        model_ordering: ['standard', 'economy'],
        quotas: { standard: 1_000_000, economy: 500_000 },
        overrides: { tight_mode_threshold_pct: 80, refresh_interval_tight_secs: 60 },
      };
    if (op.method === 'patch' && p.endsWith('/webhooks/{webhook_id}')) return { description: 'patched' };
    if (op.method !== 'post') return undefined;
    if (p.endsWith('/credentials/rotate')) return { grace_period_hours: 24 };
    if (p.endsWith('/webhooks'))
      return { url: HOOK_URL, format: 'standard', event_types: ['budget.exhausted'] };
    if (p === '/auth/token') return { grant_type: 'client_credentials', ...creds[who] };
    if (p === '/auth/refresh') return { grant_type: 'refresh_token', refresh_token: toks[who].refresh };
    if (p === '/auth/revoke') return { token: victims[who].refresh, token_type_hint: 'refresh_token' };
    if (p.endsWith('/usage/batch'))
      return {
        requests: [usage, { ...usage, request_id: `${uuid.slice(0, -1)}${uuid.endsWith('0') ? '1' : '0'}` }],
      };
    if (p.endsWith('/usage')) return usage;
    if (p.endsWith('/inference-profiles'))
      return {
        profile_label: plan.label,
        inference_profile_arn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
        description: 'test',
      };
    return {};
  }

  function paramValue(name: string, plan: RequestPlan): string {
    const pp = name === 'org_id' || name === 'app_id' ? plan.params[name] : plan.params.other;
    if (pp.kind === 'raw') return pp.value;
    // Period aggregates: a day period starting on the plan's date (today answers 200).
    if (name === 'window' && pp.kind === 'good') return 'day';
    if (name === 'date' || name === 'start') {
      const day = (offset: number) =>
        new Date(h.clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
      if (plan.date === 'today') return encodeURIComponent(day(0));
      if (plan.date === 'yesterday') return encodeURIComponent(day(-1));
      return encodeURIComponent(plan.date);
    }
    if (name === 'profile_label') return encodeURIComponent(plan.label);
    if (name === 'webhook_id' && pp.kind === 'good') return webhookId;
    if (name === 'event_id' && pp.kind === 'good') return eventId;
    switch (pp.kind) {
      case 'good':
        return name === 'org_id' ? orgId : name === 'app_id' ? appId : 'x';
      case 'other':
        return name === 'org_id' ? pp.id : 'other-app';
      case 'hostile':
        try {
          return encodeURIComponent(pp.value);
        } catch {
          return encodeURIComponent(pp.value.replace(/[\ud800-\udfff]/g, ''));
        }
    }
  }

  function headersFor(op: Operation, plan: RequestPlan): Record<string, string> {
    const out: Record<string, string> = {};
    if (plan.requestId !== undefined) out['X-Request-Id'] = plan.requestId;
    const a = plan.auth;
    if (a.kind === 'none') return out;
    if (a.kind === 'expected') {
      if (op.security.includes('admin')) out['X-API-Key'] = ADMIN_KEY;
      else if (op.security.includes('bearer')) {
        // App tokens on app routes (and sometimes elsewhere: then 403), org tokens everywhere.
        out.Authorization = `Bearer ${toks[a.useApp && op.params.includes('app_id') ? 'app' : 'org'].access}`;
      }
      return out;
    }
    const garbage: [string, string][] = [
      ['Authorization', a.junk],
      ['Authorization', `Bearer ${a.junk}`],
      ['Authorization', 'Bearer'],
      ['Authorization', `Basic ${Buffer.from(a.junk).toString('base64')}`],
      ['Authorization', `Bearer ${craftJwt({ sub: creds.org.client_id, org_id: orgId }, { alg: 'none' })}`],
      ['Authorization', `Bearer ${craftJwt({ sub: creds.org.client_id, org_id: orgId }, { key: 'wrong' })}`],
      ['Authorization', `Bearer ${toks.org.refresh}`],
      ['Authorization', `bearer  ${toks.org.access}${a.junk}`],
      ['X-API-Key', a.junk],
      ['X-API-Key', `${ADMIN_KEY}x`],
      ['X-API-Key', ADMIN_KEY.toUpperCase()],
      ['X-API-Key', ADMIN_KEY.slice(0, -1)],
    ];
    const [k, v] = garbage[a.which % garbage.length]!;
    out[k] = v;
    return out;
  }

  interface Sent {
    desc: string;
    res: Response;
  }

  async function send(
    op: Operation,
    plan: RequestPlan,
    body: { contentType?: string; contentEncoding?: string; data: Buffer } | undefined,
    swapMethod = false,
  ): Promise<Sent> {
    const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => paramValue(name, plan));
    const query = plan.query ?? validQuery(op);
    const url = query === undefined ? path : `${path}?${query}`;
    const method = swapMethod && plan.otherMethod ? plan.otherMethod : op.method;
    let t: Test = h.http[method](url);
    const headers = headersFor(op, plan);
    if (body?.contentType !== undefined) headers['Content-Type'] = body.contentType;
    if (body?.contentEncoding !== undefined) headers['Content-Encoding'] = body.contentEncoding;
    for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
    // Bytes as they are: superagent would otherwise JSON-serialize a Buffer for JSON content types.
    const res = body ? await t.serialize((d: unknown) => d as string).send(body.data) : await t;
    const shown = body ? body.data.toString('utf8') : '';
    const desc = `${method.toUpperCase()} ${url} headers=${JSON.stringify(headers)} body(${body?.data.length ?? 0} bytes)=${
      shown.length > 600 ? `${shown.slice(0, 600)}...` : shown
    }`;
    return { desc, res };
  }

  /** The property: no 5xx; every 4xx is exactly the error body (ErrorBodyDto); X-Request-Id always. */
  function check(group: string, op: Operation, { desc, res }: Sent): void {
    const fail = (why: string): never => {
      throw new Error(
        `${why}\n  ${op.id}: ${desc}\n  -> ${res.status} ${String(res.headers['content-type'])} ${res.text?.slice(0, 600)}`,
      );
    };
    const code = res.status >= 400 ? (res.body as { error?: unknown })?.error : undefined;
    const key = `${group} ${op.id} ${res.status}${typeof code === 'string' ? ` ${code}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const rid = res.headers['x-request-id'];
    if (typeof rid !== 'string' || rid === '') fail('no X-Request-Id header');
    if (res.status >= 500) fail(`server error ${res.status}`);
    if (res.status < 400) return;
    if (typeof code !== 'string' || !(code in STATUS_OF_CODE))
      fail(`error code not in the ErrorCode list: ${String(code)}`);
    if (STATUS_OF_CODE[code as string] !== res.status) fail(`${String(code)} with status ${res.status}`);
    try {
      expectErrorBody(res.body, code as string);
    } catch (e) {
      fail((e as Error).message);
    }
    const b = res.body as { request_id: string; details?: unknown };
    if (b.request_id !== rid) fail('request_id differs from the X-Request-Id header');
    if (
      b.details !== undefined &&
      (typeof b.details !== 'object' || b.details === null || Array.isArray(b.details))
    )
      fail('details is not an object');
  }

  /** Keeps the test's own credentials (and its webhook) alive across what it provokes. */
  async function afterEffects(op: Operation, res: Response): Promise<void> {
    if (op.id === 'deleteWebhook' && res.status === 204) webhookId = await newWebhook();
    if (op.id === 'createWebhook' && res.status === 201) {
      // At most 10 per org: remove what a valid run created (its own org only).
      const id = (res.body as { webhook_id: string }).webhook_id;
      await h.http.delete(`/api/v1/orgs/${orgId}/webhooks/${id}`).set('X-API-Key', ADMIN_KEY);
    }
    if (res.status !== 200 || !op.path.endsWith('/credentials/rotate')) return;
    const who = op.params.includes('app_id') ? 'app' : 'org';
    const body = res.body as { client_id: string; client_secret: string };
    if (body.client_id !== creds[who].client_id) return; // another org or app
    creds[who] = { client_id: body.client_id, client_secret: body.client_secret };
    await remint(who);
  }

  const reachedHandler = (res: Response) => res.status !== 401 && res.status !== 403;
  const hasFieldDetails = (res: Response) =>
    res.status === 400 &&
    (res.body as { error?: string }).error === 'INVALID_REQUEST' &&
    Array.isArray((res.body as { details?: { fields?: unknown } }).details?.fields);

  it('discovers the operations from /openapi.json', () => {
    const ids = ops.map((o) => o.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'issueToken',
        'refreshToken',
        'revokeToken',
        'putOrg',
        'getOrg',
        'putApp',
        'getApp',
        'rotateOrgCredentials',
        'rotateAppCredentials',
        'listAudit',
        'listAuditFailures',
        'getUsageSummary',
      ]),
    );
    for (const op of ops.filter((o) => o.tags.includes('provisioning')))
      expect(op.security).toContain('admin');
  });

  it('hostile JSON bodies: never a 5xx, always the error body', async () => {
    let pastAuth = 0;
    let fieldErrors = 0;
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestPlanArb, hostileBodyArb, fc.boolean(), async (plan, body, typed) => {
          const sent = await send(op, plan, {
            contentType: typed ? 'application/json' : 'application/json; charset=utf-8',
            data: Buffer.from(jsonText(body)),
          });
          check('hostile', op, sent);
          await afterEffects(op, sent.res);
          if (reachedHandler(sent.res)) pastAuth++;
          if (hasFieldDetails(sent.res)) fieldErrors++;
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      );
    }
    expect(pastAuth).toBeGreaterThan(ops.length * NUM_RUNS * 0.5);
    expect(fieldErrors).toBeGreaterThan(0);
  }, 180_000);

  it('near-valid bodies (one field hostile, unknown fields, wrong types): never a 5xx', async () => {
    for (const op of ops) {
      const seen = { ok: 0, fields: 0, pastAuth: 0 };
      await fc.assert(
        fc.asyncProperty(
          requestPlanArb,
          fc.oneof(
            { weight: 1, arbitrary: fc.constant([]) },
            { weight: 4, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) },
          ),
          fc.uuid(),
          fc.nat(19),
          async (plan, mutations, uuid, swap) => {
            const valid = validBody(op, plan, uuid);
            let body: { contentType: string; data: Buffer } | undefined;
            if (valid !== undefined) {
              const tree = mutations.reduce(mutate, fromPlain(valid));
              body = { contentType: 'application/json', data: Buffer.from(jsonText(tree)) };
            }
            const sent = await send(op, plan, body, swap === 0);
            check('near-valid', op, sent);
            await afterEffects(op, sent.res);
            if (sent.res.status < 300) seen.ok++;
            if (hasFieldDetails(sent.res)) seen.fields++;
            if (reachedHandler(sent.res)) seen.pastAuth++;
          },
        ),
        { seed: SEED, numRuns: NUM_RUNS },
      );
      // Not only the auth layer: valid requests get through, and field errors are listed.
      expect({ op: op.id, ok: seen.ok > 0 }).toEqual({ op: op.id, ok: true });
      expect({ op: op.id, pastAuth: seen.pastAuth > NUM_RUNS / 2 }).toEqual({ op: op.id, pastAuth: true });
      if (isBodyRoute(op))
        expect({ op: op.id, fields: seen.fields > 0 }).toEqual({ op: op.id, fields: true });
    }
  }, 180_000);

  it('non-JSON bytes, broken JSON and random content types: never a 5xx', async () => {
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestPlanArb, rawPlanArb, fc.uuid(), async (plan, raw, uuid) => {
          const valid = validBody(op, plan, uuid);
          const base = raw.fromValid && valid !== undefined ? JSON.stringify(valid) : jsonText(raw.hostile);
          const sent = await send(op, plan, {
            contentType: raw.contentType,
            ...(raw.contentEncoding !== undefined ? { contentEncoding: raw.contentEncoding } : {}),
            data: rawBody(raw, base),
          });
          check('raw', op, sent);
          await afterEffects(op, sent.res);
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      );
    }
  }, 180_000);

  /** Runs fixed requests and lists every response that breaks the property, one example per kind of failure. */
  async function failuresOf(requests: [Operation, RequestPlan, Buffer | undefined][]): Promise<string[]> {
    const found = new Map<string, string>();
    for (const [op, plan, data] of requests) {
      const sent = await send(op, plan, data && { contentType: 'application/json', data });
      try {
        check('fixed', op, sent);
      } catch (e) {
        const [why, , response] = (e as Error).message.split('\n');
        const kind = `${op.id}: ${why} ${response?.slice(0, 120)}`;
        if (!found.has(kind)) found.set(kind, `${kind}\n  <- ${sent.desc.slice(0, 200)}`);
      }
    }
    return [...found.values()];
  }

  const goodPlan = (over: Partial<RequestPlan['params']> = {}): RequestPlan => ({
    params: { org_id: { kind: 'good' }, app_id: { kind: 'good' }, other: { kind: 'good' }, ...over },
    date: 'today',
    label: 'premium',
    auth: { kind: 'expected', useApp: false },
  });
  const validData = (op: Operation, plan: RequestPlan, patch: Record<string, unknown> = {}) => {
    const body = validBody(op, plan, uniqueId());
    return body === undefined ? undefined : Buffer.from(JSON.stringify({ ...(body as object), ...patch }));
  };

  it('malformed percent-encoding and over-long path parameters: the error body too', async () => {
    const edges: ParamPlan[] = [
      ...RAW_PARAMS.map((value) => ({ kind: 'raw' as const, value })),
      { kind: 'hostile', value: 'x'.repeat(101) },
      { kind: 'hostile', value: 'é'.repeat(40) },
    ];
    const requests: [Operation, RequestPlan, Buffer | undefined][] = [];
    for (const op of ops)
      for (const name of op.params)
        for (const bad of edges) {
          const plan = goodPlan(name === 'org_id' || name === 'app_id' ? { [name]: bad } : { other: bad });
          requests.push([op, plan, validData(op, plan)]);
        }
    expect(await failuresOf(requests)).toEqual([]);
  }, 30_000);

  it('null for an optional object field: the error body, not a 500', async () => {
    const requests: [Operation, RequestPlan, Buffer | undefined][] = [];
    for (const op of ops.filter(isBodyRoute)) {
      const plan = goodPlan();
      for (const key of Object.keys((validBody(op, plan, uniqueId()) as object) ?? {}))
        requests.push([op, plan, validData(op, plan, { [key]: null })]);
    }
    expect(await failuresOf(requests)).toEqual([]);
  }, 30_000);

  it('JSON nested thousands of levels deep (under the body limit): the error body, not a 500', async () => {
    const requests: [Operation, RequestPlan, Buffer | undefined][] = [];
    for (const op of ops.filter(isBodyRoute))
      for (const depth of [3_000, 20_000])
        for (const key of ['a', 'overrides', 'requests'])
          requests.push([op, goodPlan(), Buffer.from(`${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`)]);
    expect(await failuresOf(requests)).toEqual([]);
  }, 30_000);

  it('labels named after Object.prototype members: 400 (INVALID_CONFIG, or INVALID_REQUEST when not even a label name), and no 500 later', async () => {
    // Its own org, so that an accepted ordering cannot disturb the other tests.
    const org = await provision(h, { quota_scope: 'APP' }, []);
    const problems: string[] = [];
    const bearerAppOps = ops.filter(
      (o) =>
        o.security.includes('bearer') &&
        o.params.includes('app_id') &&
        (o.method === 'get' || o.path.endsWith('/usage')),
    );
    for (const [i, label] of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
    ].entries()) {
      const orgPut = await h.http
        .put(`/api/v1/orgs/${uniqueId()}`)
        .set('X-API-Key', ADMIN_KEY)
        .send({ org_name: 'Proto', timezone: 'UTC', quota_scope: 'ORG', model_ordering: ['economy', label] });
      const app = `proto-${i}`;
      const appPut = await h.http
        .put(`/api/v1/orgs/${org.orgId}/apps/${app}`)
        .set('X-API-Key', ADMIN_KEY)
        .send({ app_name: 'Proto', model_ordering: [label], quotas: { economy: 1 } });
      for (const [what, r] of [
        ['PUT org', orgPut],
        ['PUT app', appPut],
      ] as const) {
        // `__proto__` is not even a label name (labels start with a letter or digit); the others are unknown labels.
        const expected = label.startsWith('_') ? 'INVALID_REQUEST' : 'INVALID_CONFIG';
        if (r.status !== 400 || (r.body as { error?: string }).error !== expected)
          problems.push(`${what} with label '${label}' in model_ordering -> ${r.status}`);
      }
      if (appPut.status !== 201) continue;
      // Accepted: the runtime routes of that app must still answer without a 5xx.
      const { access } = await tokens(h, appPut.body.credentials);
      for (const op of bearerAppOps) {
        const url = op.path
          .replace('{org_id}', org.orgId)
          .replace('{app_id}', app)
          .replace('{date}', h.clock.now().toISOString().slice(0, 10))
          .replace(/\{[^}]+\}/g, label);
        let t: Test = h.http[op.method](url).set('Authorization', `Bearer ${access}`);
        if (op.method !== 'get')
          t = t.send({ ...(validBody(op, goodPlan(), uniqueId()) as object), model_label: label });
        const res = await t;
        try {
          check('fixed', op, { desc: `${op.method.toUpperCase()} ${url}`, res });
        } catch (e) {
          problems.push(
            `after '${label}' was accepted: ${(e as Error).message.split('\n').slice(0, 2).join(' ')}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  }, 30_000);
});
