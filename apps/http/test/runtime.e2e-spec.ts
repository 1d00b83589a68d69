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

const PREMIUM = {
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
}; // 3,760
const STANDARD = {
  model_label: 'standard',
  bedrock_model_id: 'amazon.nova-2-lite-v1:0',
  input_tokens: 10000,
  output_tokens: 2000,
}; // 8,800
const ECONOMY = {
  model_label: 'economy',
  bedrock_model_id: 'amazon.nova-micro-v1:0',
  input_tokens: 5000,
  output_tokens: 1000,
}; // 315

describe.each(STORAGES)('model selection and usage on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-03-10T03:00:00Z' }); // 12:00 in Tokyo
  });
  afterAll(async () => h.close());

  const usage = (orgId: string, appId: string, token: string, body: Record<string, unknown>) =>
    h.http
      .post(`/api/v1/orgs/${orgId}/apps/${appId}/usage`)
      .set('Authorization', `Bearer ${token}`)
      .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...body });
  const select = (orgId: string, appId: string, token: string, query = '') =>
    h.http
      .get(`/api/v1/orgs/${orgId}/apps/${appId}/model-selection${query}`)
      .set('Authorization', `Bearer ${token}`);

  it('latency_ms: an integer from 0 to 3,600,000 is accepted (202); anything else is a 400 naming latency_ms', async () => {
    h.clock.set('2026-03-10T03:00:00Z');
    const p = await provision(h, { timezone: 'Asia/Tokyo', quota_scope: 'ORG' });
    const t = (await tokens(h, p.apps.chat!)).access;
    const call = {
      model_label: 'premium',
      bedrock_model_id: 'amazon.nova-pro-v1:0',
      input_tokens: 10,
      output_tokens: 5,
    };
    for (const ok of [0, 2350, 3_600_000]) {
      expect((await usage(p.orgId, 'chat', t, { ...call, latency_ms: ok })).status).toBe(202);
    }
    for (const bad of [-1, 2.5, '2350', 3_600_001, null]) {
      const r = await usage(p.orgId, 'chat', t, { ...call, latency_ms: bad });
      expect(r.status).toBe(400);
      expect(r.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['latency_ms']);
    }
  });

  it('walks a whole org day: NORMAL -> TIGHT -> fallback -> sticky -> all exhausted (429) -> local midnight resets', async () => {
    h.clock.set('2026-03-10T03:00:00Z');
    const p = await provision(h, {
      timezone: 'Asia/Tokyo',
      quota_scope: 'ORG',
      quotas: { premium: 37600, standard: 17600, economy: 315 },
      overrides: { tight_mode_threshold_pct: 85 },
    });
    const t = (await tokens(h, p.apps.chat!)).access;
    const sel = await select(p.orgId, 'chat', t);
    expect(sel.status).toBe(200);
    expect(sel.headers['cache-control']).toBe('private, max-age=300');
    expect(sel.body).toMatchObject({
      org_id: p.orgId,
      app_id: 'chat',
      recommended_model: { label: 'premium', bedrock_model_id: 'amazon.nova-pro-v1:0', reason: 'NORMAL' },
      quota_status: {
        scope: 'ORG',
        mode: 'NORMAL',
        current_model: 'premium',
        spend_usd_micros: 0,
        quota_usd_micros: 37600,
        quota_pct: 0,
        sticky_fallback_active: false,
      },
      pricing: {
        input_price_usd_micros_per_1m: 800000,
        output_price_usd_micros_per_1m: 3200000,
        source: 'CONFIG_FALLBACK',
      },
      client_guidance: { check_frequency: 'PERIODIC_300S', cache_duration_secs: 300 },
      org_day: '20260310',
      org_local_time: '2026-03-10T12:00:00+09:00',
    });
    expect(Object.keys(sel.body.quota_status.models_status)).toEqual(['premium', 'standard', 'economy']);
    const notModified = await select(p.orgId, 'chat', t).set('If-None-Match', sel.headers.etag!);
    expect(notModified.status).toBe(304);

    const first = await usage(p.orgId, 'chat', t, PREMIUM);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'accepted',
      duplicate: false,
      processing: { cost_usd_micros: 3760, expected_aggregation_lag_secs: 60 },
      quota_status: {
        model_label: 'premium',
        spend_usd_micros: 3760,
        quota_usd_micros: 37600,
        quota_pct: 10,
        mode: 'NORMAL',
      },
    });
    for (let i = 0; i < 7; i++) expect((await usage(p.orgId, 'chat', t, PREMIUM)).status).toBe(202);
    await h.keeper.aggregator.runPass();
    expect((await select(p.orgId, 'chat', t)).body.quota_status.mode).toBe('NORMAL'); // 80%

    await usage(p.orgId, 'chat', t, PREMIUM);
    h.clock.advanceSecs(60);
    await h.keeper.aggregator.runPass();
    const tight = await select(p.orgId, 'chat', t);
    expect(tight.body.quota_status).toMatchObject({ mode: 'TIGHT', quota_pct: 90 });
    expect(tight.body.client_guidance).toMatchObject({
      check_frequency: 'PERIODIC_10S',
      cache_duration_secs: 10,
    });
    expect(tight.headers['cache-control']).toBe('private, max-age=10');

    const crossing = await usage(p.orgId, 'chat', t, PREMIUM); // 100% live; the aggregate still says 90%
    expect(crossing.body.quota_status).toMatchObject({ spend_usd_micros: 37600, mode: 'EXCEEDED' });
    const fallback = await select(p.orgId, 'chat', t);
    expect(fallback.body.recommended_model).toMatchObject({
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
    });
    expect(fallback.body.quota_status.sticky_fallback_active).toBe(true);
    expect((await select(p.orgId, 'chat', t)).body.recommended_model).toMatchObject({
      label: 'standard',
      reason: 'STICKY_FALLBACK',
    });

    expect((await usage(p.orgId, 'chat', t, STANDARD)).body.processing.cost_usd_micros).toBe(8800);
    const standardOut = await usage(p.orgId, 'chat', t, STANDARD);
    expect(standardOut.body.quota_status.mode).toBe('EXCEEDED');
    // The client re-selects at once with force_check (live spend for every label).
    const forced = await select(p.orgId, 'chat', t, '?force_check=true');
    expect(forced.body.recommended_model).toMatchObject({
      label: 'economy',
      reason: 'QUOTA_EXCEEDED_STANDARD',
    });

    const econ = await usage(p.orgId, 'chat', t, ECONOMY);
    expect(econ.body.processing.cost_usd_micros).toBe(315);
    expect(econ.body.quota_status.mode).toBe('EXCEEDED');
    const exhausted = await select(p.orgId, 'chat', t, '?force_check=true');
    expect(exhausted.status).toBe(429);
    expectErrorBody(exhausted.body, 'QUOTA_EXCEEDED');
    expect(exhausted.body.retry_after).toBe('2026-03-10T15:00:00Z'); // next midnight in Tokyo, in UTC
    expect(Number(exhausted.headers['retry-after'])).toBe(15 * 3600 - 3 * 3600 - 60);
    expect(exhausted.body.details).toMatchObject({
      org_id: p.orgId,
      app_id: 'chat',
      date: '2026-03-10',
      models: { premium: { exceeded: true }, standard: { exceeded: true }, economy: { exceeded: true } },
    });

    h.clock.set('2026-03-10T15:00:01Z'); // 00:00:01 in Tokyo; the morning's access token has expired
    expect((await select(p.orgId, 'chat', t)).status).toBe(401);
    const next = await select(p.orgId, 'chat', (await tokens(h, p.apps.chat!)).access);
    expect(next.status).toBe(200);
    expect(next.body.recommended_model).toMatchObject({ label: 'premium', reason: 'NORMAL' });
    expect(next.body.org_day).toBe('20260311');
  });

  it('ORG scope shares spend across apps; APP scope keeps each app apart', async () => {
    for (const scope of ['ORG', 'APP']) {
      h.clock.set('2026-03-12T03:00:00Z');
      const p = await provision(
        h,
        { quota_scope: scope, quotas: { premium: 3760, standard: 100000, economy: 100000 } },
        ['a', 'b'],
      );
      const ta = (await tokens(h, p.apps.a!)).access;
      const tb = (await tokens(h, p.apps.b!)).access;
      await usage(p.orgId, 'a', ta, PREMIUM);
      await h.keeper.aggregator.runPass();
      expect((await select(p.orgId, 'a', ta)).body.recommended_model.label).toBe('standard');
      expect((await select(p.orgId, 'b', tb)).body.recommended_model.label).toBe(
        scope === 'ORG' ? 'standard' : 'premium',
      );
    }
  });

  it('a duplicate request_id is counted once and returns the first cost', async () => {
    const p = await provision(h);
    const t = (await tokens(h, p.apps.chat!)).access;
    const requestId = uniqueId();
    const a = await usage(p.orgId, 'chat', t, { ...PREMIUM, request_id: requestId });
    const b = await usage(p.orgId, 'chat', t, { ...ECONOMY, request_id: requestId });
    expect(a.body.duplicate).toBe(false);
    expect(b.status).toBe(202);
    expect(b.body).toMatchObject({ duplicate: true, processing: { cost_usd_micros: 3760 } });
    await h.keeper.aggregator.runPass();
    const agg = await h.http
      .get(`/api/v1/orgs/${p.orgId}/aggregates/today`)
      .set('Authorization', `Bearer ${(await tokens(h, p.org)).access}`);
    expect(agg.body.models.premium).toMatchObject({ requests: 1, cost_usd_micros: 3760 });
    expect(agg.body.models.economy.requests).toBe(0);
  });

  it('400 for timestamps in the future or older than 24 h (details.acceptable_range), bad fields, unknown labels', async () => {
    const p = await provision(h);
    const t = (await tokens(h, p.apps.chat!)).access;
    for (const offset of [6 * 60 * 1000, -(24 * 3600 * 1000 + 1000)]) {
      const r = await usage(p.orgId, 'chat', t, {
        ...PREMIUM,
        timestamp: new Date(h.clock.now().getTime() + offset).toISOString(),
      });
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(Object.keys(r.body.details.acceptable_range)).toEqual(['earliest', 'latest']);
    }
    const bad = await usage(p.orgId, 'chat', t, {
      ...PREMIUM,
      input_tokens: -1,
      request_id: 'nope',
      cost_usd_micros: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields.map((f: { field: string }) => f.field)).toContain('cost_usd_micros');
    const label = await usage(p.orgId, 'chat', t, { ...PREMIUM, model_label: 'turbo' });
    expect(label.status).toBe(400);
    expectErrorBody(label.body, 'INVALID_MODEL_LABEL');
    expect(label.body.details.configured_labels).toEqual(['premium', 'standard', 'economy']);
  });

  it('batch: 207 with per-item results; one bad item never fails the others; 1..100 items', async () => {
    const p = await provision(h);
    const t = (await tokens(h, p.apps.chat!)).access;
    const dup = uniqueId();
    await usage(p.orgId, 'chat', t, { ...PREMIUM, request_id: dup });
    const item = (over: Record<string, unknown> = {}) => ({
      request_id: uniqueId(),
      status: 'OK',
      timestamp: h.clock.now().toISOString(),
      ...PREMIUM,
      ...over,
    });
    const batch = (requests: unknown) =>
      h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage/batch`)
        .set('Authorization', `Bearer ${t}`)
        .send({ requests });
    const r = await batch([
      item(),
      item({ input_tokens: 'x' }),
      item({ request_id: dup }),
      'not an object',
      item({ bogus: 1 }),
    ]);
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ accepted: 1, failed: 3, duplicates: 1 });
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual([
      'accepted',
      'failed',
      'duplicate',
      'failed',
      'failed',
    ]);
    expect(r.body.results[0]).toMatchObject({ shard_id: expect.any(Number), cost_usd_micros: 3760 });
    expect(r.body.results[1].error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await batch([])).status).toBe(400);
    expect((await batch(Array.from({ length: 101 }, () => item()))).status).toBe(400);
    expect((await batch(Array.from({ length: 100 }, () => item()))).body.accepted).toBe(100);
  });

  it('403 for an app token on another app or another org; an org token may act on its apps', async () => {
    const p = await provision(h, {}, ['a', 'b']);
    const q = await provision(h, {}, ['a']);
    const ta = (await tokens(h, p.apps.a!)).access;
    const torg = (await tokens(h, p.org)).access;
    for (const r of [
      await select(p.orgId, 'b', ta),
      await select(q.orgId, 'a', ta),
      await usage(q.orgId, 'a', torg, PREMIUM),
    ]) {
      expect(r.status).toBe(403);
      expectErrorBody(r.body, 'FORBIDDEN');
    }
    expect((await select(p.orgId, 'b', torg)).status).toBe(200);
    expect((await usage(p.orgId, 'a', torg, PREMIUM)).status).toBe(202);
    const unknownApp = await select(p.orgId, 'zzz', torg);
    expect(unknownApp.status).toBe(404);
  });
});

describe.each(STORAGES)('aggregates on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-04-02T12:00:00Z' });
  });
  afterAll(async () => h.close());
  const get = (path: string, token: string) => h.http.get(path).set('Authorization', `Bearer ${token}`);

  it('org and app views, today and a past date, ETag, Cache-Control and X-Data-Lag-Secs', async () => {
    const p = await provision(h, { quota_scope: 'APP' }, ['a', 'b']);
    const torg = (await tokens(h, p.org)).access;
    const ta = (await tokens(h, p.apps.a!)).access;
    const empty = await get(`/api/v1/orgs/${p.orgId}/aggregates/today`, torg);
    expect(empty.status).toBe(200);
    expect(empty.body.models.premium).toMatchObject({
      cost_usd_micros: 0,
      requests: 0,
      quota_status: 'NORMAL',
    });
    const send = (app: string, token: string, body: Record<string, unknown>) =>
      h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/${app}/usage`)
        .set('Authorization', `Bearer ${token}`)
        .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...body });
    await send('a', ta, PREMIUM);
    await send('a', ta, PREMIUM);
    await send('b', torg, ECONOMY);
    await h.keeper.aggregator.runPass();
    h.clock.advanceSecs(12);
    const org = await get(`/api/v1/orgs/${p.orgId}/aggregates/today`, torg);
    expect(org.status).toBe(200);
    expect(org.headers['cache-control']).toBe('private, max-age=30');
    expect(org.headers['x-data-lag-secs']).toBe('12');
    expect(org.body).toMatchObject({
      org_id: p.orgId,
      date: '2026-04-02',
      timezone: 'UTC',
      quota_scope: 'APP',
      total_cost_usd_micros: 7835,
      apps: { a: { cost_usd_micros: 7520, requests: 2 }, b: { cost_usd_micros: 315, requests: 1 } },
    });
    expect(org.body.models.premium).toMatchObject({
      cost_usd_micros: 7520,
      requests: 2,
      average_cost_per_request: 3760,
      input_tokens: 3000,
      quota_usd_micros: 20000000,
    });
    expect(
      (await get(`/api/v1/orgs/${p.orgId}/aggregates/today`, torg).set('If-None-Match', org.headers.etag!))
        .status,
    ).toBe(304);
    const app = await get(`/api/v1/orgs/${p.orgId}/apps/a/aggregates/today`, ta);
    expect(app.body).toMatchObject({
      app_id: 'a',
      app_name: 'a',
      total_cost_usd_micros: 7520,
      current_active_model: 'premium',
      sticky_fallback_active: false,
    });
    expect(Object.keys(app.body.models)).toEqual(['premium', 'standard', 'economy']);
    const byDate = await get(`/api/v1/orgs/${p.orgId}/apps/a/aggregates/2026-04-02`, ta);
    expect(byDate.body.total_cost_usd_micros).toBe(7520);
  });

  it('an app token gets 403 on the org view; bad, future and empty dates', async () => {
    const p = await provision(h);
    const torg = (await tokens(h, p.org)).access;
    const tapp = (await tokens(h, p.apps.chat!)).access;
    const forbidden = await get(`/api/v1/orgs/${p.orgId}/aggregates/today`, tapp);
    expect(forbidden.status).toBe(403);
    expectErrorBody(forbidden.body, 'FORBIDDEN');
    const bad = await get(`/api/v1/orgs/${p.orgId}/aggregates/2026-13-45`, torg);
    expect(bad.status).toBe(400);
    expect(bad.body.details.expected_format).toBe('YYYY-MM-DD');
    expect((await get(`/api/v1/orgs/${p.orgId}/aggregates/04-02-2026`, torg)).status).toBe(400);
    const future = await get(`/api/v1/orgs/${p.orgId}/aggregates/2026-04-03`, torg);
    expect(future.status).toBe(400);
    const none = await get(`/api/v1/orgs/${p.orgId}/apps/chat/aggregates/2026-03-01`, tapp);
    expect(none.status).toBe(404);
    expectErrorBody(none.body, 'NOT_FOUND');
  });
});

describe.each(STORAGES)('inference profiles on %s storage', (kind) => {
  let h: Harness;
  const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
  beforeAll(async () => {
    h = await startApp(kind);
  });
  afterAll(async () => h.close());

  it('register (201/400/409), list, get (404 unknown), and usage priced by the model behind the profile', async () => {
    const p = await provision(h, { quota_scope: 'APP' });
    const t = (await tokens(h, p.apps.chat!)).access;
    const base = `/api/v1/orgs/${p.orgId}/apps/chat/inference-profiles`;
    const post = (body: Record<string, unknown>) =>
      h.http.post(base).set('Authorization', `Bearer ${t}`).send(body);
    const created = await post({
      profile_label: 'prod',
      inference_profile_arn: ARN,
      description: 'Production',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      profile_label: 'prod',
      inference_profile_arn: ARN,
      status: 'registered',
      description: 'Production',
    });
    expect((await post({ profile_label: 'prod', inference_profile_arn: ARN })).status).toBe(409);
    const badArn = await post({ profile_label: 'x', inference_profile_arn: 'arn:aws:s3:::bucket' });
    expect(badArn.status).toBe(400);
    expect(badArn.body.details.fields[0].field).toBe('inference_profile_arn');
    const clash = await post({ profile_label: 'premium', inference_profile_arn: ARN });
    expect(clash.status).toBe(400);
    const list = await h.http.get(base).set('Authorization', `Bearer ${t}`);
    expect(list.body.profiles.map((x: { profile_label: string }) => x.profile_label)).toEqual(['prod']);
    expect(
      (await h.http.get(`${base}/prod`).set('Authorization', `Bearer ${t}`)).body.inference_profile_arn,
    ).toBe(ARN);
    expect((await h.http.get(`${base}/nope`).set('Authorization', `Bearer ${t}`)).status).toBe(404);

    const app = await h.http
      .put(`/api/v1/orgs/${p.orgId}/apps/chat`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ app_name: 'chat', model_ordering: ['prod', 'economy'], quotas: { prod: 1000000 } });
    expect(app.status).toBe(200);
    h.resolver.set(ARN, 'amazon.nova-micro-v1:0', 'eu-west-1');
    const send = (body: Record<string, unknown>) =>
      h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`)
        .set('Authorization', `Bearer ${t}`)
        .send({
          request_id: uniqueId(),
          status: 'OK',
          timestamp: h.clock.now().toISOString(),
          model_label: 'prod',
          bedrock_model_id: ARN,
          input_tokens: 5000,
          output_tokens: 1000,
          ...body,
        });
    const priced = await send({ calling_region: 'eu-west-1' });
    expect(priced.status).toBe(202);
    expect(priced.body.processing.cost_usd_micros).toBe(315);
    const noRegion = await send({});
    expect(noRegion.status).toBe(400);
    expect(noRegion.body.details.fields[0].field).toBe('calling_region');
    h.resolver.failing = true;
    const unpriced = await send({ calling_region: 'eu-west-1' });
    expect(unpriced.status).toBe(400);
    h.resolver.failing = false;
    const sel = await h.http
      .get(`/api/v1/orgs/${p.orgId}/apps/chat/model-selection`)
      .set('Authorization', `Bearer ${t}`);
    expect(sel.body.recommended_model).toMatchObject({ label: 'prod', bedrock_model_id: ARN });
  });
});
