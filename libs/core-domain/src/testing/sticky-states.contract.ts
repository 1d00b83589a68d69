import { describe, expect, it } from '@jest/globals';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aStickyState } from './builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');

export function stickyStatesContract(get: () => StorageAdapters): void {
  describe('StickyStates', () => {
    it('stores the first state and reads it back', async () => {
      const s = get();
      const st = aStickyState();
      expect(await s.sticky.get(st.scopeKey, st.day, NOW)).toBeUndefined();
      expect(await s.sticky.advance(st, NOW)).toBe(true);
      expect(await s.sticky.get(st.scopeKey, st.day, NOW)).toEqual(st);
    });

    it('only moves forward: a lower or equal index is refused', async () => {
      const s = get();
      const st = aStickyState({ label: 'economy', index: 2, previousLabel: 'standard' });
      await s.sticky.advance(st, NOW);
      expect(
        await s.sticky.advance({ ...st, label: 'standard', index: 1, previousLabel: 'premium' }, NOW),
      ).toBe(false);
      expect(await s.sticky.advance({ ...st, updatedAt: 'x' }, NOW)).toBe(false);
      expect(await s.sticky.get(st.scopeKey, st.day, NOW)).toEqual(st);
      const further = { ...st, label: 'last', index: 3, previousLabel: 'economy' };
      expect(await s.sticky.advance(further, NOW)).toBe(true);
      expect((await s.sticky.get(st.scopeKey, st.day, NOW))?.index).toBe(3);
    });

    it('never moves back under a concurrent burst of mixed advances', async () => {
      const s = get();
      const base = aStickyState();
      const indexes = [1, 3, 2, 1, 3, 2, 2, 1];
      await Promise.all(
        indexes.map((index) => s.sticky.advance({ ...base, index, label: `l${index}` }, NOW)),
      );
      expect((await s.sticky.get(base.scopeKey, base.day, NOW))?.index).toBe(3);
    });

    it('keeps days and scopes apart', async () => {
      const s = get();
      const st = aStickyState();
      await s.sticky.advance(st, NOW);
      expect(await s.sticky.get(st.scopeKey, '2026-03-11', NOW)).toBeUndefined();
      expect(await s.sticky.get(`${st.scopeKey}#APP#x`, st.day, NOW)).toBeUndefined();
    });

    it('ignores an expired state, and lets a new one replace it', async () => {
      const s = get();
      const st = aStickyState({ index: 2, expiresAt: Math.floor(NOW.getTime() / 1000) - 1 });
      await s.sticky.advance(st, new Date(NOW.getTime() - 3600_000));
      expect(await s.sticky.get(st.scopeKey, st.day, NOW)).toBeUndefined();
      const fresh = { ...st, index: 1, expiresAt: Math.floor(NOW.getTime() / 1000) + 3600 };
      expect(await s.sticky.advance(fresh, NOW)).toBe(true);
      expect((await s.sticky.get(st.scopeKey, st.day, NOW))?.index).toBe(1);
    });
  });
}
