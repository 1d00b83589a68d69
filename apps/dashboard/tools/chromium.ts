// Debian's Chromium driven by playwright-core (no browser download): headless, no sandbox (root in
// containers), no background networking, so the only requests are the page's own.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on PATH. */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const p = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (p && existsSync(p)) return p;
    } catch {
      // not on PATH: try the next name
    }
  }
  throw new Error('Chromium is missing: `apt-get install -y chromium` (or set CHROMIUM_PATH)');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-domain-reliability',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-features=Translate,OptimizationHints,MediaRouter',
      '--metrics-recording-only',
    ],
  });
}

/** What a page did that a test checks: console errors, uncaught exceptions, every request URL. */
export interface PageRecord {
  errors: string[];
  requests: string[];
}

/** A fresh context (its own sessionStorage) and page, recording errors and requests. */
export async function recordedPage(
  browser: Browser,
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; record: PageRecord }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  const record: PageRecord = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') record.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => record.errors.push(`pageerror: ${e.message}`));
  context.on('request', (r) => record.requests.push(r.url()));
  // A Content-Security-Policy violation becomes a console error (the test fails on any).
  await context.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => " +
      'console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));',
  });
  return { context, page, record };
}
