import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { StorageUnavailableError } from '#core-domain';
import { uniqueId } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { ADMIN_KEY, expectErrorBody, startApp, type Harness } from './harness.js';

describe('conventions', () => {
  let h: Harness;
  const storage = createMemoryAdapters();
  beforeAll(async () => {
    h = await startApp('memory', { storage, healthTimeoutMs: 200 });
  });
  afterAll(async () => h.close());

  it('every response carries X-Request-Id: the sane one sent, else a new UUID', async () => {
    const echoed = await h.http.get('/').set('X-Request-Id', 'abc-123_x.y:z');
    expect(echoed.headers['x-request-id']).toBe('abc-123_x.y:z');
    const replaced = await h.http.get('/nope').set('X-Request-Id', 'bad id with spaces <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.request_id).toBe(replaced.headers['x-request-id']);
    const fresh = await h.http.put(`/api/v1/orgs/${uniqueId()}`).send({});
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('404 NOT_FOUND for unknown routes and methods', async () => {
    for (const r of [
      await h.http.get('/api/v1/nothing'),
      await h.http.delete('/api/v1/orgs/x'),
      await h.http.post('/health'),
    ]) {
      expect(r.status).toBe(404);
      expectErrorBody(r.body, 'NOT_FOUND');
    }
  });

  it('400 for malformed JSON, 415 for non-JSON bodies (form only on /auth), 413 over 256 KiB', async () => {
    const put = () => h.http.put(`/api/v1/orgs/${uniqueId()}`).set('X-API-Key', ADMIN_KEY);
    const malformed = await put().set('Content-Type', 'application/json').send('{"org_name": ');
    expect(malformed.status).toBe(400);
    expectErrorBody(malformed.body, 'INVALID_REQUEST');
    for (const type of [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const r = await put().set('Content-Type', type).send('org_name=x');
      expect({ type, status: r.status }).toEqual({ type, status: 415 });
      expectErrorBody(r.body, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const big = await put()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ org_name: 'x'.repeat(256 * 1024) }));
    expect(big.status).toBe(413);
    expectErrorBody(big.body, 'PAYLOAD_TOO_LARGE');
    const proto = await put()
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"admin": true}, "org_name": "x"}');
    expect(proto.status).toBe(400);
  });

  it('a body nested deeper than 16 levels is refused before validation; 16 levels reach the validator', async () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = { a: v };
      return v;
    };
    const put = (body: unknown) =>
      h.http
        .put(`/api/v1/orgs/${uniqueId()}`)
        .set('X-API-Key', ADMIN_KEY)
        .send({ org_name: 'Acme', x: body });
    // The body itself is level 1, so `x` holding n levels makes n + 1.
    const deep = await put(nest(16));
    expect(deep.status).toBe(400);
    expect(deep.body.details.fields).toEqual([
      { field: '(body)', message: 'must not nest deeper than 16 levels' },
    ]);
    const limit = await put(nest(15));
    expect(limit.status).toBe(400);
    expect(limit.body.details.fields).not.toContainEqual(expect.objectContaining({ field: '(body)' }));
    expect(limit.body.details.fields).toContainEqual({ field: 'x', message: 'is not a known field' });
  });

  it('GET / links the entry points; /docs serves Swagger UI; /openapi.json the document', async () => {
    const root = await h.http.get('/');
    expect(root.body).toMatchObject({
      service: 'bedrock-cost-keeper',
      links: {
        token: '/auth/token',
        health: '/health',
        api: '/api/v1',
        docs: '/docs',
        openapi: '/openapi.json',
      },
    });
    const docs = await h.http.get('/docs').redirects(1);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    const doc = await h.http.get('/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    // "Try it out" targets the origin the docs are served from first, whatever the port or host.
    expect(doc.body.servers[0].url).toBe('/');
    const init = await h.http.get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    // Run Swagger UI's init script as a browser would, capturing the spec it hands to the UI.
    let spec: { servers: Array<{ url: string }> } | undefined;
    const bundle = Object.assign((o: { spec: typeof spec }) => ((spec = o.spec), {}), {
      presets: { apis: {} },
      plugins: { DownloadUrl: {} },
    });
    const window = { location: { search: '', origin: 'http://127.0.0.1:1' } } as { onload?: () => void };
    runInNewContext(init.text, { window, SwaggerUIBundle: bundle, SwaggerUIStandalonePreset: {} });
    window.onload!();
    const embedded = spec!;
    expect(embedded.servers.map((s: { url: string }) => s.url)).toEqual(['/', 'http://localhost:8080']);
  });

  it('GET /health: 200 healthy, 503 unhealthy when storage fails or does not answer in time, and recovers', async () => {
    const ok = await h.http.get('/health');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'healthy',
      service: 'bedrock-cost-keeper',
      database: { status: 'connected' },
    });
    storage.failWith(new StorageUnavailableError());
    const down = await h.http.get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unhealthy', database: { status: 'disconnected' } });
    const slow = storage.ping;
    storage.failWith(undefined);
    storage.ping = () => new Promise<void>(() => undefined); // never answers
    const hung = await h.http.get('/health');
    expect(hung.status).toBe(503);
    storage.ping = slow;
    expect((await h.http.get('/health')).status).toBe(200);
  });

  it('storage outages on provisioning routes are 503 SERVICE_UNAVAILABLE with Retry-After, never 500', async () => {
    storage.failWith(new StorageUnavailableError());
    const r = await h.http.get(`/api/v1/orgs/${uniqueId()}`).set('X-API-Key', ADMIN_KEY);
    storage.failWith(undefined);
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expectErrorBody(r.body, 'SERVICE_UNAVAILABLE');
  });

  it('an unexpected error is 500 INTERNAL_ERROR without library text or stack', async () => {
    storage.failWith(new TypeError('secret internal detail at /srv/x.js:1'));
    const r = await h.http.get(`/api/v1/orgs/${uniqueId()}`).set('X-API-Key', ADMIN_KEY);
    storage.failWith(undefined);
    expect(r.status).toBe(500);
    expectErrorBody(r.body, 'INTERNAL_ERROR');
    expect(JSON.stringify(r.body)).not.toContain('secret internal detail');
  });
});

describe('framework errors before routing', () => {
  it('a malformed URL escape is 400 with the error body', async () => {
    const h = await startApp('memory');
    try {
      const r = await h.http.get('/api/v1/orgs/%');
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(r.headers['x-request-id']).toBeTruthy();
    } finally {
      await h.close();
    }
  });
});
