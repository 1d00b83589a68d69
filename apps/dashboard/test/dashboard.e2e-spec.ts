// The dashboard in a real browser (browser-harness.ts): Debian's Chromium driven by playwright-core
// against the real HTTP app. The Now page (bars, fallback, budgets with forecast bands), sign-in and
// sign-out, alerts; the analytics pages are in dashboard-analytics.e2e-spec.ts.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Page } from 'playwright-core';
import { uniqueId } from '#core-domain/testing';
import { ADMIN_KEY, expectErrorBody, provision, tokens, type Harness } from '../../http/test/harness.js';
import { seedDemoOrg } from '../tools/demo-org.js';
import { ARTIFACTS, js, loadedAfter, loads, signIn, useDashboardBrowser } from './browser-harness.js';

// 2026-11-19 is a Thursday; the clock only moves forward (the aggregator's cursor).
const NOW = '2026-11-19T09:00:00Z';
const PREMIUM = {
  model_label: 'premium',
  bedrock_model_id: 'amazon.nova-pro-v1:0',
  input_tokens: 1500,
  output_tokens: 800,
}; // 3,760 µ$

const { listening, newPage } = useDashboardBrowser();

/** Clicks Refresh and waits for that reload to finish. */
async function refresh(page: Page) {
  const before = await loads(page);
  await page.click('#refresh');
  await loadedAfter(page, before);
}

const barWidth = (page: Page, app: string, label: string) =>
  page.$eval(`[data-app="${app}"] [data-label="${label}"] .fill`, (el) => el.getBoundingClientRect().width);
const trackWidth = (page: Page, app: string, label: string) =>
  page.$eval(`[data-app="${app}"] [data-label="${label}"] .track`, (el) => el.getBoundingClientRect().width);

describe('dashboard (Chromium, memory storage)', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    ({ h, base } = await listening(NOW));
  });
  afterAll(async () => h.close());

  const usage = async (orgId: string, appId: string, token: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      const r = await h.http
        .post(`/api/v1/orgs/${orgId}/apps/${appId}/usage`)
        .set('Authorization', `Bearer ${token}`)
        .send({ request_id: uniqueId(), status: 'OK', timestamp: h.clock.now().toISOString(), ...PREMIUM });
      expect(r.status).toBe(202);
    }
    h.clock.advanceSecs(5);
    await h.keeper.aggregator.runPass();
  };

  it('GET /dashboard: a strict CSP, no inline script, a no-cache page and immutable hashed assets', async () => {
    const page = await h.http.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = String(page.headers['content-security-policy']);
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"]) {
      expect(csp).toContain(d);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // Every script is a file of this origin; no inline script, no style attribute, no other host.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/dashboard\/assets\/main-[A-Z0-9]{8}\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(page.text).not.toMatch(/style=|<style|https?:\/\//);
    const assets = [...page.text.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.map((a) => a.replace(/-[A-Z0-9]{8}\./, '-HASH.'))).toEqual([
      '/dashboard/assets/main-HASH.css',
      '/dashboard/assets/main-HASH.js',
    ]);
    for (const a of assets) {
      const r = await h.http.get(a);
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers['content-type']).toMatch(a.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      // Revalidation by ETag answers 304 (the page's too).
      expect((await h.http.get(a).set('If-None-Match', r.headers.etag!)).status).toBe(304);
    }
    expect((await h.http.get('/dashboard').set('If-None-Match', page.headers.etag!)).status).toBe(304);
    const missing = await h.http.get('/dashboard/assets/main-AAAAAAAA.js');
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 'NOT_FOUND');
    expect((await h.http.get('/')).body.links.dashboard).toBe('/dashboard');
  });

  it('a wrong secret shows a clear error and keeps the sign-in form', async () => {
    const p = await provision(h);
    const { page } = await newPage(base, 'sign-in-wrong-secret', {
      // Chromium logs the refused POST /auth/token; nothing else may appear.
      expected: [
        /^console: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/,
      ],
    });
    await page.goto(`${base}/dashboard`);
    await page.fill('#client-id', p.org.client_id);
    await page.fill('#client-secret', 'not-the-secret');
    const answer = page.waitForResponse((r) => r.url().endsWith('/auth/token'));
    await page.click('#sign-in button[type=submit]');
    expect((await answer).status()).toBe(401);
    const error = page.locator('#sign-in-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('Sign-in failed: the client id or the secret is wrong.');
    expect(await page.isVisible('#sign-in')).toBe(true);
    expect(await js<number>(page, 'sessionStorage.length + localStorage.length')).toBe(0);
  });

  it("signs in with an org credential; the Now page's premium bar moves after usage, then a fallback appears", async () => {
    const p = await provision(
      h,
      { quota_scope: 'APP', quotas: { premium: 7520, standard: 1_000_000, economy: 1_000_000 } },
      ['chat'],
    );
    const app = (await tokens(h, p.apps.chat!)).access;
    const { page } = await newPage(base, 'now-fallback');
    await signIn(page, base, p.org);
    // Tokens only in sessionStorage, never localStorage.
    expect(await js<number>(page, 'localStorage.length')).toBe(0);
    expect(await js<string[]>(page, 'Object.keys(sessionStorage)')).toEqual(['bck.dashboard.session']);

    const premium = '[data-app="chat"] [data-label="premium"]';
    expect(await page.getAttribute(premium, 'data-pct')).toBe('0');
    expect(await barWidth(page, 'chat', 'premium')).toBe(0);
    expect(await page.textContent('[data-app="chat"] .recommended-label')).toBe('premium');

    await usage(p.orgId, 'chat', app); // 3,760 of 7,520: 50 %
    await refresh(page);
    expect(await page.getAttribute(premium, 'data-pct')).toBe('50');
    expect(await page.getAttribute(premium, 'data-status')).toBe('NORMAL');
    const half = (await barWidth(page, 'chat', 'premium')) / (await trackWidth(page, 'chat', 'premium'));
    expect(half).toBeCloseTo(0.5, 2);
    expect(await page.textContent(`${premium} .value`)).toContain('$0.0038 / $0.0075');

    await usage(p.orgId, 'chat', app); // 100 %: premium is exhausted
    await refresh(page);
    expect(await page.getAttribute(premium, 'data-status')).toBe('EXCEEDED');
    expect(await page.textContent('[data-app="chat"] .recommended-label')).toBe('standard');
    // The aggregation pass saw premium exhausted and moved the app's sticky state to standard.
    expect(await page.getAttribute('[data-app="chat"] .reason', 'data-reason')).toBe('STICKY_FALLBACK');
    expect(await page.textContent('[data-app="chat"] .reason')).toBe(
      'sticky fallback for the rest of the day',
    );
    expect(await page.textContent('[data-app="chat"] [data-testid="sticky"]')).toContain(
      'Sticky fallback on standard',
    );
    // The exceeded bar is drawn in the EXCEEDED colour.
    const colours = await js<string[]>(
      page,
      `[getComputedStyle(document.querySelector('${premium} .fill')).backgroundColor,
        getComputedStyle(document.documentElement).getPropertyValue('--exceeded').trim()]`,
    );
    expect(colours[0]).toBe('rgb(220, 38, 38)');
    expect(colours[1]).toBe('#dc2626');

    // A 390 px phone screen in the dark scheme: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await js<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await js<string>(page, 'getComputedStyle(document.body).backgroundColor')).toBe('rgb(15, 18, 23)');
    await page.screenshot({ path: join(ARTIFACTS, 'now-fallback-phone-dark.png'), fullPage: true });
  });

  it('Alerts: lists a webhook, sends a test and shows the delivery in its log', async () => {
    const got: string[] = [];
    const server: Server = createServer((req, res) => {
      got.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const p = await provision(h, { quota_scope: 'APP' }); // APP scope lists its apps to the org token;
      const org = (await tokens(h, p.org)).access;
      const receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = await h.http
        .post(`/api/v1/orgs/${p.orgId}/webhooks`)
        .set('Authorization', `Bearer ${org}`)
        .send({ url: receiver, description: 'Ops channel', format: 'standard' });
      expect(created.status).toBe(201);
      const { page } = await newPage(base, 'alerts');
      await signIn(page, base, p.org);
      await page.click('nav a[data-route="alerts"]');
      const card = `[data-webhook="${created.body.webhook_id}"]`;
      await page.waitForSelector(`${card} h3`);
      expect(await page.textContent(`${card} h3`)).toBe('Ops channel');
      await page.click(`${card} button.test`);
      await page.waitForSelector(`${card} .test-result[data-outcome]`);
      expect(await page.getAttribute(`${card} .test-result`, 'data-outcome')).toBe('succeeded');
      await page.waitForSelector(`${card} .deliveries tr[data-outcome="succeeded"]`);
      expect(got).toEqual(['/hook']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('signing out revokes the refresh token and forgets the session', async () => {
    const p = await provision(h, { quota_scope: 'APP' }); // APP scope lists its apps to the org token;
    const { page } = await newPage(base, 'sign-out');
    await signIn(page, base, p.org);
    const stored = JSON.parse(await js<string>(page, "sessionStorage.getItem('bck.dashboard.session')")) as {
      refresh: string;
    };
    const revoked = page.waitForResponse((r) => r.url().endsWith('/auth/revoke'));
    await page.click('#sign-out');
    expect((await revoked).status()).toBe(204);
    await page.waitForSelector('#sign-in');
    expect(await js<number>(page, 'sessionStorage.length')).toBe(0);
    const again = await h.http
      .post('/auth/refresh')
      .send({ grant_type: 'refresh_token', refresh_token: stored.refresh });
    expect(again.status).toBe(401);
  });
});

describe('dashboard with a demo org: TIGHT, EXCEEDED, sticky fallback and forecast bands', () => {
  let h: Harness;
  let base: string;
  const today = '2026-11-19T14:00:00Z';
  beforeAll(async () => {
    ({ h, base } = await listening('2026-11-01T00:00:00Z'));
  });
  afterAll(async () => h.close());

  it('shows each app state and the week and month budgets with their forecast band', async () => {
    const demo = await seedDemoOrg(
      {
        baseUrl: base,
        adminKey: ADMIN_KEY,
        clock: h.clock,
        runPass: async () => void (await h.keeper.aggregator.runPass()),
      },
      today,
    );
    const { page } = await newPage(base, 'now-demo');
    await signIn(page, base, demo.org);
    expect(
      await page.$$eval('.card.app', (cs) =>
        cs.map((c) => [c.getAttribute('data-app'), c.getAttribute('data-mode')]),
      ),
    ).toEqual([
      ['doc-search', 'TIGHT'],
      ['nightly-batch', 'NORMAL'],
      ['support-chat', 'NORMAL'],
    ]);
    expect(await page.getAttribute('[data-app="doc-search"] [data-label="premium"]', 'data-status')).toBe(
      'TIGHT',
    );
    expect(await page.getAttribute('[data-app="nightly-batch"] [data-label="premium"]', 'data-status')).toBe(
      'EXCEEDED',
    );
    expect(await page.textContent('[data-app="nightly-batch"] .recommended-label')).toBe('standard');
    const lines = await page.$$eval('section.budgets .line', (ls) =>
      ls.map((l) => [
        l.getAttribute('data-window'),
        l.getAttribute('data-label'),
        l.getAttribute('data-forecast'),
        !!l.querySelector('.band'),
      ]),
    );
    expect(lines).toEqual([
      ['WEEK', '', 'at_risk', true],
      ['MONTH', '', 'on_track', true],
      ['MONTH', 'premium', 'on_track', true],
    ]);
    // The band sits inside the track, from the low to the high projection.
    const band = await page.$eval('section.budgets .line[data-window="WEEK"] .band', (b) => {
      const t = b.parentElement!.getBoundingClientRect();
      const r = b.getBoundingClientRect();
      return { left: r.left - t.left, width: r.width, track: t.width };
    });
    expect(band.width).toBeGreaterThan(0);
    expect(band.left + band.width).toBeLessThanOrEqual(band.track + 1);
    // The last aggregation pass ran a minute before the clock's now.
    expect(await page.getAttribute('#data-lag', 'data-lag-secs')).toBe('60');
    expect(await page.textContent('#data-lag')).toBe('data 1 min ago');
  });
});
