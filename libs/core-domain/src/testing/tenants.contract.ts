import { describe, expect, it } from '@jest/globals';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aCredential, anApp, anOrg } from './builders.js';

export function tenantDirectoryContract(get: () => StorageAdapters): void {
  describe('TenantDirectory', () => {
    it('creates an org with its credential and reads both back', async () => {
      const s = get();
      const org = anOrg({ timezone: 'America/New_York', quotaScope: 'APP' });
      const cred = aCredential(org.orgId);
      expect(await s.tenants.createOrg(org, cred)).toBe('created');
      expect(await s.tenants.getOrg(org.orgId)).toEqual(org);
      expect(await s.credentials.get(cred.clientId)).toEqual(cred);
    });

    it('refuses to create an org twice and writes nothing the second time', async () => {
      const s = get();
      const org = anOrg();
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const again = { ...org, orgName: 'Other' };
      expect(await s.tenants.createOrg(again, aCredential(org.orgId, undefined, { secretHash: 'x' }))).toBe(
        'exists',
      );
      expect((await s.tenants.getOrg(org.orgId))?.orgName).toBe('Acme');
      expect((await s.credentials.get(`org-${org.orgId}`))?.secretHash).toBe('hash-v1');
    });

    it('concurrent creations of one org: exactly one wins', async () => {
      const s = get();
      const org = anOrg();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          s.tenants.createOrg({ ...org, orgName: `n${i}` }, aCredential(org.orgId)),
        ),
      );
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
    });

    it('updates only an existing org', async () => {
      const s = get();
      const org = anOrg();
      expect(await s.tenants.updateOrg(org)).toBe('missing');
      expect(await s.tenants.getOrg(org.orgId)).toBeUndefined();
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const updated = { ...org, orgName: 'Renamed', quotas: { ...org.quotas, premium: 1 } };
      expect(await s.tenants.updateOrg(updated)).toBe('updated');
      expect(await s.tenants.getOrg(org.orgId)).toEqual(updated);
    });

    it('creates, updates and lists apps per org, ordered by app id', async () => {
      const s = get();
      const org = anOrg();
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const b = anApp(org.orgId, {
        appId: 'b-app',
        overrides: { modelOrdering: ['economy'], tightModeThresholdPct: 80 },
      });
      const a = anApp(org.orgId, { appId: 'a-app' });
      expect(await s.tenants.createApp(b, aCredential(org.orgId, 'b-app'))).toBe('created');
      expect(await s.tenants.createApp(a, aCredential(org.orgId, 'a-app'))).toBe('created');
      expect(await s.tenants.createApp(a, aCredential(org.orgId, 'a-app'))).toBe('exists');
      expect(await s.tenants.getApp(org.orgId, 'b-app')).toEqual(b);
      expect((await s.tenants.listApps(org.orgId)).map((x) => x.appId)).toEqual(['a-app', 'b-app']);
      expect(await s.credentials.get(`org-${org.orgId}-app-b-app`)).toMatchObject({
        appId: 'b-app',
        orgId: org.orgId,
      });
      expect(await s.tenants.updateApp({ ...a, appName: 'Renamed' })).toBe('updated');
      expect((await s.tenants.getApp(org.orgId, 'a-app'))?.appName).toBe('Renamed');
      expect(await s.tenants.updateApp(anApp(org.orgId))).toBe('missing');
    });

    it('keeps two orgs apart even when they reuse an app id', async () => {
      const s = get();
      const o1 = anOrg();
      const o2 = anOrg();
      await s.tenants.createOrg(o1, aCredential(o1.orgId));
      await s.tenants.createOrg(o2, aCredential(o2.orgId));
      await s.tenants.createApp(
        anApp(o1.orgId, { appId: 'shared', appName: 'one' }),
        aCredential(o1.orgId, 'shared'),
      );
      await s.tenants.createApp(
        anApp(o2.orgId, { appId: 'shared', appName: 'two' }),
        aCredential(o2.orgId, 'shared'),
      );
      expect((await s.tenants.getApp(o1.orgId, 'shared'))?.appName).toBe('one');
      expect((await s.tenants.getApp(o2.orgId, 'shared'))?.appName).toBe('two');
      expect(await s.tenants.listApps(o1.orgId)).toHaveLength(1);
    });
  });

  describe('CredentialStore', () => {
    it('replaces a credential only at the expected version', async () => {
      const s = get();
      const org = anOrg();
      const cred = aCredential(org.orgId);
      await s.tenants.createOrg(org, cred);
      const next = {
        ...cred,
        secretHash: 'hash-v2',
        secretVersion: 2,
        previousSecretHash: 'hash-v1',
        previousSecretVersion: 1,
        previousSecretExpiresAt: '2026-03-11T12:00:00.000Z',
      };
      expect(await s.credentials.replace(next, 1)).toBe(true);
      expect(await s.credentials.get(cred.clientId)).toEqual(next);
      expect(await s.credentials.replace({ ...next, secretHash: 'hash-v3', secretVersion: 3 }, 1)).toBe(
        false,
      );
      expect((await s.credentials.get(cred.clientId))?.secretHash).toBe('hash-v2');
    });

    it('concurrent rotations at one version: exactly one wins', async () => {
      const s = get();
      const org = anOrg();
      const cred = aCredential(org.orgId);
      await s.tenants.createOrg(org, cred);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          s.credentials.replace({ ...cred, secretHash: `h${i}`, secretVersion: 2 }, 1),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('does not create a credential through replace', async () => {
      const s = get();
      const cred = aCredential(anOrg().orgId);
      expect(await s.credentials.replace(cred, 0)).toBe(false);
      expect(await s.credentials.get(cred.clientId)).toBeUndefined();
    });
  });
}
