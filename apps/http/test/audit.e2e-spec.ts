import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
const FINGERPRINT = createHash('sha256').update(ADMIN_KEY).digest('hex').slice(0, 12);
const UA = 'audit-e2e/1.0';

type Item = {
  event_id: string;
  occurred_at: string;
  org_id: string;
  actor: { kind: string; id: string; source_ip: string | null; user_agent: string | null };
  action: string;
  target: { type: string; id: string };
  changes: Record<string, { before: unknown; after: unknown }>;
  request_id: string | null;
  outcome: string;
};

describe.each(STORAGES)('audit trail on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-12-02T10:00:00.000Z' });
  });
  afterAll(async () => h.close());

  const admin = <T extends { set(k: string, v: string): T }>(req: T) =>
    req.set('X-API-Key', ADMIN_KEY).set('User-Agent', UA);
  const tick = () => h.clock.advance(1000);

  /** Every page of the org's trail (following next_cursor), with the raw JSON of each page. */
  async function trail(orgId: string, query = '', auth?: string): Promise<{ items: Item[]; raw: string }> {
    const items: Item[] = [];
    let raw = '';
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const q: string = `${query}${query ? '&' : ''}limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const req = h.http.get(`/api/v1/orgs/${orgId}/audit?${q}`);
      const r = await (auth ? req.set('Authorization', `Bearer ${auth}`) : admin(req));
      expect(r.status).toBe(200);
      raw += r.text;
      items.push(...(r.body.items as Item[]));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    return { items, raw };
  }

  it('records org and app changes, rotations, revocations, profiles and webhooks with before/after, newest first, and no secret or hash anywhere', async () => {
    const orgId = uniqueId();
    const secrets: string[] = [ADMIN_KEY];
    const created = await admin(h.http.put(`/api/v1/orgs/${orgId}`))
      .set('X-Request-Id', 'req-create-org')
      .send({
        org_name: 'Acme',
        timezone: 'UTC',
        quota_scope: 'APP',
        model_ordering: ['premium'],
        quotas: { premium: 1000 },
      });
    expect(created.status).toBe(201);
    const orgCred = created.body.credentials;
    secrets.push(orgCred.client_secret);
    tick();
    expect(
      (
        await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({
          org_name: 'Acme 2',
          timezone: 'UTC',
          quota_scope: 'APP',
          model_ordering: ['premium'],
          quotas: { premium: 2000 },
          alert_thresholds_pct: [75, 100],
          overrides: { refresh_interval_secs: 120 },
        })
      ).status,
    ).toBe(200);
    tick();
    const app = await admin(h.http.put(`/api/v1/orgs/${orgId}/apps/chat`)).send({ app_name: 'Chat' });
    expect(app.status).toBe(201);
    secrets.push(app.body.credentials.client_secret);
    tick();
    expect(
      (
        await admin(h.http.put(`/api/v1/orgs/${orgId}/apps/chat`)).send({
          app_name: 'Chat 2',
          quotas: { premium: 500 },
          budgets: [{ window: 'MONTH', limit_usd_micros: 9000 }],
        })
      ).status,
    ).toBe(200);
    tick();
    const rotOrg = await admin(h.http.post(`/api/v1/orgs/${orgId}/credentials/rotate`)).send({
      grace_period_hours: 1,
    });
    expect(rotOrg.status).toBe(200);
    secrets.push(rotOrg.body.client_secret);
    tick();
    const rotApp = await admin(h.http.post(`/api/v1/orgs/${orgId}/apps/chat/credentials/rotate`)).send({});
    expect(rotApp.status).toBe(200);
    secrets.push(rotApp.body.client_secret);
    tick();

    // Client actions: webhooks with the org token, a profile with the app token, a revocation.
    const orgTok = await tokens(h, {
      client_id: orgCred.client_id,
      client_secret: rotOrg.body.client_secret,
    });
    const appTok = await tokens(h, {
      client_id: app.body.credentials.client_id,
      client_secret: rotApp.body.client_secret,
    });
    secrets.push(orgTok.access, orgTok.refresh, appTok.access, appTok.refresh);
    const bearer = <T extends { set(k: string, v: string): T }>(req: T, t: string) =>
      req.set('Authorization', `Bearer ${t}`).set('User-Agent', UA);
    const hook = await bearer(h.http.post(`/api/v1/orgs/${orgId}/webhooks`), orgTok.access).send({
      url: 'http://127.0.0.1:9/hook',
      description: 'ops',
    });
    expect(hook.status).toBe(201);
    secrets.push(hook.body.secret);
    const hookId = hook.body.webhook_id as string;
    tick();
    expect(
      (
        await bearer(h.http.patch(`/api/v1/orgs/${orgId}/webhooks/${hookId}`), orgTok.access).send({
          description: 'ops team',
          format: 'slack',
        })
      ).status,
    ).toBe(200);
    tick();
    const rehook = await bearer(
      h.http.post(`/api/v1/orgs/${orgId}/webhooks/${hookId}/rotate-secret`),
      orgTok.access,
    ).send({});
    expect(rehook.status).toBe(200);
    secrets.push(rehook.body.secret);
    tick();
    expect(
      (await bearer(h.http.delete(`/api/v1/orgs/${orgId}/webhooks/${hookId}`), orgTok.access)).status,
    ).toBe(204);
    tick();
    expect(
      (
        await bearer(h.http.post(`/api/v1/orgs/${orgId}/apps/chat/inference-profiles`), appTok.access).send({
          profile_label: 'prod',
          inference_profile_arn: ARN,
        })
      ).status,
    ).toBe(201);
    tick();
    expect(
      (await bearer(h.http.post('/auth/revoke'), appTok.access).send({ token: appTok.refresh })).status,
    ).toBe(204);

    const { items, raw } = await trail(orgId);
    // org.updated and alerts.updated come from one write at one instant: either order.
    const actions = items.map((i) => i.action);
    const pair = actions.indexOf('alerts.updated');
    expect(items[pair]!.occurred_at).toBe(items[actions.indexOf('org.updated')]!.occurred_at);
    if (actions[pair + 1] === 'org.updated')
      [actions[pair], actions[pair + 1]] = ['org.updated', 'alerts.updated'];
    expect(actions).toEqual([
      'token.revoked',
      'profile.registered',
      'webhook.deleted',
      'webhook.secret_rotated',
      'webhook.updated',
      'webhook.created',
      'credentials.rotated',
      'credentials.rotated',
      'app.updated',
      'app.created',
      'org.updated',
      'alerts.updated',
      'org.created',
    ]);
    const times = items.map((i) => i.occurred_at);
    expect([...times].sort().reverse()).toEqual(times);
    const by = (action: string) => items.filter((i) => i.action === action);

    const orgCreated = by('org.created')[0]!;
    expect(orgCreated).toMatchObject({
      org_id: orgId,
      actor: { kind: 'admin', id: FINGERPRINT, user_agent: UA },
      target: { type: 'org', id: orgId },
      request_id: 'req-create-org',
      outcome: 'success',
    });
    expect(orgCreated.actor.source_ip).toEqual(expect.any(String));
    expect(orgCreated.changes.org_name).toEqual({ before: null, after: 'Acme' });
    expect(by('org.updated')[0]!.changes).toEqual({
      org_name: { before: 'Acme', after: 'Acme 2' },
      quotas: { before: { premium: 1000 }, after: { premium: 2000 } },
      refresh_interval_secs: { before: 300, after: 120 },
    });
    expect(by('alerts.updated')[0]!.changes).toEqual({
      alert_thresholds_pct: { before: [50, 80, 100], after: [75, 100] },
    });
    expect(by('app.updated')[0]!).toMatchObject({
      target: { type: 'app', id: 'chat' },
      changes: {
        app_name: { before: 'Chat', after: 'Chat 2' },
        quotas: { before: null, after: { premium: 500 } },
        budgets: { before: null, after: [{ window: 'MONTH', limit_usd_micros: 9000 }] },
      },
    });
    const [appRot, orgRot] = by('credentials.rotated');
    expect(orgRot!.target).toEqual({ type: 'client', id: orgCred.client_id });
    expect(orgRot!.changes.secret_version).toEqual({ before: 1, after: 2 });
    expect(orgRot!.changes.previous_secret_expires_at!.after).toBe(rotOrg.body.old_secret_expires_at);
    expect(appRot!.target).toEqual({ type: 'client', id: app.body.credentials.client_id });
    expect(by('webhook.created')[0]!).toMatchObject({
      actor: { kind: 'client', id: orgCred.client_id, user_agent: UA },
      target: { type: 'webhook', id: hookId },
    });
    expect(by('webhook.updated')[0]!.changes).toEqual({
      description: { before: 'ops', after: 'ops team' },
      format: { before: 'standard', after: 'slack' },
    });
    expect(by('webhook.secret_rotated')[0]!.changes).toEqual({
      previous_secret_expires_at: { before: null, after: rehook.body.previous_secret_expires_at },
    });
    expect(by('webhook.deleted')[0]!.changes.url).toEqual({ before: 'http://127.0.0.1:9/hook', after: null });
    expect(by('profile.registered')[0]!).toMatchObject({
      actor: { kind: 'client', id: app.body.credentials.client_id },
      target: { type: 'profile', id: 'chat/prod' },
      changes: { inference_profile_arn: { before: null, after: ARN } },
    });
    expect(by('token.revoked')[0]!.changes.token_type).toEqual({ before: null, after: 'refresh' });

    // No secret, token, key or hash, whatever field it could hide in.
    const hashes = [
      (await h.storage.credentials.get(orgCred.client_id))!,
      (await h.storage.credentials.get(app.body.credentials.client_id))!,
    ].flatMap((c) => [c.secretHash, c.previousSecretHash ?? '']);
    for (const s of [...secrets, ...hashes.filter(Boolean)]) expect(raw.includes(s)).toBe(false);
    expect(raw).not.toMatch(/\$2[aby]?\$/);
    expect(raw).not.toMatch(/whsec_/);
    expect(raw).not.toMatch(/secret_hash|"secret"|client_secret/);
  });

  it('filters by action, actor and time, pages with sealed cursors, and refuses forged or foreign cursors', async () => {
    const p = await provision(h, {}, ['a', 'b', 'c']);
    const other = await provision(h, {}, ['x', 'y', 'z']);
    const { access } = await tokens(h, p.org);
    const all = await trail(p.orgId);
    // Written at one instant (the clock stands still): the order among them is by event id.
    expect(all.items.map((i) => i.action).sort()).toEqual([
      'app.created',
      'app.created',
      'app.created',
      'org.created',
    ]);
    expect(all.items.map((i) => i.event_id)).toEqual(
      [...all.items].sort((a, b) => (a.event_id < b.event_id ? 1 : -1)).map((i) => i.event_id),
    );
    expect(new Set(all.items.map((i) => i.event_id)).size).toBe(4);
    // The org token reads its own trail too.
    expect((await trail(p.orgId, '', access)).items).toEqual(all.items);
    expect((await trail(p.orgId, 'action=org.created')).items.map((i) => i.action)).toEqual(['org.created']);
    expect((await trail(p.orgId, `actor=${FINGERPRINT}`)).items).toHaveLength(4);
    expect((await trail(p.orgId, 'actor=someone-else')).items).toHaveLength(0);
    const newest = all.items[0]!.occurred_at;
    expect((await trail(p.orgId, `from=${encodeURIComponent(newest)}`)).items.length).toBeGreaterThan(0);
    expect((await trail(p.orgId, `to=${encodeURIComponent('2020-01-01T00:00:00Z')}`)).items).toHaveLength(0);

    const first = await admin(h.http.get(`/api/v1/orgs/${p.orgId}/audit?limit=1`));
    const cursor = first.body.next_cursor as string;
    expect(typeof cursor).toBe('string');
    const otherFirst = await admin(h.http.get(`/api/v1/orgs/${other.orgId}/audit?limit=1`));
    for (const bad of [
      // Another org's cursor, a forged one, one reused with other filters.
      { org: p.orgId, q: `cursor=${encodeURIComponent(otherFirst.body.next_cursor)}` },
      { org: p.orgId, q: `cursor=${Buffer.from('{"sk":"AT#"}').toString('base64url')}` },
      { org: p.orgId, q: `action=app.created&cursor=${encodeURIComponent(cursor)}` },
      { org: other.orgId, q: `cursor=${encodeURIComponent(cursor)}` },
    ]) {
      const r = await admin(h.http.get(`/api/v1/orgs/${bad.org}/audit?limit=1&${bad.q}`));
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(r.body.details.fields[0].field).toBe('cursor');
    }
  });

  it('answers bad input, other callers and unknown orgs with clear 4xx', async () => {
    const p = await provision(h);
    const other = await provision(h);
    const appTok = await tokens(h, p.apps.chat!);
    const otherTok = await tokens(h, other.org);
    const url = `/api/v1/orgs/${p.orgId}/audit`;
    for (const q of [
      'limit=0',
      'limit=1001',
      'limit=x',
      'action=org.deleted',
      'from=yesterday',
      'to=1',
      'bogus=1',
    ]) {
      const r = await admin(h.http.get(`${url}?${q}`));
      expect([q, r.status]).toEqual([q, 400]);
      expectErrorBody(r.body, 'INVALID_REQUEST');
    }
    expect((await admin(h.http.get(`${url}?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`))).status).toBe(
      400,
    );
    expect((await h.http.get(url)).status).toBe(401);
    expect((await h.http.get(url).set('Authorization', `Bearer ${appTok.access}`)).status).toBe(403);
    expect((await h.http.get(url).set('Authorization', `Bearer ${otherTok.access}`)).status).toBe(403);
    expect((await admin(h.http.get(`/api/v1/orgs/${uniqueId()}/audit`))).status).toBe(404);
    expect((await admin(h.http.get('/api/v1/orgs/not-a-uuid/audit'))).status).toBe(400);
  });

  it('keeps failed admin-key and token attempts apart, at most one per source and minute', async () => {
    h.clock.set(new Date('2026-12-02T11:00:05.000Z'));
    const p = await provision(h);
    const before = await trail(p.orgId);
    const badKey = (ip: string) =>
      h.http
        .get(`/api/v1/orgs/${p.orgId}`)
        .set('X-API-Key', 'wrong-key-wrong-key-wrong-key')
        .set('X-Forwarded-For', ip)
        .set('User-Agent', 'scanner/9');
    for (let i = 0; i < 25; i++) expect((await badKey('198.51.100.1')).status).toBe(401);
    expect((await badKey('198.51.100.2')).status).toBe(401);
    const badToken = await h.http
      .post('/auth/token')
      .set('X-Forwarded-For', '198.51.100.3')
      .send({ grant_type: 'client_credentials', client_id: p.org.client_id, client_secret: 'nope-nope' });
    expect(badToken.status).toBe(401);
    h.clock.advance(60_000);
    expect((await badKey('198.51.100.1')).status).toBe(401);

    const failures = async () => {
      const r = await admin(h.http.get('/api/v1/audit/failures?from=2026-12-02T11:00:00Z'));
      expect(r.status).toBe(200);
      return r;
    };
    const r = await failures();
    expect(
      r.body.items.map((f: Record<string, unknown>) => [
        f.minute,
        f.source_ip,
        f.attempt,
        f.client_id ?? null,
      ]),
    ).toEqual([
      ['2026-12-02T11:01', '198.51.100.1', 'admin_key', null],
      ['2026-12-02T11:00', '198.51.100.3', 'token', p.org.client_id],
      ['2026-12-02T11:00', '198.51.100.2', 'admin_key', null],
      ['2026-12-02T11:00', '198.51.100.1', 'admin_key', null],
    ]);
    expect(r.body.items[3]).toMatchObject({ user_agent: 'scanner/9', outcome: 'failure' });
    expect(r.body.items[3].org_id).toBeUndefined();
    expect(r.body.items[1].org_id).toBe(p.orgId);
    expect(r.text).not.toContain('wrong-key');
    expect(r.text).not.toContain('nope-nope');
    // The org's own trail is untouched by the flood.
    expect((await trail(p.orgId)).items).toEqual(before.items);
    // Admin only.
    const { access } = await tokens(h, p.org);
    expect((await h.http.get('/api/v1/audit/failures').set('Authorization', `Bearer ${access}`)).status).toBe(
      401,
    );
    expect((await admin(h.http.get('/api/v1/audit/failures?limit=0'))).status).toBe(400);
    // (That bearer call to an admin route was a failed admin-key attempt too.) Paging 1 a page, sealed.
    const everything = (await failures()).body.items as unknown[];
    expect(everything).toHaveLength(5);
    const paged: unknown[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const c: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: { body: { items: unknown[]; next_cursor: string | null } } = await admin(
        h.http.get(`/api/v1/audit/failures?from=2026-12-02T11:00:00Z&limit=2${c}`),
      );
      paged.push(...page.body.items);
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(everything);
    const first = await admin(h.http.get('/api/v1/audit/failures?limit=1'));
    const forged = await admin(h.http.get(`/api/v1/audit/failures?cursor=${first.body.next_cursor}x`));
    expect(forged.status).toBe(400);
  });
});
