// The dashboard's analytics pages in a real browser (browser-harness.ts): History from
// GET usage/summary (a chart drawn by Chart.js), the CSV download against GET usage/export, the audit
// trail unlocked by the admin key, and ORG-scope apps found through the summary.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueId } from '#core-domain/testing';
import { ADMIN_KEY, provision, tokens, type Harness } from '../../http/test/harness.js';
import { js, loadedAfter, loads, signIn, useDashboardBrowser } from './browser-harness.js';

const NOW = '2026-11-19T09:00:00Z';
const CALLS = {
  premium: { model_label: 'premium', bedrock_model_id: 'amazon.nova-pro-v1:0' },
  standard: { model_label: 'standard', bedrock_model_id: 'amazon.nova-2-lite-v1:0' },
} as const;

const { listening, newPage } = useDashboardBrowser();

describe('dashboard analytics pages (Chromium, memory storage)', () => {
  let h: Harness;
  let base: string;
  let p: Awaited<ReturnType<typeof provision>>;
  beforeAll(async () => {
    ({ h, base } = await listening(NOW));
    p = await provision(h, {}, ['chat', 'search']);
    // Two days of usage on two apps and two labels, then the worker's pass (day totals and rollups).
    for (const [day, n] of [
      ['2026-11-18T10:00:00Z', 2],
      ['2026-11-19T08:00:00Z', 3],
    ] as const) {
      h.clock.set(day);
      for (const app of ['chat', 'search'] as const) {
        const t = (await tokens(h, p.apps[app]!)).access;
        for (let i = 0; i < n; i++) {
          const r = await h.http
            .post(`/api/v1/orgs/${p.orgId}/apps/${app}/usage`)
            .set('Authorization', `Bearer ${t}`)
            .send({
              request_id: uniqueId(),
              ...(app === 'chat' ? CALLS.premium : CALLS.standard),
              input_tokens: 1500,
              output_tokens: 800,
              status: 'OK',
              timestamp: h.clock.now().toISOString(),
              tags: { team: app === 'chat' ? 'support' : 'search' },
            });
          expect(r.status).toBe(202);
        }
      }
      h.clock.advanceSecs(30);
      await h.keeper.aggregator.runPass();
      await h.keeper.rollups.catchUp();
    }
    h.clock.set(NOW);
    await h.keeper.rollups.catchUp();
  });
  afterAll(async () => h.close());

  it('ORG scope: the Now page finds the apps with usage through the summary', async () => {
    const { page } = await newPage(base, 'now-org-scope');
    await signIn(page, base, p.org);
    expect(await page.$$eval('.card.app', (cs) => cs.map((c) => c.getAttribute('data-app')))).toEqual([
      'chat',
      'search',
    ]);
  });

  it('History renders a stacked bar chart from /usage/summary, by label and by app, over 7 and 30 days', async () => {
    const { page } = await newPage(base, 'history');
    await signIn(page, base, p.org);
    const summary = page.waitForResponse(
      (r) => r.url().includes('/usage/summary?') && r.url().includes('day%2Clabel'),
    );
    await page.click('nav a[data-route="history"]');
    expect((await summary).status()).toBe(200);
    await page.waitForSelector('#history-chart-box[data-series]');
    expect(await page.getAttribute('#history-chart-box', 'data-series')).toBe('premium,standard');
    expect(await page.getAttribute('#history-chart-box', 'data-days')).toBe('7');
    // Chart.js drew bars: the canvas has coloured pixels.
    const painted = await js<number>(
      page,
      `(() => { const c = document.querySelector('#history-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()`,
    );
    expect(painted).toBeGreaterThan(1000);
    // The table's figures are the summary's: 5 premium calls of 3,760 µ$.
    expect(await page.textContent('#history-table tr[data-group="premium"] td:nth-child(2)')).toBe('$0.02');
    expect(await page.textContent('#history-table tr[data-group="premium"] td:nth-child(3)')).toBe('5');

    const before = await loads(page);
    await page.selectOption('#history-group', 'app');
    await loadedAfter(page, before);
    expect(await page.getAttribute('#history-chart-box', 'data-series')).toBe('chat,search');
    const before30 = await loads(page);
    await page.click('button[data-days="30"]');
    await loadedAfter(page, before30);
    expect(await page.getAttribute('#history-chart-box', 'data-days')).toBe('30');
  });

  it("the CSV download is the export route's file, byte for byte", async () => {
    const { page, record } = await newPage(base, 'history-csv', {
      // The 90-day export past the retention is refused once (400) before the page asks for less.
      expected: [
        /^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\)$/,
      ],
    });
    await signIn(page, base, p.org);
    await page.click('nav a[data-route="history"]');
    await page.waitForSelector('main.page-history[data-loaded]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^usage-${p.orgId}-.+\\.csv$`));
    const file = readFileSync((await download.path())!, 'utf8');
    const asked = record.requests.filter((u) => u.includes('/usage/export?'));
    expect(asked).toHaveLength(1);
    const url = new URL(asked[0]!);
    expect(url.searchParams.get('format')).toBe('csv');
    const direct = await h.http
      .get(`${url.pathname}${url.search}`)
      .set('Authorization', `Bearer ${(await tokens(h, p.org)).access}`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => done(null, text));
      });
    expect(direct.status).toBe(200);
    expect(file).toBe(direct.body as string);
    const lines = file.trim().split(/\r?\n/);
    expect(lines[0]).toContain('request_id');
    expect(lines).toHaveLength(1 + 10);

    // 90 days is past the record retention: the route says how far back it goes, the page asks again.
    const before = await loads(page);
    await page.click('button[data-days="90"]');
    await loadedAfter(page, before);
    const [longer] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(readFileSync((await longer.path())!, 'utf8')).toBe(file);
    expect(await page.textContent('#csv-note')).toMatch(
      /^The CSV holds the last \d+ days: records are kept that long\.$/,
    );
    expect(record.requests.filter((u) => u.includes('/usage/export?'))).toHaveLength(3);
  });

  it('Audit: locked without the admin key; a wrong key is refused; the right one shows the trail', async () => {
    const { page } = await newPage(base, 'audit', {
      expected: [
        /^console: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/,
      ],
    });
    await signIn(page, base, p.org);
    await page.click('nav a[data-route="audit"]');
    await page.fill('#admin-key', 'not-the-admin-key-0123456789abcdefghijkl');
    await page.click('#unlock button[type=submit]');
    await page.waitForSelector('#unlock .error:not([hidden])');
    expect(await page.textContent('#unlock .error')).toMatch(/^Not unlocked: /);
    await page.fill('#admin-key', ADMIN_KEY);
    await page.click('#unlock button[type=submit]');
    await page.waitForSelector('#audit-table tr[data-action]');
    const actions = await page.$$eval('#audit-table tr[data-action]', (rs) =>
      rs.map((r) => r.getAttribute('data-action')),
    );
    expect(actions).toContain('org.created');
    expect(actions.filter((a) => a === 'app.created')).toHaveLength(2);
    // The key was never stored.
    expect(await js<number>(page, 'sessionStorage.length + localStorage.length')).toBe(1);
    expect(await js<string>(page, 'JSON.stringify(sessionStorage)')).not.toContain(ADMIN_KEY);
  });
});
