// The FLOOR: a bare node:http server doing the essential work of the two hot routes, and nothing
// else. It is the yardstick the product is measured against (ratio product/floor):
//   - HS256 bearer check with node:crypto (signature, alg, issuer, expiry, token type, path scope),
//   - JSON body parse with the usage field checks (types, ranges, UUID, timestamp window, no unknown keys),
//   - integer pricing (each part floored on its own, BigInt),
//   - an exactly-once Map keyed by scope + request_id, a counter add per scope/label/day,
//   - a JSON reply (202 for usage, 200 for model selection with Cache-Control and ETag), X-Request-Id.
// It accepts the product's own access tokens (same secret), so the load generator sends the same
// requests to both.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const FLOOR_ISSUER = 'bedrock-cost-keeper';
const BODY_LIMIT = 256 * 1024;
const MAX_TOKENS = 1_000_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ROUTE = /^\/api\/v1\/orgs\/([^/]+)\/apps\/([^/?]+)\/(usage|model-selection)(?:\?.*)?$/;
const USAGE_FIELDS = new Set([
  'request_id',
  'model_label',
  'bedrock_model_id',
  'calling_region',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'status',
  'timestamp',
  'tags',
]);

export interface FloorLabel {
  bedrockModelId: string;
  description: string;
  inputPerMillion: number;
  outputPerMillion: number;
  quota: number;
}

/** The default labels of config.yaml, with the quotas the bench provisions. */
export const FLOOR_LABELS: Record<string, FloorLabel> = {
  premium: {
    bedrockModelId: 'amazon.nova-pro-v1:0',
    description: 'Amazon Nova Pro',
    inputPerMillion: 800_000,
    outputPerMillion: 3_200_000,
    quota: 1_000_000_000_000,
  },
  standard: {
    bedrockModelId: 'amazon.nova-2-lite-v1:0',
    description: 'Amazon Nova 2 Lite',
    inputPerMillion: 330_000,
    outputPerMillion: 2_750_000,
    quota: 1_000_000_000_000,
  },
  economy: {
    bedrockModelId: 'amazon.nova-micro-v1:0',
    description: 'Amazon Nova Micro',
    inputPerMillion: 35_000,
    outputPerMillion: 140_000,
    quota: 1_000_000_000_000,
  },
};
const ORDERING = ['premium', 'standard', 'economy'];
const SHARDS = 8;

interface Claims {
  org_id: string;
  app_id?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function part(tokens: number, pricePerMillion: number): bigint {
  return tokens ? (BigInt(tokens) * BigInt(pricePerMillion)) / 1_000_000n : 0n;
}

function fnv1a(s: string, mod: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % mod;
}

function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function tokenCount(v: unknown, optional: boolean, field: string, problems: string[]): number {
  if (v === undefined && optional) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TOKENS) {
    problems.push(field);
    return 0;
  }
  return v;
}

export function createFloorServer(jwtSecret: string): Server {
  const key = Buffer.from(jwtSecret, 'utf8');
  /** Exactly-once: scope|request_id -> first outcome. */
  const seen = new Map<string, { cost: number; shard: number; label: string }>();
  /** Counters: scope|label|day -> spend. */
  const spend = new Map<
    string,
    { cost: number; requests: number; inputTokens: number; outputTokens: number }
  >();

  function authenticate(req: IncomingMessage, orgId: string, appId: string): Claims {
    const h = req.headers.authorization;
    const bad = () => new HttpError(401, 'UNAUTHORIZED', 'A valid bearer access token is required');
    if (typeof h !== 'string' || !h.startsWith('Bearer ') || h.length > 4096) throw bad();
    const token = h.slice(7);
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) throw bad();
    let header: { alg?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString('utf8')) as {
        alg?: unknown;
      };
      claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
    } catch {
      throw bad();
    }
    if (header.alg !== 'HS256') throw bad();
    const expected = createHmac('sha256', key).update(token.slice(0, dot2)).digest();
    const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
    if (
      claims.iss !== FLOOR_ISSUER ||
      claims.token_type !== 'access' ||
      typeof claims.exp !== 'number' ||
      claims.exp <= Math.floor(Date.now() / 1000) ||
      typeof claims.org_id !== 'string'
    ) {
      throw bad();
    }
    const c = claims as unknown as Claims;
    if (c.org_id !== orgId.toLowerCase() || (c.app_id !== undefined && c.app_id !== appId)) {
      throw new HttpError(403, 'FORBIDDEN', 'This token may not act on this org/app');
    }
    return c;
  }

  function readBody(req: IncomingMessage): Promise<unknown> {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !/^application\/json/i.test(type)) {
      return Promise.reject(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON'));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > BODY_LIMIT) reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Body over 256 KiB'));
        else chunks.push(c);
      });
      req.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new HttpError(400, 'INVALID_REQUEST', 'Malformed JSON'));
        }
      });
      req.on('error', reject);
    });
  }

  function usage(orgId: string, appId: string, raw: unknown): Record<string, unknown> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new HttpError(400, 'INVALID_REQUEST', 'The body must be a JSON object');
    }
    const b = raw as Record<string, unknown>;
    const problems: string[] = [];
    for (const k of Object.keys(b)) if (!USAGE_FIELDS.has(k)) problems.push(k);
    if (typeof b.request_id !== 'string' || !UUID.test(b.request_id)) problems.push('request_id');
    const label = typeof b.model_label === 'string' ? FLOOR_LABELS[b.model_label] : undefined;
    if (!label || !ORDERING.includes(b.model_label as string)) problems.push('model_label');
    if (typeof b.bedrock_model_id !== 'string' || b.bedrock_model_id.length < 1)
      problems.push('bedrock_model_id');
    const input = tokenCount(b.input_tokens, false, 'input_tokens', problems);
    const output = tokenCount(b.output_tokens, false, 'output_tokens', problems);
    const cacheRead = tokenCount(b.cache_read_input_tokens, true, 'cache_read_input_tokens', problems);
    const cacheWrite = tokenCount(b.cache_write_input_tokens, true, 'cache_write_input_tokens', problems);
    if (b.status !== 'OK' && b.status !== 'ERROR') problems.push('status');
    const ts = typeof b.timestamp === 'string' && ISO.test(b.timestamp) ? Date.parse(b.timestamp) : NaN;
    const now = Date.now();
    if (Number.isNaN(ts) || ts < now - 86_400_000 || ts > now + 300_000) problems.push('timestamp');
    if (problems.length > 0 || !label) {
      throw new HttpError(400, 'INVALID_REQUEST', `Invalid fields: ${problems.join(', ')}`);
    }
    const cost = Number(
      part(input, label.inputPerMillion) +
        part(output, label.outputPerMillion) +
        part(cacheRead, label.inputPerMillion) +
        part(cacheWrite, label.inputPerMillion),
    );
    const requestId = (b.request_id as string).toLowerCase();
    const scope = `${orgId}|${appId}`;
    const day = new Date(ts).toISOString().slice(0, 10);
    const onceKey = `${scope}|${requestId}`;
    const first = seen.get(onceKey);
    const labelName = b.model_label as string;
    let shard: number;
    let charged: number;
    if (first) {
      shard = first.shard;
      charged = first.cost;
    } else {
      shard = fnv1a(requestId, SHARDS);
      charged = cost;
      seen.set(onceKey, { cost, shard, label: labelName });
      const ck = `${scope}|${labelName}|${day}`;
      const c = spend.get(ck);
      if (c) {
        c.cost += cost;
        c.requests += 1;
        c.inputTokens += input;
        c.outputTokens += output;
      } else spend.set(ck, { cost, requests: 1, inputTokens: input, outputTokens: output });
    }
    const total = spend.get(`${scope}|${labelName}|${day}`)?.cost ?? 0;
    const pct = Math.round((total / label.quota) * 1000) / 10;
    return {
      request_id: requestId,
      status: 'accepted',
      duplicate: first !== undefined,
      message: first ? 'Duplicate request_id: already counted, the first cost is returned' : 'Usage recorded',
      processing: { shard_id: shard, expected_aggregation_lag_secs: 60, cost_usd_micros: charged },
      quota_status: {
        model_label: labelName,
        spend_usd_micros: total,
        quota_usd_micros: label.quota,
        quota_pct: pct,
        mode: total >= label.quota ? 'EXCEEDED' : pct >= 95 ? 'TIGHT' : 'NORMAL',
      },
      timestamp: isoUtc(now),
    };
  }

  function selection(orgId: string, appId: string): Record<string, unknown> {
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const scope = `${orgId}|${appId}`;
    const models: Record<string, unknown> = {};
    let chosen: string | undefined;
    for (const name of ORDERING) {
      const l = FLOOR_LABELS[name]!;
      const s = spend.get(`${scope}|${name}|${day}`)?.cost ?? 0;
      const pct = Math.round((s / l.quota) * 1000) / 10;
      const status = s >= l.quota ? 'EXCEEDED' : pct >= 95 ? 'TIGHT' : 'NORMAL';
      models[name] = { spend_usd_micros: s, quota_usd_micros: l.quota, quota_pct: pct, status };
      if (!chosen && status !== 'EXCEEDED') chosen = name;
    }
    if (!chosen) throw new HttpError(429, 'QUOTA_EXCEEDED', 'Every label is exhausted');
    const l = FLOOR_LABELS[chosen]!;
    const current = models[chosen] as { spend_usd_micros: number; quota_pct: number; status: string };
    return {
      org_id: orgId,
      app_id: appId,
      recommended_model: {
        label: chosen,
        bedrock_model_id: l.bedrockModelId,
        reason: 'NORMAL',
        description: l.description,
      },
      quota_status: {
        scope: 'ORG',
        mode: current.status === 'TIGHT' ? 'TIGHT' : 'NORMAL',
        current_model: chosen,
        spend_usd_micros: current.spend_usd_micros,
        quota_usd_micros: l.quota,
        quota_pct: current.quota_pct,
        sticky_fallback_active: false,
        models_status: models,
      },
      pricing: {
        input_price_usd_micros_per_1m: l.inputPerMillion,
        output_price_usd_micros_per_1m: l.outputPerMillion,
        version: 'config',
        source: 'CONFIG_FALLBACK',
      },
      client_guidance: {
        check_frequency: 'PERIODIC_300S',
        cache_duration_secs: 300,
        explanation: 'Normal mode: check every 300 seconds',
      },
      checked_at: isoUtc(now),
      org_day: day.replaceAll('-', ''),
      org_local_time: isoUtc(now).replace('Z', '+00:00'),
    };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = ROUTE.exec(req.url ?? '');
    if (!m) throw new HttpError(404, 'NOT_FOUND', 'No such route');
    const orgId = decodeURIComponent(m[1]!).toLowerCase();
    const appId = decodeURIComponent(m[2]!);
    if (!UUID.test(orgId)) throw new HttpError(400, 'INVALID_REQUEST', 'org_id must be a UUID');
    if (m[3] === 'usage' && req.method === 'POST') {
      authenticate(req, orgId, appId);
      const body = await readBody(req);
      send(res, 202, usage(orgId, appId, body));
      return;
    }
    if (m[3] === 'model-selection' && req.method === 'GET') {
      authenticate(req, orgId, appId);
      const body = selection(orgId, appId);
      const { checked_at: _c, org_local_time: _l, ...stable } = body;
      const etag = `W/"${createHash('sha1').update(JSON.stringify(stable)).digest('base64url')}"`;
      const headers = { 'cache-control': 'private, max-age=300', etag };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      send(res, 200, body, headers);
      return;
    }
    throw new HttpError(404, 'NOT_FOUND', 'No such route');
  }

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'INTERNAL_ERROR', 'Internal error');
      if (res.headersSent) return;
      send(res, err.status, {
        error: err.code,
        message: err.message,
        timestamp: isoUtc(Date.now()),
        request_id: randomUUID(),
      });
    });
  });
}
