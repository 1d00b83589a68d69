import { describe, expect, it } from '@jest/globals';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aProfile, uniqueAppId, uniqueId } from './builders.js';

export function inferenceProfilesContract(get: () => StorageAdapters): void {
  describe('InferenceProfiles', () => {
    it('registers once, then answers exists without overwriting', async () => {
      const s = get();
      const p = aProfile(uniqueId(), uniqueAppId());
      expect(await s.profiles.register(p)).toBe('registered');
      expect(await s.profiles.register({ ...p, description: 'other' })).toBe('exists');
      expect(await s.profiles.get(p.orgId, p.appId, p.profileLabel)).toEqual(p);
    });

    it("lists an app's profiles by label and nothing of other apps", async () => {
      const s = get();
      const orgId = uniqueId();
      const appId = uniqueAppId();
      await s.profiles.register(aProfile(orgId, appId, { profileLabel: 'zeta' }));
      await s.profiles.register(aProfile(orgId, appId, { profileLabel: 'alpha' }));
      await s.profiles.register(aProfile(orgId, uniqueAppId(), { profileLabel: 'other' }));
      expect((await s.profiles.list(orgId, appId)).map((p) => p.profileLabel)).toEqual(['alpha', 'zeta']);
      expect(await s.profiles.get(orgId, appId, 'other')).toBeUndefined();
    });

    it('stores a profile without a description', async () => {
      const s = get();
      const p = aProfile(uniqueId(), uniqueAppId());
      delete p.description;
      await s.profiles.register(p);
      expect(await s.profiles.get(p.orgId, p.appId, p.profileLabel)).toEqual(p);
    });

    it('concurrent registrations of one label: exactly one wins', async () => {
      const s = get();
      const p = aProfile(uniqueId(), uniqueAppId());
      const results = await Promise.all(Array.from({ length: 6 }, () => s.profiles.register(p)));
      expect(results.filter((r) => r === 'registered')).toHaveLength(1);
    });
  });
}
