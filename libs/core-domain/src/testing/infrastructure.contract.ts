import { describe, expect, it } from '@jest/globals';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aPricingEntry, uniqueId } from './builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const nowSecs = Math.floor(NOW.getTime() / 1000);

export function pricingCacheContract(get: () => StorageAdapters): void {
  describe('PricingCache', () => {
    it('finds the regional and the global entry of a model for a day', async () => {
      const s = get();
      const global = aPricingEntry();
      const regional = {
        ...global,
        region: 'eu-west-1',
        price: { inputPerMillion: 5, outputPerMillion: 6, cacheReadPerMillion: 1 },
      };
      await s.pricing.put([global, regional]);
      expect(await s.pricing.find(global.day, global.bedrockModelId, 'eu-west-1', NOW)).toEqual({
        regional,
        global,
      });
      expect(await s.pricing.find(global.day, global.bedrockModelId, 'us-west-2', NOW)).toEqual({ global });
      expect(await s.pricing.find(global.day, global.bedrockModelId, undefined, NOW)).toEqual({ global });
      expect(await s.pricing.find('2026-03-09', global.bedrockModelId, undefined, NOW)).toEqual({});
    });

    it('ignores expired entries and overwrites on put', async () => {
      const s = get();
      const e = aPricingEntry({ expiresAt: nowSecs - 1 });
      await s.pricing.put([e]);
      expect(await s.pricing.find(e.day, e.bedrockModelId, undefined, NOW)).toEqual({});
      const fresh = { ...e, expiresAt: nowSecs + 60, version: 'v2' };
      await s.pricing.put([fresh]);
      expect(await s.pricing.find(e.day, e.bedrockModelId, undefined, NOW)).toEqual({ global: fresh });
    });
  });
}

export function revokedTokensContract(get: () => StorageAdapters): void {
  describe('RevokedTokens', () => {
    it('answers revoked for any revoked id until the token expires', async () => {
      const s = get();
      const jti = uniqueId();
      const other = uniqueId();
      expect(await s.revocations.anyRevoked([jti, other], NOW)).toBe(false);
      await s.revocations.revoke(jti, nowSecs + 60);
      await s.revocations.revoke(jti, nowSecs + 60);
      expect(await s.revocations.anyRevoked([other, jti], NOW)).toBe(true);
      expect(await s.revocations.anyRevoked([other], NOW)).toBe(false);
      expect(await s.revocations.anyRevoked([jti], new Date((nowSecs + 61) * 1000))).toBe(false);
    });

    it('answers false for no ids', async () => {
      expect(await get().revocations.anyRevoked([], NOW)).toBe(false);
    });
  });
}

export function workerLeaseContract(get: () => StorageAdapters): void {
  describe('WorkerLease', () => {
    it('grants a free lease to one owner and refuses another until it expires', async () => {
      const s = get();
      const name = `agg-${uniqueId()}`;
      expect((await s.lease.tryAcquire(name, 'w1', NOW, 30)).acquired).toBe(true);
      expect((await s.lease.tryAcquire(name, 'w2', NOW, 30)).acquired).toBe(false);
      expect((await s.lease.tryAcquire(name, 'w1', new Date(NOW.getTime() + 10_000), 30)).acquired).toBe(
        true,
      );
      expect((await s.lease.tryAcquire(name, 'w2', new Date(NOW.getTime() + 35_000), 30)).acquired).toBe(
        false,
      );
      expect((await s.lease.tryAcquire(name, 'w2', new Date(NOW.getTime() + 41_000), 30)).acquired).toBe(
        true,
      );
    });

    it('hands the cursor to the next holder on release', async () => {
      const s = get();
      const name = `agg-${uniqueId()}`;
      expect(await s.lease.tryAcquire(name, 'w1', NOW, 30)).toEqual({ acquired: true });
      await s.lease.release(name, 'w1', '2026-03-10T12:00:00.000Z');
      expect(await s.lease.tryAcquire(name, 'w2', NOW, 30)).toEqual({
        acquired: true,
        cursor: '2026-03-10T12:00:00.000Z',
      });
    });

    it('ignores a release by someone who does not hold the lease', async () => {
      const s = get();
      const name = `agg-${uniqueId()}`;
      await s.lease.tryAcquire(name, 'w1', NOW, 30);
      await s.lease.release(name, 'w2', 'bogus');
      expect((await s.lease.tryAcquire(name, 'w2', NOW, 30)).acquired).toBe(false);
    });

    it('a concurrent burst of acquirers: exactly one holds the lease', async () => {
      const s = get();
      const name = `agg-${uniqueId()}`;
      const grants = await Promise.all(
        Array.from({ length: 10 }, (_, i) => s.lease.tryAcquire(name, `w${i}`, NOW, 30)),
      );
      expect(grants.filter((g) => g.acquired)).toHaveLength(1);
    });
  });

  describe('ping', () => {
    it('answers when storage is up', async () => {
      await expect(get().ping()).resolves.toBeUndefined();
    });
  });
}
