import { describe, expect, it } from '@jest/globals';
import { emptyRollup, type DayRollup, type RollupTotals } from '../model/usage/rollup.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { uniqueId } from './builders.js';

const T = (n: number): RollupTotals => ({
  costUsdMicros: 100 * n,
  inputTokens: 10 * n,
  outputTokens: 5 * n,
  cacheReadInputTokens: n,
  cacheWriteInputTokens: 2 * n,
  requests: n,
  errors: n % 2,
});

function rollupOf(
  orgId: string,
  day: string,
  entries: Array<[string, number]>,
  window: string,
  set: DayRollup['set'] = 'dims',
) {
  const r = emptyRollup(orgId, set, day);
  for (const [k, n] of entries) r.entries.set(k, T(n));
  r.window = window;
  return r;
}

/** The UsageRollups port: daily rollups read by org-day range, written conditionally on their last window. */
export function usageRollupsContract(get: () => StorageAdapters): void {
  describe('UsageRollups', () => {
    it('reads back what was written, by set and inclusive day range, in day order', async () => {
      const s = get();
      const org = uniqueId();
      for (const day of ['2026-03-12', '2026-03-10', '2026-03-11', '2026-03-13']) {
        expect(
          await s.rollups.write(rollupOf(org, day, [[`ORG\tapp\tfast\tm-${day}`, 2]], 'w1'), undefined),
        ).toBe(true);
      }
      await s.rollups.write(rollupOf(org, '2026-03-11', [['app\tsearch', 3]], 'w1', 'tag:team'), undefined);
      const got = await s.rollups.readRange(org, 'dims', '2026-03-10', '2026-03-12');
      expect(got.map((r) => r.day)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
      expect(got[1]!.entries.get('ORG\tapp\tfast\tm-2026-03-11')).toEqual(T(2));
      expect(got[1]!.window).toBe('w1');
      const tag = await s.rollups.readRange(org, 'tag:team', '2026-03-01', '2026-03-31');
      expect(tag).toHaveLength(1);
      expect([...tag[0]!.entries]).toEqual([['app\tsearch', T(3)]]);
      expect(await s.rollups.readRange(org, 'tag:tea', '2026-03-01', '2026-03-31')).toEqual([]);
      expect(await s.rollups.readRange(uniqueId(), 'dims', '2026-03-01', '2026-03-31')).toEqual([]);
    });

    it('writes only when the stored window is the expected one (none: only a new rollup)', async () => {
      const s = get();
      const org = uniqueId();
      const day = '2026-04-01';
      expect(await s.rollups.write(rollupOf(org, day, [['a\tx', 1]], 'w1'), undefined)).toBe(true);
      expect(await s.rollups.write(rollupOf(org, day, [['a\tx', 9]], 'w9'), undefined)).toBe(false);
      expect(await s.rollups.write(rollupOf(org, day, [['a\tx', 9]], 'w9'), 'w0')).toBe(false);
      expect(await s.rollups.write(rollupOf(org, day, [['a\tx', 2]], 'w2'), 'w1')).toBe(true);
      expect(await s.rollups.write(rollupOf(uniqueId(), day, [['a\tx', 2]], 'w2'), 'w1')).toBe(false);
      const [r] = await s.rollups.readRange(org, 'dims', day, day);
      expect(r!.window).toBe('w2');
      expect([...r!.entries]).toEqual([['a\tx', T(2)]]);
    });

    it('keeps a day too large for one item whole (tens of thousands of entries), and any key characters', async () => {
      const s = get();
      const org = uniqueId();
      const day = '2026-05-01';
      const entries: Array<[string, number]> = [];
      for (let i = 0; i < 30_000; i++)
        entries.push([`app-${i}\t${Math.random().toString(36).repeat(3)}-${i}`, (i % 7) + 1]);
      entries.push(['app\tvalue with "quotes", commas, é and \u0000', 1]);
      expect(await s.rollups.write(rollupOf(org, day, entries, 'w1'), undefined)).toBe(true);
      const [r] = await s.rollups.readRange(org, 'dims', day, day);
      expect(r!.entries.size).toBe(entries.length);
      for (const [k, n] of entries.slice(-5)) expect(r!.entries.get(k)).toEqual(T(n));
      // A smaller rewrite hides the parts it no longer needs.
      expect(await s.rollups.write(rollupOf(org, day, [['a\tx', 1]], 'w2'), 'w1')).toBe(true);
      const [small] = await s.rollups.readRange(org, 'dims', day, day);
      expect([...small!.entries]).toEqual([['a\tx', T(1)]]);
    });

    it('keeps the pass checkpoint', async () => {
      const s = get();
      const cp = {
        appliedTo: '2026-03-10T10:00:00.000Z',
        lastWindow: 'a/b',
        pending: { from: 'x', to: 'y' },
      };
      await s.rollups.writeCheckpoint(cp);
      expect(await s.rollups.readCheckpoint()).toEqual(cp);
      await s.rollups.writeCheckpoint({ appliedTo: '2026-03-10T11:00:00.000Z' });
      expect(await s.rollups.readCheckpoint()).toEqual({ appliedTo: '2026-03-10T11:00:00.000Z' });
    });
  });
}
