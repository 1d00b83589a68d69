// The usage summary (analytics.md, "Summary (from rollups)") end to end, on memory and on DynamoDB
// Local: usage posted over HTTP, the worker's rollup pass, and the summary route read back.
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

const DIMS = [
  'day',
  'week',
  'month',
  'app',
  'label',
  'model',
  'tag:team',
  'tag:agent',
  'day,app',
  'app,tag:team',
];
const FIELDS = [
  'cost_usd_micros',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'requests',
  'errors',
] as const;

describe.each(STORAGES)('usage summary on %s storage', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(kind, { now: '2026-11-28T10:00:00Z' });
  });
  afterAll(async () => h.close());

  const get = (token: string, orgId: string, q: string) =>
    h.http.get(`/api/v1/orgs/${orgId}/usage/summary?${q}`).set('Authorization', `Bearer ${token}`);

  it('grouped by a tag key, app, label, model or period, the rows sum to the ungrouped total after the pass', async () => {
    const p = await provision(h, { rollup_tag_keys: ['team', 'agent'] }, ['chat', 'search']);
    const org = await h.http.get(`/api/v1/orgs/${p.orgId}`).set('X-API-Key', ADMIN_KEY);
    expect(JSON.stringify(org.body)).toContain('"rollup_tag_keys":["team","agent"]');
    let appTokens: Record<string, string> = {};
    const fresh = async () =>
      (appTokens = {
        chat: (await tokens(h, p.apps.chat!)).access,
        search: (await tokens(h, p.apps.search!)).access,
      });
    let posted = 0;
    let cost = 0;
    for (let day = 0; day < 3; day++) {
      await fresh(); // tokens live an hour
      for (let i = 0; i < 8; i++) {
        const app = i % 3 === 0 ? 'search' : 'chat';
        const tags = i % 2 ? { team: `t${i % 3}`, agent: 'bot' } : i % 4 === 0 ? { team: 'ops' } : undefined;
        const r = await h.http
          .post(`/api/v1/orgs/${p.orgId}/apps/${app}/usage`)
          .set('Authorization', `Bearer ${appTokens[app]}`)
          .send({
            request_id: uniqueId(),
            model_label: i % 2 ? 'premium' : 'standard',
            bedrock_model_id: i % 2 ? 'amazon.nova-pro-v1:0' : 'amazon.nova-lite-v1:0',
            input_tokens: 1000 + i,
            output_tokens: 100 * i,
            status: i === 5 ? 'ERROR' : 'OK',
            timestamp: h.clock.now().toISOString(),
            ...(tags ? { tags } : {}),
          });
        expect(r.status).toBe(202);
        cost += r.body.cost_usd_micros ?? 0;
        posted++;
        h.clock.advanceSecs(60);
      }
      h.clock.advanceSecs(86400 - 8 * 60);
    }
    h.clock.advanceSecs(30);
    // The worker's passes: the first starts 35 days back, a day per pass, until current.
    const passes = await h.keeper.rollups.catchUp();
    expect(passes.reduce((a, r) => a + (r.ran ? r.records : 0), 0)).toBe(posted);
    const orgToken = (await tokens(h, p.org)).access;
    await fresh();
    const q = 'from=2026-11-01&to=2026-12-31'; // reaches today (2026-12-01): not complete
    const base = await get(orgToken, p.orgId, `${q}&group_by=day`);
    expect(base.status).toBe(200);
    expect(base.body.totals.requests).toBe(posted);
    expect(base.body.totals.errors).toBe(3);
    if (cost > 0) expect(base.body.totals.cost_usd_micros).toBe(cost);
    expect(base.body.rows.map((r: { group: { day: string } }) => r.group.day)).toEqual([
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
    ]);
    expect(base.body.complete).toBe(false);
    expect(typeof base.body.as_of).toBe('string');
    for (const dims of DIMS) {
      const r = await get(orgToken, p.orgId, `${q}&group_by=${dims}`);
      expect(r.status).toBe(200);
      expect(r.body.totals).toEqual(base.body.totals);
      for (const f of FIELDS) {
        expect(r.body.rows.reduce((a: number, row: Record<string, number>) => a + row[f]!, 0)).toBe(
          base.body.totals[f],
        );
      }
    }
    const team = await get(orgToken, p.orgId, `${q}&group_by=tag:team`);
    expect(team.body.rows.map((r: { group: Record<string, string> }) => r.group['tag:team']).sort()).toEqual(
      ['__none__', 'ops', 't0', 't1', 't2'].sort(),
    );
    // A closed range is complete.
    const closed = await get(orgToken, p.orgId, 'from=2026-11-28&to=2026-11-29&group_by=app');
    expect(closed.body.complete).toBe(true);
    // An app token sees only its app; another app is 403.
    const mine = await get(appTokens.chat!, p.orgId, `${q}&group_by=app`);
    expect(mine.status).toBe(200);
    expect(mine.body.rows.map((r: { group: { app: string } }) => r.group.app)).toEqual(['chat']);
    expect(mine.body.totals.requests).toBe(posted - 9);
    expect((await get(appTokens.chat!, p.orgId, `${q}&group_by=app&app_id=search`)).status).toBe(403);
    const filtered = await get(orgToken, p.orgId, `${q}&group_by=tag:team&app_id=search`);
    expect(filtered.body.totals.requests).toBe(9);
  }, 300_000); // DynamoDB Local on a busy machine: 36 catch-up passes

  it('bad input is 400 with the error body: dims, undeclared tag keys, dates, ranges over 400 days', async () => {
    const p = await provision(h, { rollup_tag_keys: ['team'] });
    const t = (await tokens(h, p.org)).access;
    for (const q of [
      'from=2026-11-01&to=2026-11-30',
      'from=2026-11-01&to=2026-11-30&group_by=colour',
      'from=2026-11-01&to=2026-11-30&group_by=tag:agent',
      'from=2026-11-01&to=2026-11-30&group_by=day,app,label',
      'from=2026-11-01&to=2026-11-30&group_by=tag:team,model',
      'from=2026-11-31&to=2026-12-01&group_by=day',
      'from=2026-12-01&to=2026-11-30&group_by=day',
      'to=2026-11-30&group_by=day',
      'from=2026-11-01&to=2026-11-30&group_by=day&group_by=app',
    ]) {
      const r = await get(t, p.orgId, q);
      expect([q, r.status]).toEqual([q, 400]);
      expectErrorBody(r.body, 'INVALID_REQUEST');
    }
    const long = await get(t, p.orgId, 'from=2025-01-01&to=2026-11-30&group_by=day');
    expect(long.status).toBe(400);
    expect(long.body.details.max_range_days).toBe(400);
    expect((await get(t, p.orgId, 'from=2025-10-27&to=2026-11-30&group_by=month')).status).toBe(200);
    const bad = await h.http
      .put(`/api/v1/orgs/${uniqueId()}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ org_name: 'A', timezone: 'UTC', quota_scope: 'ORG', rollup_tag_keys: ['team', 'team'] });
    expect(bad.status).toBe(400);
    const tooMany = await h.http
      .put(`/api/v1/orgs/${uniqueId()}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({
        org_name: 'A',
        timezone: 'UTC',
        quota_scope: 'ORG',
        rollup_tag_keys: ['a', 'b', 'c', 'd', 'e', 'f'],
      });
    expect(tooMany.status).toBe(400);
    expect(
      (await h.http.get(`/api/v1/orgs/${p.orgId}/usage/summary?from=2026-11-01&to=2026-11-02&group_by=day`))
        .status,
    ).toBe(401);
  });
});
