// Budgets over weeks and months (budgets.md) end to end, on memory and on DynamoDB Local: the HTTP
// app, the aggregator pass the worker runs, and a clock the test moves.
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

// 2026-12-22 is a Tuesday; 10:00 in New York. The clock only moves forward (the aggregator's cursor).
const NOW = '2026-12-22T15:00:00Z';
const PREMIUM = {
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
}; // 3,760

describe.each(STORAGES)('budgets on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-12-16T15:00:00Z' });
  });
  afterAll(async () => h.close());

  const as = (token: string) => ({
    get: (path: string) => h.http.get(path).set('Authorization', `Bearer ${token}`),
  });
  const spend = async (orgId: string, appId: string, token: string, n: number, body = PREMIUM) => {
    for (let i = 0; i < n; i++) {
      const r = await h.http
        .post(`/api/v1/orgs/${orgId}/apps/${appId}/usage`)
        .set('Authorization', `Bearer ${token}`)
        .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...body });
      expect(r.status).toBe(202);
    }
    await h.keeper.aggregator.runPass();
    h.clock.advanceSecs(5);
  };

  it('a weekly budget on premium: selection falls back with BUDGET_EXCEEDED_WEEK_PREMIUM and names the binding line', async () => {
    h.clock.set('2026-12-16T15:00:00Z'); // a Wednesday: the next day is in the same week
    const p = await provision(h, {
      timezone: 'America/New_York',
      budgets: [{ window: 'WEEK', limit_usd_micros: 5000, label: 'premium' }],
    });
    const app = (await tokens(h, p.apps.chat!)).access;
    const before = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/model-selection`);
    expect(before.body.recommended_model).toMatchObject({ label: 'premium', reason: 'NORMAL' });
    expect(before.body.quota_status.budgets).toContainEqual(
      expect.objectContaining({
        window: 'WEEK',
        label: 'premium',
        source: 'BUDGET',
        period: expect.objectContaining({ key: 'W#2026-12-14' }),
      }),
    );
    await spend(p.orgId, 'chat', app, 2);
    const sel = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/model-selection`);
    expect(sel.status).toBe(200);
    expect(sel.body.recommended_model).toMatchObject({
      label: 'standard',
      reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM',
    });
    expect(sel.body.quota_status.models_status.premium.status).toBe('EXCEEDED');
    expect(sel.body.quota_status.binding).toMatchObject({ window: 'DAY', label: 'standard', scope: 'ORG' });
    // Still out the next day (same week), by its spend: the reason stays the budget's. The Monday after, premium is back.
    h.clock.advanceSecs(86400);
    const app2 = (await tokens(h, p.apps.chat!)).access; // the morning's token has expired
    const next = await as(app2).get(`/api/v1/orgs/${p.orgId}/apps/chat/model-selection`);
    expect(next.body.recommended_model).toMatchObject({
      label: 'standard',
      reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM',
    });
    // A usage answer on premium says EXCEEDED and names the week line.
    const u = await h.http
      .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`)
      .set('Authorization', `Bearer ${app2}`)
      .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...PREMIUM });
    expect(u.body.quota_status).toMatchObject({
      mode: 'EXCEEDED',
      binding: { window: 'WEEK', label: 'premium' },
    });
  });

  it('a monthly all-label budget exhausted mid-month: 429 with retry_after at the 1st of next month, local midnight', async () => {
    h.clock.set(NOW);
    const p = await provision(h, {
      timezone: 'America/New_York',
      budgets: [{ window: 'MONTH', limit_usd_micros: 7000 }],
    });
    const app = (await tokens(h, p.apps.chat!)).access;
    await spend(p.orgId, 'chat', app, 2); // 7,520 > 7,000
    const sel = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/model-selection`);
    expect(sel.status).toBe(429);
    expectErrorBody(sel.body, 'QUOTA_EXCEEDED');
    expect(sel.body.retry_after).toBe('2027-01-01T05:00:00Z');
    // The org's budgets view shows the line exhausted, with its month.
    const org = (await tokens(h, p.org)).access;
    const b = await as(org).get(`/api/v1/orgs/${p.orgId}/budgets`);
    expect(b.status).toBe(200);
    const month = b.body.lines.find((l: { window: string; source: string }) => l.window === 'MONTH')!;
    expect(month).toMatchObject({
      scope: 'ORG',
      label: null,
      source: 'BUDGET',
      spend_usd_micros: 7520,
      limit_usd_micros: 7000,
      status: 'EXCEEDED',
      period: { key: 'M#2026-12', start: '2026-12-01T05:00:00Z', end: '2027-01-01T05:00:00Z' },
      resets_at: '2027-01-01T05:00:00Z',
      forecast: { status: 'exhausted', projected_end_usd_micros: null },
    });
    expect(typeof month.as_of).toBe('string');
  });

  it('GET .../budgets shows every line with its period and forecast; the app view adds org and app budgets', async () => {
    h.clock.set(NOW);
    const p = await provision(h, {
      timezone: 'America/New_York',
      quota_scope: 'APP',
      week_starts_on: 'SUNDAY',
      budgets: [{ window: 'MONTH', limit_usd_micros: 90_000_000 }],
    });
    const put = await h.http
      .put(`/api/v1/orgs/${p.orgId}/apps/chat`)
      .set('X-API-Key', ADMIN_KEY)
      .send({
        app_name: 'chat',
        budgets: [{ window: 'WEEK', limit_usd_micros: 1_000_000, label: 'premium' }],
      });
    expect(put.status).toBe(200);
    const app = (await tokens(h, p.apps.chat!)).access;
    await spend(p.orgId, 'chat', app, 1);
    const b = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/budgets`);
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ org_id: p.orgId, app_id: 'chat', week_starts_on: 'SUNDAY' });
    const lines = b.body.lines as Array<Record<string, unknown>>;
    expect(lines.filter((l) => l.source === 'QUOTA')).toHaveLength(3);
    expect(lines).toContainEqual(
      expect.objectContaining({ scope: 'ORG', window: 'MONTH', label: null, spend_usd_micros: 3760 }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        scope: 'APP',
        window: 'WEEK',
        label: 'premium',
        spend_usd_micros: 3760,
        period: expect.objectContaining({ key: 'W#2026-12-20' }),
      }),
    );
    for (const l of lines) expect(l.forecast).toMatchObject({ status: 'insufficient_data' }); // a new org
    // ?at= a past date: the periods containing it, no forecast for the closed ones.
    const past = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/budgets?at=2026-11-15`);
    expect(past.status).toBe(200);
    expect(past.body.lines.find((l: { window: string }) => l.window === 'MONTH')).toMatchObject({
      period: { key: 'M#2026-11' },
      spend_usd_micros: 0,
      forecast: null,
    });
    const bad = await as(app).get(`/api/v1/orgs/${p.orgId}/apps/chat/budgets?at=2027-01-01`);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 'INVALID_REQUEST');
    // App budgets on an ORG-scoped org: INVALID_CONFIG; a duplicate budget too.
    const orgScoped = await provision(h, {}, ['x']);
    const refused = await h.http
      .put(`/api/v1/orgs/${orgScoped.orgId}/apps/x`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ app_name: 'x', budgets: [{ window: 'WEEK', limit_usd_micros: 1 }] });
    expect(refused.status).toBe(400);
    expectErrorBody(refused.body, 'INVALID_CONFIG');
    const dup = await h.http
      .put(`/api/v1/orgs/${uniqueId()}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({
        org_name: 'Dup',
        timezone: 'UTC',
        quota_scope: 'ORG',
        budgets: [
          { window: 'WEEK', limit_usd_micros: 1 },
          { window: 'WEEK', limit_usd_micros: 2 },
        ],
      });
    expect(dup.status).toBe(400);
    expectErrorBody(dup.body, 'INVALID_CONFIG');
    // GET org shows the budgets and the week start.
    const got = await h.http.get(`/api/v1/orgs/${p.orgId}`).set('X-API-Key', ADMIN_KEY);
    expect(got.body.configuration).toMatchObject({
      week_starts_on: 'SUNDAY',
      budgets: [{ window: 'MONTH', limit_usd_micros: 90_000_000 }],
    });
  });

  it('period aggregates answer for day, week (Monday and Sunday starts) and month; bad periods are 400 with details.expected', async () => {
    h.clock.set(NOW);
    const monday = await provision(h, { timezone: 'America/New_York' });
    const sunday = await provision(h, { timezone: 'America/New_York', week_starts_on: 'SUNDAY' });
    for (const p of [monday, sunday]) await spend(p.orgId, 'chat', (await tokens(h, p.apps.chat!)).access, 1);
    const mt = (await tokens(h, monday.org)).access;
    const st = (await tokens(h, sunday.org)).access;
    const base = (id: string) => `/api/v1/orgs/${id}/aggregates/periods`;
    const week = await as(mt).get(`${base(monday.orgId)}/week/2026-12-21`);
    expect(week.status).toBe(200);
    expect(week.body).toMatchObject({
      period: { key: 'W#2026-12-21', start: '2026-12-21T05:00:00Z', end: '2026-12-28T05:00:00Z' },
      total_cost_usd_micros: 3760,
      models: { premium: { cost_usd_micros: 3760, requests: 1 } },
    });
    const sun = await as(st).get(`${base(sunday.orgId)}/week/2026-12-20`);
    expect(sun.status).toBe(200);
    expect(sun.body.period.key).toBe('W#2026-12-20');
    expect(sun.body.total_cost_usd_micros).toBe(3760);
    const month = await as(mt).get(`${base(monday.orgId)}/month/2026-12`);
    expect(month.body).toMatchObject({ period: { key: 'M#2026-12' }, total_cost_usd_micros: 3760 });
    const day = await as(mt).get(`${base(monday.orgId)}/day/2026-12-22`);
    expect(day.body).toMatchObject({ period: { key: 'D#2026-12-22' }, total_cost_usd_micros: 3760 });
    // The week before has no data: 404.
    expect((await as(mt).get(`${base(monday.orgId)}/week/2026-12-14`)).status).toBe(404);
    const app = await as((await tokens(h, monday.apps.chat!)).access).get(
      `/api/v1/orgs/${monday.orgId}/apps/chat/aggregates/periods/month/2026-12`,
    );
    expect(app.body).toMatchObject({ app_id: 'chat', total_cost_usd_micros: 3760 });
    // A Wednesday for a Monday-start org, a 13th month, an unknown window: 400 with details.expected.
    for (const path of ['week/2026-12-16', 'month/2026-13', 'year/2026']) {
      const r = await as(mt).get(`${base(monday.orgId)}/${path}`);
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(typeof r.body.details.expected).toBe('string');
    }
    expect((await as(mt).get(`${base(monday.orgId)}/week/2026-12-16`)).body.details.expected).toContain(
      '2026-12-14',
    );
    // A future period: 400; a past one with no data: 404.
    expect((await as(mt).get(`${base(monday.orgId)}/month/2027-01`)).status).toBe(400);
    expect((await as(mt).get(`${base(monday.orgId)}/month/2026-11`)).status).toBe(404);
    // An app token on the org route: 403.
    const appToken = (await tokens(h, monday.apps.chat!)).access;
    expect((await as(appToken).get(`${base(monday.orgId)}/month/2026-12`)).status).toBe(403);
  });
});
