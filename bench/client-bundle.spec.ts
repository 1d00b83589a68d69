// The client SDK's core entry bundles for browsers: no Node built-in, no AWS SDK, under the size budget.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { BUNDLE_BUDGET_BYTES, measureClientBundle } from './lib/client-bundle.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('client SDK browser bundle', () => {
  it('bundles the core entry for the browser platform without Node or AWS code, under 20 KB gzipped', async () => {
    const b = await measureClientBundle(ROOT);
    expect(b.code).not.toMatch(/from\s*["'](node:|@aws-sdk)/);
    expect(b.gzipBytes).toBeGreaterThan(1000);
    expect(b.gzipBytes).toBeLessThan(BUNDLE_BUDGET_BYTES);
  });
});
