// Usage records (analytics.md): paging, app scoping, sealed cursors and the CSV/JSONL export, end to
// end through the HTTP app on memory and on DynamoDB Local.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { uniqueId } from '#core-domain/testing';
import { expectErrorBody, provision, startApp, STORAGES, tokens, type Harness } from './harness.js';

// Real time, not a fixed date: DynamoDB Local's TTL sweeper deletes items whose expires_at is past by
// the machine's clock, whatever the app's clock says.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
const FROM = new Date(Date.parse(NOW) - 12 * 3600_000).toISOString();
const TO = new Date(Date.parse(NOW) + 3600_000).toISOString();
const EVENT = { model_label: 'premium', bedrock_model_id: 'amazon.nova-pro-v1:0', status: 'OK' };

describe.each(STORAGES)('usage records on %s storage', (kind) => {
  let h: Harness;
  let orgId: string;
  let org: string;
  let chat: string;
  let search: string;
  beforeAll(async () => {
    h = await startApp(kind, { now: NOW });
    const p = await provision(h, {}, ['chat', 'search']);
    orgId = p.orgId;
    org = (await tokens(h, p.org)).access;
    chat = (await tokens(h, p.apps.chat!)).access;
    search = (await tokens(h, p.apps.search!)).access;
  });
  afterAll(async () => h.close());

  const get = (token: string, path: string, query: Record<string, string | number> = {}) =>
    h.http.get(`/api/v1/orgs/${orgId}/usage/${path}`).query(query).set('Authorization', `Bearer ${token}`);
  const post = (token: string, appId: string, minutesAgo: number, over: Record<string, unknown> = {}) =>
    h.http
      .post(`/api/v1/orgs/${orgId}/apps/${appId}/usage`)
      .set('Authorization', `Bearer ${token}`)
      .send({
        ...EVENT,
        request_id: uniqueId(),
        input_tokens: 100 + minutesAgo,
        output_tokens: 50,
        timestamp: new Date(h.clock.now().getTime() - minutesAgo * 60_000).toISOString(),
        ...over,
      });

  async function allPages(
    token: string,
    query: Record<string, string | number>,
    during?: () => Promise<void>,
  ) {
    const seen: { request_id: string; timestamp: string }[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const r = await get(token, 'records', { ...query, ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      seen.push(...r.body.records);
      if (during) await during();
      cursor = r.body.next_cursor ?? undefined;
      if (!cursor) return seen;
    }
    throw new Error('paging did not end');
  }

  /**
   * Records are read from a GSI, which DynamoDB (and DynamoDB Local) fills asynchronously, typically
   * within a second of the write: wait until the org's `n` records are readable before asserting.
   */
  async function visible(token: string, org: string, n: number) {
    for (let i = 0; i < 200; i++) {
      const r = await h.http
        .get(`/api/v1/orgs/${org}/usage/records`)
        .query({ from: FROM, to: TO, limit: 1000 })
        .set('Authorization', `Bearer ${token}`);
      if (r.body.records?.length >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${n} records readable`);
  }

  it('pages through every record once, in timestamp order, while others are being written', async () => {
    const before: string[] = [];
    const sent = [];
    for (let i = 0; i < 40; i += 4) {
      sent.push(...(await Promise.all([0, 1, 2, 3].map((j) => post(chat, 'chat', 100 + i + j)))));
    }
    for (const r of sent) {
      expect(r.status).toBe(202);
      before.push(r.body.request_id);
    }
    await visible(org, orgId, before.length);
    let extra = 0;
    const seen = await allPages(org, { from: FROM, to: TO, limit: 7 }, async () => {
      // Concurrent writers: new events land before, inside and after the part already read.
      const more = await Promise.all([post(chat, 'chat', 5 + extra), post(search, 'search', 150 + extra)]);
      for (const r of more) expect(r.status).toBe(202);
      extra++;
    });
    const ids = seen.map((r) => r.request_id);
    expect(new Set(ids).size).toBe(ids.length); // no duplicate
    for (const id of before) expect(ids).toContain(id); // no gap
    const times = seen.map((r) => r.timestamp);
    expect(times).toEqual([...times].sort());
  });

  it('an app token sees only its own app; another app is 403', async () => {
    await post(search, 'search', 30);
    await visible(org, orgId, 1);
    const mine = await allPages(search, { from: FROM, to: TO, limit: 1000 });
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((r) => (r as unknown as { app_id: string }).app_id))).toEqual(
      new Set(['search']),
    );
    const other = await get(search, 'records', { from: FROM, to: TO, app_id: 'chat' });
    expect(other.status).toBe(403);
    expectErrorBody(other.body, 'FORBIDDEN');
    const file = await get(search, 'export', { from: FROM, to: TO, format: 'jsonl' });
    const apps = file.text
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { app_id: string }).app_id);
    expect(new Set(apps)).toEqual(new Set(['search']));
  });

  it('refuses a forged cursor, another org’s cursor and a cursor reused with other filters', async () => {
    const first = await get(org, 'records', { from: FROM, to: TO, limit: 1 });
    const cursor = first.body.next_cursor as string;
    expect(typeof cursor).toBe('string');
    const other = await provision(h);
    const otherToken = (await tokens(h, other.org)).access;
    const tries = [
      get(org, 'records', { from: FROM, to: TO, limit: 1, cursor: `${cursor.slice(0, -2)}xx` }),
      get(org, 'records', { from: FROM, to: TO, limit: 1, cursor: 'eyJwIjoiIn0' }),
      get(org, 'records', { from: FROM, to: TO, limit: 1, cursor, app_id: 'chat' }),
      h.http
        .get(`/api/v1/orgs/${other.orgId}/usage/records`)
        .query({ from: FROM, to: TO, limit: 1, cursor })
        .set('Authorization', `Bearer ${otherToken}`),
    ];
    for (const r of await Promise.all(tries)) {
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(r.body.details.fields).toContainEqual(expect.objectContaining({ field: 'cursor' }));
    }
  });

  it('answers bad queries with 400 and the error body', async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ to: TO }, 'from'],
      [{ from: FROM, to: 'yesterday' }, 'to'],
      [{ from: TO, to: FROM }, 'to'],
      [{ from: '2020-01-01T00:00:00Z', to: TO }, 'to'],
      [{ from: FROM, to: TO, limit: 0 }, 'limit'],
      [{ from: FROM, to: TO, status: 'MAYBE' }, 'status'],
      [{ from: FROM, to: TO, 'tag.Bad': 'x' }, 'tag.Bad'],
      [{ from: FROM, to: TO, colour: 'red' }, 'colour'],
    ];
    for (const [query, field] of cases) {
      const r = await get(org, 'records', query);
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 'INVALID_REQUEST');
      expect(r.body.details.fields).toContainEqual(expect.objectContaining({ field }));
    }
    const long = await get(org, 'records', { from: '2020-01-01T00:00:00Z', to: TO });
    expect(long.body.details.max_range_days).toBe(31);
    const fmt = await get(org, 'export', { from: FROM, to: TO, format: 'xlsx' });
    expect(fmt.status).toBe(400);
    expectErrorBody(fmt.body, 'INVALID_REQUEST');
  });

  it('a CSV export parses back to exactly what was posted, tags with commas, quotes, newlines and accents', async () => {
    const p = await provision(h, {}, ['chat']);
    const token = (await tokens(h, p.apps.chat!)).access;
    const orgToken = (await tokens(h, p.org)).access;
    const tagSets = [
      { team: 'a,b', note: 'say "hi"' },
      { team: 'line\nbreak', ticket: 'INC-7' },
      { team: 'Zürich ☕', note: '=1+1' },
      {},
    ];
    const posted: Record<string, { cost: number; tags: Record<string, string> }> = {};
    for (let i = 0; i < 24; i++) {
      const tags = tagSets[i % tagSets.length]!;
      const r = await h.http
        .post(`/api/v1/orgs/${p.orgId}/apps/chat/usage`)
        .set('Authorization', `Bearer ${token}`)
        .send({
          ...EVENT,
          request_id: uniqueId(),
          input_tokens: 1000 + i,
          output_tokens: 10 * i,
          timestamp: new Date(h.clock.now().getTime() - (i + 1) * 60_000).toISOString(),
          ...(Object.keys(tags).length ? { tags } : {}),
        });
      expect(r.status).toBe(202);
      posted[r.body.request_id] = {
        cost: r.body.processing.cost_usd_micros as number,
        tags: tags as Record<string, string>,
      };
    }
    await visible(orgToken, p.orgId, 24);
    const r = await h.http
      .get(`/api/v1/orgs/${p.orgId}/usage/export`)
      .query({ from: FROM, to: TO, format: 'csv' })
      .set('Authorization', `Bearer ${orgToken}`)
      .buffer(true);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="usage-${p.orgId}-${FROM}-${TO}.csv"`,
    );
    expect(r.text).toContain('\r\n');
    const rows = parse(r.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!).slice(-3)).toEqual(['tag.note', 'tag.team', 'tag.ticket']);
    expect(rows).toHaveLength(24);
    let total = 0;
    for (const row of rows) {
      const want = posted[row.request_id!]!;
      expect(Number(row.cost_usd_micros)).toBe(want.cost);
      for (const key of ['note', 'team', 'ticket']) expect(row[`tag.${key}`]).toBe(want.tags[key] ?? '');
      total += Number(row.cost_usd_micros);
    }
    expect(total).toBe(Object.values(posted).reduce((s, x) => s + x.cost, 0));

    const jsonl = await h.http
      .get(`/api/v1/orgs/${p.orgId}/usage/export`)
      .query({ from: FROM, to: TO, format: 'jsonl' })
      .set('Authorization', `Bearer ${orgToken}`)
      .buffer(true);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { request_id: string; tags: object });
    expect(lines).toHaveLength(24);
    for (const l of lines) expect(l.tags).toEqual(posted[l.request_id]!.tags);
  });
});
