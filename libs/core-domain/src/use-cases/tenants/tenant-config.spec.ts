import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../testing/fake-clock.js';
import { anApp, anOrg } from '../../testing/builders.js';
import { type InferenceProfiles } from '../../ports/inference-profiles.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { type App, type Org } from '../../model/tenants/tenant.entity.js';
import { TenantConfigCache } from './tenant-config.js';

/** A directory holding one org and its apps, counting the reads that reach it. */
function directory(org: Org, apps: App[]) {
  const reads = { org: 0, app: 0, profiles: 0 };
  const state = { org, apps };
  const tenants = {
    getOrg: async (id: string) => {
      reads.org++;
      return id === state.org.orgId ? structuredClone(state.org) : undefined;
    },
    getApp: async (orgId: string, appId: string) => {
      reads.app++;
      return state.apps.find((a) => a.orgId === orgId && a.appId === appId);
    },
  } as unknown as TenantDirectory;
  const profiles = {
    list: async () => {
      reads.profiles++;
      return [];
    },
  } as unknown as InferenceProfiles;
  return { tenants, profiles, reads, state };
}

describe('TenantConfigCache.appContext', () => {
  it('reuses one context while the org, app and profiles come from the same cache entries', async () => {
    const clock = new FakeClock('2026-03-10T12:00:00Z');
    const org = anOrg();
    const app = anApp(org.orgId);
    const d = directory(org, [app]);
    const cache = new TenantConfigCache(d.tenants, d.profiles, clock);
    const first = await cache.appContext(org.orgId, app.appId);
    const second = await cache.appContext(org.orgId, app.appId);
    expect(second).toBe(first);
    expect(d.reads).toEqual({ org: 1, app: 1, profiles: 1 });
    expect(first.effective.scopeKey).toBeDefined();
  });

  it('builds a new context with the new config once an entry was forgotten or expired', async () => {
    const clock = new FakeClock('2026-03-10T12:00:00Z');
    const org = anOrg({ timezone: 'UTC' });
    const app = anApp(org.orgId);
    const d = directory(org, [app]);
    const cache = new TenantConfigCache(d.tenants, d.profiles, clock);
    const first = await cache.appContext(org.orgId, app.appId);
    expect(first.effective.timezone).toBe('UTC');

    d.state.org = { ...org, timezone: 'Europe/Paris' };
    // Within the TTL the cached org stands, and with it the same context...
    clock.advance(59_999);
    expect(await cache.appContext(org.orgId, app.appId)).toBe(first);
    // ...a write through this process forgets it at once...
    cache.forgetOrg(org.orgId);
    const afterWrite = await cache.appContext(org.orgId, app.appId);
    expect(afterWrite).not.toBe(first);
    expect(afterWrite.effective.timezone).toBe('Europe/Paris');

    // ...and a change made elsewhere shows once the TTL has passed.
    d.state.org = { ...org, timezone: 'Asia/Tokyo' };
    clock.advance(60_000);
    const afterExpiry = await cache.appContext(org.orgId, app.appId);
    expect(afterExpiry.effective.timezone).toBe('Asia/Tokyo');
  });

  it('answers 404 for an unknown org or app, cached or not', async () => {
    const clock = new FakeClock();
    const org = anOrg();
    const d = directory(org, []);
    const cache = new TenantConfigCache(d.tenants, d.profiles, clock);
    await expect(cache.appContext(org.orgId, 'nope')).rejects.toThrow(/App nope not found/);
    await expect(cache.appContext(org.orgId, 'nope')).rejects.toThrow(/App nope not found/);
    await expect(cache.appContext('other', 'nope')).rejects.toThrow(/Org other not found/);
  });
});
