// Alerts end to end on memory and on DynamoDB Local: the HTTP app, the aggregator and delivery passes
// the worker runs, and a real local HTTP receiver (127.0.0.1, a free port) that checks signatures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { uniqueId } from '#core-domain/testing';
import {
  ADMIN_KEY,
  expectErrorBody,
  provision,
  startApp,
  STORAGES,
  tokens,
  type Harness,
} from './harness.js';

interface Received {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/** A receiver: records every request; `status(path)` decides the answer. */
async function receiver() {
  const got: Received[] = [];
  let status = (_path: string) => 200;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({
        path: req.url ?? '',
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
      });
      res.writeHead(status(req.url ?? '')).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    got,
    base,
    answer(fn: (path: string) => number) {
      status = fn;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Standard Webhooks verification by hand: one of the v1 signatures matches HMAC-SHA256 of "{id}.{ts}.{body}". */
function verifies(r: Received, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const PREMIUM = {
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
};

describe.each(STORAGES)('alerts on %s storage', (kind) => {
  let h: Harness;
  let rx: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-12-16T15:00:00Z' });
    rx = await receiver();
  });
  afterAll(async () => {
    await rx.close();
    await h.close();
  });

  const spend = async (orgId: string, token: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await h.http
        .post(`/api/v1/orgs/${orgId}/apps/chat/usage`)
        .set('Authorization', `Bearer ${token}`)
        .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...PREMIUM });
      expect(r.status).toBe(202);
    }
    h.clock.advanceSecs(1);
    expect((await h.keeper.aggregator.runPass()).ran).toBe(true);
  };

  it('every threshold event arrives exactly once with a valid Standard Webhooks signature; Slack format; 500 retried with the same webhook-id; 410 disables', async () => {
    const p = await provision(h, {
      quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
      alert_thresholds_pct: [50, 80, 100],
    });
    const org = (await tokens(h, p.org)).access;
    const app = (await tokens(h, p.apps.chat!)).access;
    const hook = (body: Record<string, unknown>) =>
      h.http.post(`/api/v1/orgs/${p.orgId}/webhooks`).set('Authorization', `Bearer ${org}`).send(body);
    const std = await hook({
      url: `${rx.base}/std-${p.orgId}`,
      event_types: ['budget.threshold_crossed', 'budget.exhausted'],
    });
    expect(std.status).toBe(201);
    expect(std.body.secret).toMatch(/^whsec_/);
    const slack = await hook({
      url: `${rx.base}/slack-${p.orgId}`,
      format: 'slack',
      event_types: ['budget.exhausted'],
    });
    const flaky = await hook({ url: `${rx.base}/flaky-${p.orgId}`, event_types: ['budget.exhausted'] });
    const gone = await hook({ url: `${rx.base}/gone-${p.orgId}`, event_types: ['budget.exhausted'] });
    expect(
      (await h.http.get(`/api/v1/orgs/${p.orgId}/webhooks`).set('X-API-Key', ADMIN_KEY)).body.webhooks,
    ).toHaveLength(4);
    // An app token cannot manage webhooks.
    const denied = await h.http
      .post(`/api/v1/orgs/${p.orgId}/webhooks`)
      .set('Authorization', `Bearer ${app}`)
      .send({ url: `${rx.base}/x` });
    expect(denied.status).toBe(403);
    expectErrorBody(denied.body, 'FORBIDDEN');

    let flakyCalls = 0;
    rx.answer((path) => {
      if (path.startsWith('/flaky')) return ++flakyCalls === 1 ? 500 : 200;
      if (path.startsWith('/gone')) return 410;
      return 200;
    });
    await spend(p.orgId, app, 3); // 11,280 of 10,000: 50, 80, 100 and exhausted in one pass
    await h.keeper.deliveries.runPass();
    const mine = (prefix: string) => rx.got.filter((r) => r.path === `/${prefix}-${p.orgId}`);
    const events = mine('std').map((r) => JSON.parse(r.body));
    expect(events.map((e) => e.data.threshold_pct ?? e.type).sort()).toEqual(
      [100, 50, 80, 'budget.exhausted'].sort(),
    );
    for (const r of mine('std')) expect(verifies(r, std.body.secret)).toBe(true);
    expect(new Set(mine('std').map((r) => r.id)).size).toBe(4);
    // Slack: text and blocks.
    const s = JSON.parse(mine('slack')[0]!.body);
    expect(s.text).toContain('Budget exhausted');
    expect(Array.isArray(s.blocks)).toBe(true);
    expect(verifies(mine('slack')[0]!, slack.body.secret)).toBe(true);
    // 410: disabled at once, with its reason.
    const g = await h.http
      .get(`/api/v1/orgs/${p.orgId}/webhooks/${gone.body.webhook_id}`)
      .set('Authorization', `Bearer ${org}`);
    expect(g.body).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });
    // 500: retried 5 s later with the same webhook-id.
    h.clock.advanceSecs(5);
    await h.keeper.deliveries.runPass();
    const f = mine('flaky');
    expect(f).toHaveLength(2);
    expect(f[1]!.id).toBe(f[0]!.id);
    const log = await h.http
      .get(`/api/v1/orgs/${p.orgId}/webhooks/${flaky.body.webhook_id}/deliveries`)
      .set('Authorization', `Bearer ${org}`);
    expect(log.status).toBe(200);
    expect(log.body.deliveries[0]).toMatchObject({ outcome: 'succeeded', attempt: 2, status_code: 200 });
    expect(log.body.deliveries[0].attempts[0]).toMatchObject({ status_code: 500, outcome: 'failed' });
    // More passes and more spend: nothing is sent again.
    await spend(p.orgId, app, 1);
    h.clock.advanceSecs(600);
    await h.keeper.deliveries.runPass();
    expect(mine('std')).toHaveLength(4);
    // The events list, newest first, and a redelivery.
    const list = await h.http
      .get(`/api/v1/orgs/${p.orgId}/events?type=budget.exhausted`)
      .set('Authorization', `Bearer ${org}`);
    expect(list.status).toBe(200);
    expect(list.body.events).toHaveLength(1);
    const again = await h.http
      .post(`/api/v1/orgs/${p.orgId}/events/${list.body.events[0].id}/redeliver`)
      .set('Authorization', `Bearer ${org}`);
    expect(again.status).toBe(202);
    await h.keeper.deliveries.runPass();
    expect(mine('std').filter((r) => r.id === list.body.events[0].id)).toHaveLength(2);
  });

  it('test route, secret rotation (two signatures), PATCH and DELETE; bad input is 400, not 500', async () => {
    const p = await provision(h);
    const org = (await tokens(h, p.org)).access;
    const base = `/api/v1/orgs/${p.orgId}/webhooks`;
    const w = await h.http
      .post(base)
      .set('X-API-Key', ADMIN_KEY)
      .send({ url: `${rx.base}/t-${p.orgId}` });
    expect(w.status).toBe(201);
    rx.answer(() => 204);
    const t = await h.http.post(`${base}/${w.body.webhook_id}/test`).set('Authorization', `Bearer ${org}`);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ outcome: 'succeeded', status_code: 204 });
    const rot = await h.http
      .post(`${base}/${w.body.webhook_id}/rotate-secret`)
      .set('Authorization', `Bearer ${org}`);
    expect(rot.body.secret).toMatch(/^whsec_/);
    await h.http.post(`${base}/${w.body.webhook_id}/test`).set('Authorization', `Bearer ${org}`);
    const last = rx.got.filter((r) => r.path === `/t-${p.orgId}`).at(-1)!;
    expect(last.signature.split(' ')).toHaveLength(2);
    expect(verifies(last, rot.body.secret) && verifies(last, w.body.secret)).toBe(true);
    const patched = await h.http
      .patch(`${base}/${w.body.webhook_id}`)
      .set('Authorization', `Bearer ${org}`)
      .send({ enabled: false });
    expect(patched.body.enabled).toBe(false);
    for (const bad of [{ url: 'ftp://x' }, { url: `${rx.base}/y`, format: 'xml' }, { nope: 1 }, { url: 5 }]) {
      const r = await h.http.post(base).set('Authorization', `Bearer ${org}`).send(bad);
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
    }
    expect((await h.http.get(`${base}/nope`).set('Authorization', `Bearer ${org}`)).status).toBe(404);
    expect(
      (await h.http.get(`/api/v1/orgs/${p.orgId}/events?limit=0`).set('Authorization', `Bearer ${org}`))
        .status,
    ).toBe(400);
    expect(
      (
        await h.http
          .get(`/api/v1/orgs/${p.orgId}/events?cursor=garbage`)
          .set('Authorization', `Bearer ${org}`)
      ).status,
    ).toBe(400);
    expect(
      (await h.http.delete(`${base}/${w.body.webhook_id}`).set('Authorization', `Bearer ${org}`)).status,
    ).toBe(204);
    expect(
      (await h.http.get(`${base}/${w.body.webhook_id}`).set('Authorization', `Bearer ${org}`)).status,
    ).toBe(404);
  });
});
