// `npm run screenshot`: the README's picture of the Now page, from the real HTTP app (memory storage,
// the built dashboard in dist/dashboard) with the demo org of demo-org.ts, in Debian's Chromium.
// Writes docs/images/dashboard-now.png (1280 px, light) and docs/images/dashboard-now-phone-dark.png
// (390 px, dark). The clock is fixed, so a run on unchanged code gives the same picture.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { COST_KEEPER, loadServiceConfig } from '#composition';
import { createMemoryAdapters } from '#adapters-memory';
import { type CostKeeper } from '#core-domain';
import { FakeClock } from '#core-domain/testing';
import { createHttpApp } from '../../http/src/http-app.js';
import { launchChromium, recordedPage } from './chromium.js';
import { seedDemoOrg } from './demo-org.js';

const NOW = '2026-11-19T14:00:00Z'; // a Thursday, 15:00 in Berlin
const ADMIN = 'screenshot-admin-key-0123456789abcdefghij';
const root = resolve(import.meta.dirname, '../../../..');
const outDir = resolve(root, 'docs/images');

const clock = new FakeClock(NOW);
const app = await createHttpApp({
  storage: createMemoryAdapters(),
  config: loadServiceConfig(resolve(root, 'config.yaml')),
  clock,
  provisioningApiKey: ADMIN,
  jwtSecret: 'screenshot-jwt-secret-0123456789abcdefghij',
  rateLimits: false,
  logLevel: 'silent',
  bcryptCost: 4,
  dashboardDir: resolve(root, 'dist/dashboard'),
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const keeper = app.get<CostKeeper>(COST_KEEPER);
const browser = await launchChromium();
try {
  const demo = await seedDemoOrg(
    { baseUrl, adminKey: ADMIN, clock, runPass: () => keeper.aggregator.runPass().then(() => undefined) },
    NOW,
    '3f6e2a1c-8b4d-4e7f-9a2b-5c1d0e9f8a7b',
  );
  mkdirSync(outDir, { recursive: true });
  for (const shot of [
    { file: 'dashboard-now.png', width: 1280, height: 760, colorScheme: 'light' as const },
    { file: 'dashboard-now-phone-dark.png', width: 390, height: 844, colorScheme: 'dark' as const },
  ]) {
    const { context, page, record } = await recordedPage(browser, shot);
    await page.goto(`${baseUrl}/dashboard`);
    await page.fill('#client-id', demo.org.client_id);
    await page.fill('#client-secret', demo.org.client_secret);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('main[data-loaded] .card.app[data-mode]');
    await page.screenshot({ path: resolve(outDir, shot.file), fullPage: true });
    if (record.errors.length) throw new Error(`the page reported errors: ${record.errors.join('; ')}`);
    await context.close();
    process.stdout.write(`screenshot: docs/images/${shot.file}\n`);
  }
} finally {
  await browser.close();
  await app.close();
}
