// What the dashboard's browser tests share: a dashboard built for the run (scripts/build-dashboard.mjs
// into a temporary folder), Debian's Chromium (playwright-core), the real HTTP app on memory storage
// listening on 127.0.0.1 with a free port, and after each test the checks every page must pass: no
// console error (CSP violations included) and no request outside the service's origin. Screenshots
// go to test-artifacts/dashboard/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startApp, type Harness } from '../../http/test/harness.js';
import { launchChromium, recordedPage, type PageRecord } from '../tools/chromium.js';

const ROOT = resolve(import.meta.dirname, '../../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts/dashboard');

interface OpenPage {
  context: BrowserContext;
  page: Page;
  record: PageRecord;
  base: string;
  name: string;
  /** Console errors a test expects (each matched once), such as the 401 of a refused sign-in. */
  expected: RegExp[];
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  expected?: RegExp[];
}

/** Registers the hooks of a browser test file; call once at its top level. */
export function useDashboardBrowser() {
  let dashboardDir = '';
  let browser: Browser | undefined;
  const open: OpenPage[] = [];

  beforeAll(async () => {
    dashboardDir = mkdtempSync(join(tmpdir(), 'bck-dashboard-'));
    execFileSync(process.execPath, ['scripts/build-dashboard.mjs', '--out', dashboardDir], { cwd: ROOT });
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    const pages = open.splice(0);
    for (const p of pages) {
      await p.page
        .screenshot({ path: join(ARTIFACTS, `${p.name}.png`), fullPage: true })
        .catch(() => undefined);
      await p.context.close();
    }
    for (const p of pages) {
      const unexpected = [...p.record.errors];
      for (const e of p.expected) {
        const i = unexpected.findIndex((m) => e.test(m));
        expect(i).toBeGreaterThanOrEqual(0);
        unexpected.splice(i, 1);
      }
      expect(unexpected).toEqual([]);
      const origin = new URL(p.base).origin;
      const outside = p.record.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
      expect(outside).toEqual([]);
    }
  });

  return {
    /** The app listening on 127.0.0.1 (a free port), serving the built dashboard. */
    async listening(now: string): Promise<{ h: Harness; base: string }> {
      const h = await startApp('memory', { now, dashboardDir });
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = h.app.getHttpServer().address() as AddressInfo;
      return { h, base: `http://127.0.0.1:${port}` };
    },
    /** A fresh context and page, checked and screenshotted after the test. */
    async newPage(base: string, name: string, opts: PageOptions = {}) {
      if (!browser) throw new Error('the browser is not started');
      const p = await recordedPage(browser, opts);
      open.push({ ...p, base, name, expected: opts.expected ?? [] });
      return p;
    },
  };
}

export async function signIn(page: Page, base: string, cred: { client_id: string; client_secret: string }) {
  await page.goto(`${base}/dashboard`);
  await page.fill('#client-id', cred.client_id);
  await page.fill('#client-secret', cred.client_secret);
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('main.page-now[data-loaded]');
}

/** Evaluates an expression in the page (a string: the tests are compiled without the DOM types;
 * Playwright evaluates it through the DevTools protocol, which the page's CSP does not restrict). */
export const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;

/** Waits until the page's current load (main[data-loaded] counts them) is past `before`. */
export async function loadedAfter(page: Page, before: number): Promise<void> {
  // A function, not a string: the page's CSP forbids eval, which a string predicate would need.
  await page.waitForFunction(
    (n) => Number((globalThis as unknown as InPage).document.querySelector('main')?.dataset.loaded) > n,
    before,
  );
}

/** The little of the DOM the predicates above use (this file is compiled without the DOM types). */
interface InPage {
  document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null };
}

export const loads = async (page: Page) => Number(await page.getAttribute('main', 'data-loaded'));
