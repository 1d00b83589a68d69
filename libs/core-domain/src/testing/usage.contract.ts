import { describe, expect, it } from '@jest/globals';
import { type StorageAdapters } from '../ports/storage.port.js';
import { periodTotalId } from '../model/usage/period-total.js';
import { aDailyTotal, aPeriodTotal, aStickyState, aUsageRecord, uniqueId } from './builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');

export function usageCountersContract(get: () => StorageAdapters): void {
  describe('UsageCounters', () => {
    it('records an event once and adds it to its shard counter', async () => {
      const s = get();
      const r = aUsageRecord({ shard: 3, cacheReadInputTokens: 7, cacheWriteInputTokens: 9 });
      expect(await s.counters.recordOnce(r)).toEqual({ duplicate: false });
      const sum = await s.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8);
      expect(sum).toEqual({
        costUsdMicros: 3760,
        inputTokens: 1500,
        outputTokens: 800,
        cacheReadInputTokens: 7,
        cacheWriteInputTokens: 9,
        requests: 1,
      });
    });

    it("a duplicate adds nothing and returns the first submission's cost", async () => {
      const s = get();
      const r = aUsageRecord({ shard: 1, costUsdMicros: 3760 });
      await s.counters.recordOnce(r);
      const again = await s.counters.recordOnce({ ...r, costUsdMicros: 999, inputTokens: 1 });
      expect(again).toEqual({ duplicate: true, costUsdMicros: 3760, shard: 1, label: 'premium', day: r.day });
      const sum = await s.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8);
      expect(sum.requests).toBe(1);
      expect(sum.costUsdMicros).toBe(3760);
    });

    it('a Promise.all burst of duplicates counts once', async () => {
      const s = get();
      const r = aUsageRecord({ shard: 2 });
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => s.counters.recordOnce({ ...r })));
      expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
      expect(outcomes.filter((o) => o.duplicate)).toHaveLength(19);
      for (const o of outcomes) if (o.duplicate) expect(o.costUsdMicros).toBe(r.costUsdMicros);
      const sum = await s.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8);
      expect(sum).toMatchObject({ requests: 1, costUsdMicros: r.costUsdMicros });
    });

    it('copies of one request id with different content racing: the winner counts, every copy answers with it', async () => {
      const s = get();
      const r = aUsageRecord({ shard: 4 });
      const copies = Array.from({ length: 12 }, (_, i) => ({
        ...r,
        costUsdMicros: r.costUsdMicros + i,
        shard: i % 8,
        inputTokens: 1 + i,
      }));
      const outcomes = await Promise.all(copies.map((c) => s.counters.recordOnce(c)));
      const winners = outcomes.flatMap((o, i) => (o.duplicate ? [] : [copies[i]!]));
      expect(winners).toHaveLength(1);
      const w = winners[0]!;
      for (const o of outcomes) {
        if (o.duplicate)
          expect(o).toEqual({
            duplicate: true,
            costUsdMicros: w.costUsdMicros,
            shard: w.shard,
            label: w.label,
            day: w.day,
          });
      }
      const sum = await s.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8);
      expect(sum).toMatchObject({ requests: 1, costUsdMicros: w.costUsdMicros, inputTokens: w.inputTokens });
      // A copy sent after the burst is a duplicate too.
      expect(await s.counters.recordOnce({ ...r, costUsdMicros: 1 })).toMatchObject({
        duplicate: true,
        costUsdMicros: w.costUsdMicros,
      });
    });

    it('a retry storm on one shard counter: 40 ids sent 3 times at once, every call answers, each id counts once', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      const events = Array.from({ length: 40 }, (_, i) =>
        aUsageRecord({ orgId, scopeKey, shard: 0, costUsdMicros: 1000 + i }),
      );
      const sends = [...events, ...events, ...events].map((e) => ({ ...e }));
      const outcomes = await Promise.all(sends.map((e) => s.counters.recordOnce(e)));
      expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(40);
      outcomes.forEach((o, i) => {
        if (o.duplicate) expect(o.costUsdMicros).toBe(sends[i]!.costUsdMicros);
      });
      const sum = await s.counters.sumShards({ scopeKey, label: 'premium', day: '2026-03-10' }, 8);
      expect(sum).toMatchObject({ requests: 40, costUsdMicros: 40 * 1000 + (39 * 40) / 2 });
    });

    it('sums concurrent distinct events across shards exactly', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      const events = Array.from({ length: 40 }, (_, i) =>
        aUsageRecord({
          orgId,
          scopeKey,
          shard: i % 8,
          costUsdMicros: 100 + i,
          inputTokens: i,
          outputTokens: 2 * i,
        }),
      );
      await Promise.all(events.map((e) => s.counters.recordOnce(e)));
      const sum = await s.counters.sumShards({ scopeKey, label: 'premium', day: '2026-03-10' }, 8);
      expect(sum.requests).toBe(40);
      expect(sum.costUsdMicros).toBe(40 * 100 + (39 * 40) / 2);
      expect(sum.inputTokens).toBe((39 * 40) / 2);
      expect(sum.outputTokens).toBe(39 * 40);
    });

    it('keeps scopes, labels and days apart; the same request id in two scopes counts in each', async () => {
      const s = get();
      const requestId = uniqueId();
      const a = aUsageRecord({ requestId });
      const b = aUsageRecord({ requestId });
      expect(await s.counters.recordOnce(a)).toEqual({ duplicate: false });
      expect(await s.counters.recordOnce(b)).toEqual({ duplicate: false });
      await s.counters.recordOnce(aUsageRecord({ orgId: a.orgId, scopeKey: a.scopeKey, label: 'economy' }));
      await s.counters.recordOnce(aUsageRecord({ orgId: a.orgId, scopeKey: a.scopeKey, day: '2026-03-09' }));
      expect(
        (await s.counters.sumShards({ scopeKey: a.scopeKey, label: 'premium', day: '2026-03-10' }, 8))
          .requests,
      ).toBe(1);
      expect(
        (await s.counters.sumShards({ scopeKey: a.scopeKey, label: 'economy', day: '2026-03-10' }, 8))
          .requests,
      ).toBe(1);
      expect(
        (await s.counters.sumShards({ scopeKey: a.scopeKey, label: 'premium', day: '2026-03-09' }, 8))
          .requests,
      ).toBe(1);
    });

    it('answers zero totals for a group with no events', async () => {
      const s = get();
      const sum = await s.counters.sumShards(
        { scopeKey: `ORG#${uniqueId()}`, label: 'premium', day: '2026-03-10' },
        64,
      );
      expect(sum).toEqual({
        costUsdMicros: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadInputTokens: 0,
        cacheWriteInputTokens: 0,
        requests: 0,
      });
    });

    it('keeps exact sums for large values (10^12 micro-USD events)', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      const big = 1_000_000_000_000;
      await s.counters.recordOnce(
        aUsageRecord({ orgId, scopeKey, shard: 0, costUsdMicros: big, inputTokens: 1_000_000_000 }),
      );
      await s.counters.recordOnce(
        aUsageRecord({ orgId, scopeKey, shard: 0, costUsdMicros: big + 1, inputTokens: 1_000_000_000 }),
      );
      const sum = await s.counters.sumShards({ scopeKey, label: 'premium', day: '2026-03-10' }, 8);
      expect(sum.costUsdMicros).toBe(2 * big + 1);
      expect(sum.inputTokens).toBe(2_000_000_000);
    });
  });
}

export function dailyTotalsContract(get: () => StorageAdapters): void {
  describe('DailyTotals', () => {
    it('overwrites totals idempotently and lists them per scope and day', async () => {
      const s = get();
      const t = aDailyTotal();
      await s.totals.put([t, { ...t, label: 'economy', costUsdMicros: 5 }]);
      await s.totals.put([{ ...t, costUsdMicros: 2000, requests: 2 }]);
      await s.totals.put([{ ...t, costUsdMicros: 2000, requests: 2 }]);
      const list = (await s.totals.forScopeDay(t.scopeKey, t.day)).sort((a, b) =>
        a.label.localeCompare(b.label),
      );
      expect(list.map((x) => [x.label, x.costUsdMicros])).toEqual([
        ['economy', 5],
        ['premium', 2000],
      ]);
      expect(list[1]).toEqual({ ...t, costUsdMicros: 2000, requests: 2 });
      expect(await s.totals.forScopeDay(t.scopeKey, '2026-03-09')).toEqual([]);
    });

    it('reads several scopes for a day at once', async () => {
      const s = get();
      const a = aDailyTotal();
      const b = aDailyTotal();
      await s.totals.put([a, b]);
      const m = await s.totals.forScopesDay([a.scopeKey, b.scopeKey, 'ORG#nobody'], a.day);
      expect(m.get(a.scopeKey)).toEqual([a]);
      expect(m.get(b.scopeKey)).toEqual([b]);
      expect(m.get('ORG#nobody')).toEqual([]);
    });
  });
}

export function spendReaderContract(get: () => StorageAdapters): void {
  describe('SpendReader', () => {
    it('reads totals, live shard sums and sticky state of one scope and day together', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      await s.totals.put([aDailyTotal({ scopeKey, label: 'premium', costUsdMicros: 500 })]);
      await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, shard: 0, costUsdMicros: 400 }));
      await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, shard: 5, costUsdMicros: 300 }));
      const sticky = aStickyState({ scopeKey });
      await s.sticky.advance(sticky, NOW);
      const snap = await s.spend.read(
        {
          scopeKey,
          day: '2026-03-10',
          totalsFor: ['premium', 'standard'],
          liveFor: ['premium'],
          shardCount: 8,
          withSticky: true,
        },
        NOW,
      );
      expect(snap.totals.get('premium')?.costUsdMicros).toBe(500);
      expect(snap.totals.has('standard')).toBe(false);
      expect(snap.live.get('premium')).toMatchObject({ costUsdMicros: 700, requests: 2 });
      expect(snap.sticky).toEqual(sticky);
    });

    it('reads the period totals asked for with the totals; absent and expired ones are missing', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      await s.totals.put([aDailyTotal({ scopeKey, label: 'premium', costUsdMicros: 500 })]);
      const week = aPeriodTotal({ scopeKey, periodKey: 'W#2026-03-09', label: '*', costUsdMicros: 9000 });
      const month = aPeriodTotal({ scopeKey, periodKey: 'M#2026-03', label: 'premium' });
      const expired = aPeriodTotal({
        scopeKey,
        periodKey: 'M#2026-03',
        label: 'economy',
        expiresAt: Math.floor(NOW.getTime() / 1000),
      });
      const roll = aPeriodTotal({ scopeKey: `ORG#${uniqueId()}`, periodKey: 'M#2026-03', label: '*' });
      await s.periodTotals.put([week, month, expired, roll]);
      const absent = { scopeKey, periodKey: 'D#2026-03-10', label: '*' };
      const snap = await s.spend.read(
        {
          scopeKey,
          day: '2026-03-10',
          totalsFor: ['premium'],
          liveFor: [],
          shardCount: 8,
          withSticky: false,
          periods: [week, month, expired, roll, absent],
        },
        NOW,
      );
      expect(snap.totals.get('premium')?.costUsdMicros).toBe(500);
      expect(snap.periods).toEqual(
        new Map([
          [periodTotalId(week), week],
          [periodTotalId(month), month],
          [periodTotalId(roll), roll],
        ]),
      );
      const none = await s.spend.read(
        { scopeKey, day: '2026-03-10', totalsFor: [], liveFor: [], shardCount: 8, withSticky: false },
        NOW,
      );
      expect(none.periods.size).toBe(0);
    });

    it('reads nothing it was not asked for', async () => {
      const s = get();
      const scopeKey = `ORG#${uniqueId()}`;
      await s.sticky.advance(aStickyState({ scopeKey }), NOW);
      const snap = await s.spend.read(
        {
          scopeKey,
          day: '2026-03-10',
          totalsFor: ['premium'],
          liveFor: [],
          shardCount: 8,
          withSticky: false,
        },
        NOW,
      );
      expect(snap.sticky).toBeUndefined();
      expect(snap.live.size).toBe(0);
      expect(snap.totals.size).toBe(0);
      expect(snap.periods.size).toBe(0);
    });

    it('ignores an expired sticky state', async () => {
      const s = get();
      const scopeKey = `ORG#${uniqueId()}`;
      await s.sticky.advance(
        aStickyState({ scopeKey, expiresAt: Math.floor(NOW.getTime() / 1000) - 10 }),
        new Date(0),
      );
      const snap = await s.spend.read(
        { scopeKey, day: '2026-03-10', totalsFor: [], liveFor: [], shardCount: 8, withSticky: true },
        NOW,
      );
      expect(snap.sticky).toBeUndefined();
    });
  });
}

export function changeFeedContract(get: () => StorageAdapters): void {
  describe('ChangeFeed', () => {
    it('finds the groups written since a time, once each, for the asked days only', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      const at = '2026-03-10T12:00:00.000Z';
      for (let i = 0; i < 5; i++) {
        await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, shard: i, recordedAt: at }));
      }
      await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, label: 'economy', recordedAt: at }));
      await s.counters.recordOnce(aUsageRecord({ orgId, scopeKey, day: '2026-03-08', recordedAt: at }));
      const groups = (
        await s.changeFeed.changedGroups(['2026-03-10', '2026-03-09'], new Date('2026-03-10T11:50:00Z'))
      )
        .filter((g) => g.scopeKey === scopeKey)
        .sort((a, b) => a.label.localeCompare(b.label));
      expect(groups).toEqual([
        { scopeKey, label: 'economy', day: '2026-03-10' },
        { scopeKey, label: 'premium', day: '2026-03-10' },
      ]);
      const all = (await s.changeFeed.changedGroups(['2026-03-08'], undefined)).filter(
        (g) => g.scopeKey === scopeKey,
      );
      expect(all).toEqual([{ scopeKey, label: 'premium', day: '2026-03-08' }]);
    });

    it('does not report groups last written long before `since`', async () => {
      const s = get();
      const orgId = uniqueId();
      const scopeKey = `ORG#${orgId}`;
      await s.counters.recordOnce(
        aUsageRecord({ orgId, scopeKey, day: '2026-03-07', recordedAt: '2026-03-07T08:00:00.000Z' }),
      );
      const groups = (
        await s.changeFeed.changedGroups(['2026-03-07'], new Date('2026-03-07T10:00:00Z'))
      ).filter((g) => g.scopeKey === scopeKey);
      expect(groups).toEqual([]);
      await s.counters.recordOnce(
        aUsageRecord({ orgId, scopeKey, day: '2026-03-07', recordedAt: '2026-03-07T10:30:00.000Z' }),
      );
      const later = (
        await s.changeFeed.changedGroups(['2026-03-07'], new Date('2026-03-07T10:00:00Z'))
      ).filter((g) => g.scopeKey === scopeKey);
      expect(later).toEqual([{ scopeKey, label: 'premium', day: '2026-03-07' }]);
    });
  });
}
