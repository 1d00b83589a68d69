import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueId } from '#core-domain/testing';
import { ADMIN_KEY, expectErrorBody, startApp, STORAGES, type Harness } from './harness.js';

const orgBody = {
  org_name: 'Acme',
  timezone: 'America/New_York',
  quota_scope: 'APP',
  model_ordering: ['premium', 'standard', 'economy'],
  quotas: { premium: 10000000, standard: 5000000, economy: 2000000 },
};

describe.each(STORAGES)('provisioning routes on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind);
  });
  afterAll(async () => h.close());
  const admin = (req: ReturnType<Harness['http']['get']>) => req.set('X-API-Key', ADMIN_KEY);

  it('PUT org: 201 with credentials once, then 200 updates without new credentials', async () => {
    const orgId = uniqueId();
    const created = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send(orgBody);
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toMatchObject({
      org_id: orgId,
      status: 'created',
      credentials: { client_id: `org-${orgId}` },
      configuration: {
        timezone: 'America/New_York',
        quota_scope: 'APP',
        model_ordering: ['premium', 'standard', 'economy'],
        quotas: orgBody.quotas,
        agg_shard_count: 8,
        tight_mode_threshold_pct: 95,
        sticky_fallback_enabled: true,
      },
    });
    expect(created.body.credentials.client_secret).toMatch(/^[A-Za-z0-9+/]{43}=$/); // 32 random bytes, base64
    const updated = await admin(h.http.put(`/api/v1/orgs/${orgId.toUpperCase()}`)).send({
      ...orgBody,
      org_name: 'Acme 2',
      overrides: { tight_mode_threshold_pct: 80 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.status).toBe('updated');
    expect(updated.body.credentials).toBeUndefined();
    expect(updated.body.configuration.tight_mode_threshold_pct).toBe(80);
  });

  it('GET org and app never return secrets or hashes', async () => {
    const orgId = uniqueId();
    const o = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send(orgBody);
    const a = await admin(h.http.put(`/api/v1/orgs/${orgId}/apps/chat`)).send({
      app_name: 'Chat',
      quotas: { premium: 42 },
      overrides: { refresh_interval_secs: 120 },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      org_id: orgId,
      app_id: 'chat',
      status: 'created',
      credentials: { client_id: `org-${orgId}-app-chat` },
      configuration: {
        app_name: 'Chat',
        model_ordering: ['premium', 'standard', 'economy'],
        quotas: { premium: 42, standard: 5000000, economy: 2000000 },
      },
    });
    const getOrg = await admin(h.http.get(`/api/v1/orgs/${orgId}`));
    expect(getOrg.status).toBe(200);
    expect(getOrg.body).toMatchObject({
      org_id: orgId,
      configuration: { org_name: 'Acme' },
      apps: [{ app_id: 'chat', app_name: 'Chat' }],
    });
    const getApp = await admin(h.http.get(`/api/v1/orgs/${orgId}/apps/chat`));
    expect(getApp.status).toBe(200);
    expect(getApp.body).toMatchObject({
      app_id: 'chat',
      overrides: { quotas: { premium: 42 }, refresh_interval_secs: 120 },
      effective_configuration: {
        quotas: { premium: 42 },
        refresh_interval_secs: 120,
        timezone: 'America/New_York',
      },
    });
    for (const text of [JSON.stringify(getOrg.body), JSON.stringify(getApp.body)]) {
      expect(text).not.toContain(o.body.credentials.client_secret);
      expect(text).not.toContain(a.body.credentials.client_secret);
      expect(text).not.toMatch(/secret|hash|\$2[aby]\$/i);
    }
  });

  it('400 INVALID_REQUEST lists every bad field; 400 INVALID_CONFIG for configs that cannot work', async () => {
    const orgId = uniqueId();
    const bad = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({
      org_name: 7,
      timezone: 'Mars/Base',
      quota_scope: 'TEAM',
      bogus: true,
    });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 'INVALID_REQUEST');
    expect([...new Set(bad.body.details.fields.map((f: { field: string }) => f.field))].sort()).toEqual([
      'bogus',
      'org_name',
      'quota_scope',
    ]);
    const tz = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({ ...orgBody, timezone: 'Mars/Base' });
    expect(tz.status).toBe(400);
    expect(tz.body.details.fields).toEqual([
      { field: 'timezone', message: 'must be an IANA timezone such as Europe/Paris' },
    ]);
    const unknownLabel = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({
      ...orgBody,
      model_ordering: ['premium', 'turbo'],
    });
    expect(unknownLabel.status).toBe(400);
    expectErrorBody(unknownLabel.body, 'INVALID_CONFIG');
    const missingQuota = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({
      ...orgBody,
      quotas: { premium: 1 },
    });
    expectErrorBody(missingQuota.body, 'INVALID_CONFIG');
    expect((await admin(h.http.get(`/api/v1/orgs/${orgId}`))).status).toBe(404); // nothing half-written
    await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({ ...orgBody, overrides: { agg_shard_count: 16 } });
    const shard = await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({
      ...orgBody,
      overrides: { agg_shard_count: 32 },
    });
    expect(shard.status).toBe(400);
    expectErrorBody(shard.body, 'INVALID_CONFIG');
  });

  it('app quotas on an ORG-scoped org are INVALID_CONFIG; an unknown org is 404', async () => {
    const orgId = uniqueId();
    await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send({ ...orgBody, quota_scope: 'ORG' });
    const r = await admin(h.http.put(`/api/v1/orgs/${orgId}/apps/a`)).send({
      app_name: 'A',
      quotas: { premium: 1 },
    });
    expect(r.status).toBe(400);
    expectErrorBody(r.body, 'INVALID_CONFIG');
    const nf = await admin(h.http.put(`/api/v1/orgs/${uniqueId()}/apps/a`)).send({ app_name: 'A' });
    expect(nf.status).toBe(404);
    expectErrorBody(nf.body, 'NOT_FOUND');
    expect((await admin(h.http.get(`/api/v1/orgs/${orgId}/apps/none`))).status).toBe(404);
    const badId = await admin(h.http.put(`/api/v1/orgs/${orgId}/apps/bad%23id`)).send({ app_name: 'A' });
    expect(badId.status).toBe(400);
    expect(badId.body.details.fields[0].field).toBe('app_id');
  });

  it('rotation: 200 with a new secret; grace_period_hours is 0..168; 404 for unknown orgs', async () => {
    const orgId = uniqueId();
    await admin(h.http.put(`/api/v1/orgs/${orgId}`)).send(orgBody);
    const r = await admin(h.http.post(`/api/v1/orgs/${orgId}/credentials/rotate`)).send({});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ client_id: `org-${orgId}`, grace_period_hours: 24 });
    expect(Date.parse(r.body.old_secret_expires_at) - Date.parse(r.body.rotated_at)).toBe(24 * 3600 * 1000);
    const tooLong = await admin(h.http.post(`/api/v1/orgs/${orgId}/credentials/rotate`)).send({
      grace_period_hours: 169,
    });
    expect(tooLong.status).toBe(400);
    const notInt = await admin(h.http.post(`/api/v1/orgs/${orgId}/credentials/rotate`)).send({
      grace_period_hours: '2',
    });
    expect(notInt.status).toBe(400);
    expect((await admin(h.http.post(`/api/v1/orgs/${uniqueId()}/credentials/rotate`)).send({})).status).toBe(
      404,
    );
  });

  it('401 without or with a wrong X-API-Key', async () => {
    const orgId = uniqueId();
    for (const key of [undefined, 'wrong', ADMIN_KEY.slice(0, -1)]) {
      const req = h.http.put(`/api/v1/orgs/${orgId}`);
      const r = await (key === undefined ? req : req.set('X-API-Key', key)).send(orgBody);
      expect(r.status).toBe(401);
      expectErrorBody(r.body, 'UNAUTHORIZED');
    }
  });
});
