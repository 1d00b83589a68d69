// The bench's own pieces: the floor does the essential work it claims (so the product/floor ratio
// compares like with like), and the docs writer only touches its own block.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createFloorServer, FLOOR_ISSUER } from './floor/floor.js';
import { ResponseReader } from './lib/lean-load.js';
import { processCpuUs } from './lib/load.js';
import { RESULTS_END, RESULTS_START, SECTION_TITLE, writeResults } from './lib/report.js';

const SECRET = 'bench-spec-secret-0123456789abcdefghijkl';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(claims: Record<string, unknown>, opts: { key?: string; alg?: string } = {}): string {
  const head = b64({ alg: opts.alg ?? 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const sig = createHmac('sha256', opts.key ?? SECRET)
    .update(`${head}.${body}`)
    .digest('base64url');
  return `${head}.${body}.${sig}`;
}

describe('floor server', () => {
  let server: Server;
  let base: string;
  const orgId = randomUUID();
  const claims = {
    iss: FLOOR_ISSUER,
    token_type: 'access',
    org_id: orgId,
    app_id: 'chat',
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  const usageUrl = () => `${base}/api/v1/orgs/${orgId}/apps/chat/usage`;
  const post = (body: unknown, auth = token(claims)) =>
    fetch(usageUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const event = (over: Record<string, unknown> = {}) => ({
    request_id: randomUUID(),
    model_label: 'premium',
    bedrock_model_id: 'amazon.nova-pro-v1:0',
    input_tokens: 1500,
    output_tokens: 800,
    status: 'OK',
    timestamp: new Date().toISOString(),
    ...over,
  });

  beforeAll(async () => {
    server = createFloorServer(SECRET);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('prices on the server (1,500 in / 800 out on premium = 3,760 micro-USD) and answers 202', async () => {
    const r = await post(event());
    expect(r.status).toBe(202);
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const body = (await r.json()) as { processing: { cost_usd_micros: number }; duplicate: boolean };
    expect(body.processing.cost_usd_micros).toBe(3760);
    expect(body.duplicate).toBe(false);
  });

  it('counts a request_id once and returns the first cost', async () => {
    const e = event();
    await post(e);
    const again = (await (await post({ ...e, input_tokens: 1 })).json()) as {
      duplicate: boolean;
      processing: { cost_usd_micros: number };
    };
    expect(again.duplicate).toBe(true);
    expect(again.processing.cost_usd_micros).toBe(3760);
  });

  it('refuses forged, expired, alg-none and foreign-org tokens, bad fields and stale timestamps', async () => {
    expect((await post(event(), token(claims, { key: 'wrong-secret-0123456789abcdefghijkl' }))).status).toBe(
      401,
    );
    expect((await post(event(), token({ ...claims, exp: 1 }))).status).toBe(401);
    expect((await post(event(), token({ ...claims, token_type: 'refresh' }))).status).toBe(401);
    expect((await post(event(), token(claims, { alg: 'none' }))).status).toBe(401);
    expect((await post(event(), token({ ...claims, org_id: randomUUID() }))).status).toBe(403);
    expect((await post(event({ input_tokens: -1 }))).status).toBe(400);
    expect((await post(event({ extra: 1 }))).status).toBe(400);
    expect((await post(event({ timestamp: '2020-01-01T00:00:00Z' }))).status).toBe(400);
  });

  it('answers model selection with the spend so far, Cache-Control and an ETag (304 on a match)', async () => {
    const url = `${base}/api/v1/orgs/${orgId}/apps/chat/model-selection`;
    const auth = { authorization: `Bearer ${token(claims)}` };
    const r = await fetch(url, { headers: auth });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      recommended_model: { label: string };
      quota_status: { spend_usd_micros: number };
    };
    expect(body.recommended_model.label).toBe('premium');
    expect(body.quota_status.spend_usd_micros).toBeGreaterThanOrEqual(3760 * 2);
    expect(r.headers.get('cache-control')).toBe('private, max-age=300');
    const again = await fetch(url, { headers: { ...auth, 'if-none-match': r.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('docs writer', () => {
  it('creates the section when missing and then replaces only its own block', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-docs-')), 'performance.md');
    writeFileSync(file, '# Performance\n\n## Overrun simulation\n\nTheirs.\n');
    await writeResults(file, 'first');
    let text = readFileSync(file, 'utf8');
    expect(text).toContain('## Overrun simulation\n\nTheirs.\n');
    expect(text).toContain(`${SECTION_TITLE}\n`);
    expect(text).toContain(`${RESULTS_START}\n\nfirst\n\n${RESULTS_END}`);
    // Hand-written text around the block and later sections survive a rewrite.
    writeFileSync(
      file,
      text.replace(RESULTS_END, `${RESULTS_END}\n\nFindings by hand.\n\n## Later\n\nKept.`),
    );
    await writeResults(file, 'second');
    text = readFileSync(file, 'utf8');
    expect(text).not.toContain('first');
    expect(text).toContain(`${RESULTS_START}\n\nsecond\n\n${RESULTS_END}\n\nFindings by hand.`);
    expect(text).toContain('## Later\n\nKept.');
    expect(text).toContain('Theirs.');
  });
});

describe('CPU time of a process', () => {
  it('reads utime + stime from /proc on Linux', () => {
    const us = processCpuUs(process.pid);
    if (process.platform === 'linux') expect(us).toBeGreaterThan(0);
    else expect(us).toBeUndefined();
  });
});

describe('lean load generator', () => {
  it('reads pipelined and split responses by status and content-length', () => {
    const seen: number[] = [];
    const r = new ResponseReader((s) => seen.push(s));
    const one = (status: number, body: string) =>
      `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const text = one(202, '{"a":"\r\n\r\n"}') + one(400, '{}') + one(304, '');
    // Fed a byte at a time (worst case), then all at once.
    for (const ch of Buffer.from(text)) r.feed(Buffer.from([ch]));
    r.feed(Buffer.from(text));
    expect(seen).toEqual([202, 400, 304, 202, 400, 304]);
  });
});
