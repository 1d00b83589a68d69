import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testServiceConfig, uniqueId } from '#core-domain/testing';
import { ADMIN_KEY, expectErrorBody, provision, startApp, type Harness } from './harness.js';

const small = { limit: 3, window_secs: 60 };
const config = testServiceConfig({
  rate_limits: {
    token: small,
    token_failures: { limit: 2, window_secs: 60 },
    revoke: small,
    provisioning_get: small,
    provisioning_put: { limit: 100, window_secs: 3600 },
  },
});

describe('rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('memory', { rateLimits: true, config });
  });
  afterAll(async () => h.close());

  it('counts per admin key: X-RateLimit headers, then 429 with Retry-After, then a new window', async () => {
    const get = () => h.http.get(`/api/v1/orgs/${uniqueId()}`).set('X-API-Key', ADMIN_KEY);
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const first = await get();
    expect(first.status).toBe(404);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(now + 59);
    await get();
    await get();
    const over = await get();
    expect(over.status).toBe(429);
    expectErrorBody(over.body, 'RATE_LIMIT_EXCEEDED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.body.retry_after).toBe(Number(over.headers['retry-after']));
    h.clock.advanceSecs(61);
    expect((await get()).status).toBe(404);
  });

  it('counts per client id on bearer routes: one client over its limit does not slow another', async () => {
    const p = await provision(h, {}, ['a', 'b']);
    h.clock.advanceSecs(61); // fresh token-endpoint windows
    const tokenFor = async (cred: { client_id: string; client_secret: string }) =>
      (await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...cred })).body
        .access_token as string;
    const ta = await tokenFor(p.apps.a!);
    const tb = await tokenFor(p.apps.b!);
    const revoke = (t: string) =>
      h.http.post('/auth/revoke').set('Authorization', `Bearer ${t}`).send({ token: 'x' });
    for (let i = 0; i < 3; i++) expect((await revoke(ta)).status).toBe(204);
    expect((await revoke(ta)).status).toBe(429);
    expect((await revoke(tb)).status).toBe(204);
  });

  it('failed token requests are limited per client id and per source address', async () => {
    h.clock.advanceSecs(61);
    const p = await provision(h, {}, ['z']);
    const bad = () =>
      h.http
        .post('/auth/token')
        .send({ grant_type: 'client_credentials', client_id: p.apps.z!.client_id, client_secret: 'wrong' });
    expect((await bad()).status).toBe(401);
    expect((await bad()).status).toBe(401);
    const blocked = await bad();
    expect(blocked.status).toBe(429);
    expectErrorBody(blocked.body, 'RATE_LIMIT_EXCEEDED');
    // Even the right secret waits until the block is over.
    const right = await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...p.apps.z });
    expect(right.status).toBe(429);
    h.clock.advanceSecs(61);
    expect(
      (await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...p.apps.z })).status,
    ).toBe(200);
  });

  it('RATE_LIMITS=off disables limits and their headers', async () => {
    const off = await startApp('memory', { rateLimits: false, config });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await off.http.get(`/api/v1/orgs/${uniqueId()}`).set('X-API-Key', ADMIN_KEY);
        expect(r.status).toBe(404);
        expect(r.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await off.close();
    }
  });
});
