import { describe, expect, it } from '@jest/globals';
import { ALL_LABELS, periodTotalId, type PeriodTotalKey } from '../model/usage/period-total.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aCredential, anApp, anOrg, aPeriodTotal, uniqueId } from './builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const nowSecs = Math.floor(NOW.getTime() / 1000);

export function periodTotalsContract(get: () => StorageAdapters): void {
  describe('PeriodTotals', () => {
    it('reads back what was put, samples included, keyed by periodTotalId', async () => {
      const s = get();
      const week = aPeriodTotal();
      const day = aPeriodTotal({
        scopeKey: week.scopeKey,
        periodKey: 'D#2026-03-10',
        label: ALL_LABELS,
        samples: [
          { at: '2026-03-10T10:00:00.000Z', costUsdMicros: 100 },
          { at: '2026-03-10T11:00:00.000Z', costUsdMicros: 250 },
        ],
      });
      await s.periodTotals.put([week, day]);
      const got = await s.periodTotals.get([week, day], NOW);
      expect(got.size).toBe(2);
      expect(got.get(periodTotalId(week))).toEqual(week);
      expect(got.get(periodTotalId(day))).toEqual(day);
    });

    it('overwrites idempotently', async () => {
      const s = get();
      const t = aPeriodTotal();
      await s.periodTotals.put([t]);
      const next = {
        ...t,
        costUsdMicros: 9000,
        requests: 9,
        samples: [{ at: t.updatedAt, costUsdMicros: 1 }],
      };
      await s.periodTotals.put([next]);
      await s.periodTotals.put([next]);
      expect(await s.periodTotals.get([t], NOW)).toEqual(new Map([[periodTotalId(t), next]]));
    });

    it('leaves missing keys out, and keeps scopes, periods and labels apart', async () => {
      const s = get();
      const t = aPeriodTotal();
      await s.periodTotals.put([t]);
      const others: PeriodTotalKey[] = [
        { scopeKey: `ORG#${uniqueId()}`, periodKey: t.periodKey, label: t.label },
        { scopeKey: t.scopeKey, periodKey: 'M#2026-03', label: t.label },
        { scopeKey: t.scopeKey, periodKey: t.periodKey, label: 'economy' },
      ];
      const got = await s.periodTotals.get([...others, t], NOW);
      expect([...got.keys()]).toEqual([periodTotalId(t)]);
      expect((await s.periodTotals.get([], NOW)).size).toBe(0);
      expect((await s.periodTotals.get(others, NOW)).size).toBe(0);
    });

    it('hides expired items', async () => {
      const s = get();
      const expired = aPeriodTotal({ expiresAt: nowSecs });
      const alive = aPeriodTotal({ scopeKey: expired.scopeKey, label: 'economy', expiresAt: nowSecs + 1 });
      await s.periodTotals.put([expired, alive]);
      const got = await s.periodTotals.get([expired, alive], NOW);
      expect([...got.keys()]).toEqual([periodTotalId(alive)]);
      expect((await s.periodTotals.get([expired], new Date((nowSecs - 1) * 1000))).size).toBe(1);
    });

    it('reads more than 100 keys in one call', async () => {
      const s = get();
      const scopeKey = `ORG#${uniqueId()}`;
      const stored = Array.from({ length: 130 }, (_, i) =>
        aPeriodTotal({ scopeKey, label: `l${i}`, costUsdMicros: i }),
      );
      await s.periodTotals.put(stored);
      const missing = Array.from({ length: 20 }, (_, i) => ({
        scopeKey,
        periodKey: 'M#2026-03',
        label: `l${i}`,
      }));
      const got = await s.periodTotals.get([...stored, ...missing], NOW);
      expect(got.size).toBe(130);
      for (const t of stored) expect(got.get(periodTotalId(t))?.costUsdMicros).toBe(t.costUsdMicros);
    });

    it("round-trips an org's budgets and week start through TenantDirectory", async () => {
      const s = get();
      const org = anOrg({
        budgets: [
          { window: 'MONTH', limitUsdMicros: 50_000_000 },
          { window: 'WEEK', limitUsdMicros: 20_000_000, label: 'premium' },
        ],
      });
      org.settings = { ...org.settings, weekStartsOn: 'SUNDAY' };
      await s.tenants.createOrg(org, aCredential(org.orgId));
      expect(await s.tenants.getOrg(org.orgId)).toEqual(org);
      const updated = { ...org, budgets: [], settings: { ...org.settings, weekStartsOn: 'MONDAY' as const } };
      expect(await s.tenants.updateOrg(updated)).toBe('updated');
      expect(await s.tenants.getOrg(org.orgId)).toEqual(updated);
    });

    it("round-trips an app's budgets", async () => {
      const s = get();
      const org = anOrg({ quotaScope: 'APP' });
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const app = anApp(org.orgId, {
        overrides: { budgets: [{ window: 'DAY', limitUsdMicros: 1_000_000, label: 'economy' }] },
      });
      await s.tenants.createApp(app, aCredential(org.orgId, app.appId));
      expect(await s.tenants.getApp(org.orgId, app.appId)).toEqual(app);
      const updated = { ...app, overrides: { ...app.overrides, budgets: [] } };
      expect(await s.tenants.updateApp(updated)).toBe('updated');
      expect(await s.tenants.getApp(org.orgId, app.appId)).toEqual(updated);
      expect(await s.tenants.listApps(org.orgId)).toEqual([updated]);
    });
  });
}
