import { describe, expect, it } from '@jest/globals';
import { type UsageRecord } from '../model/usage/usage.entity.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { type DayRecordsQuery } from '../ports/usage-records.port.js';
import { aUsageRecord, uniqueId } from './builders.js';

const NOW = new Date('2026-03-10T18:00:00Z');
const LATER = Math.floor(NOW.getTime() / 1000) + 86400;
/** Far ahead of the machine's clock: DynamoDB Local's TTL sweeper deletes items past it. */
const KEEP = Math.floor(Date.UTC(2100, 0, 1) / 1000);

/** Records of one new org on 2026-03-10, `n` of them one minute apart from 10:00Z. */
function dayOf(
  orgId: string,
  n: number,
  over: (i: number) => Partial<UsageRecord> = () => ({}),
): UsageRecord[] {
  return Array.from({ length: n }, (_, i) =>
    aUsageRecord({
      orgId,
      scopeKey: `ORG#${orgId}`,
      day: '2026-03-10',
      timestamp: new Date(Date.UTC(2026, 2, 10, 10, i)).toISOString(),
      retainUntil: LATER,
      expiresAt: KEEP,
      ...over(i),
    }),
  );
}

async function readAll(s: StorageAdapters, q: Omit<DayRecordsQuery, 'limit' | 'after'>, limit: number) {
  const out: UsageRecord[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await s.records.readDay({ ...q, limit, ...(after !== undefined ? { after } : {}) });
    out.push(...page.records);
    if (page.next === undefined) return { records: out, pages: pages + 1 };
    after = page.next;
  }
  throw new Error('paging did not end');
}

const DAY = { day: '2026-03-10', from: '2026-03-10T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z', now: NOW };

export function usageRecordsContract(get: () => StorageAdapters): void {
  describe('UsageRecords', () => {
    it('reads back every field of the records written by recordOnce, in timestamp order', async () => {
      const s = get();
      const orgId = uniqueId();
      const records = dayOf(orgId, 3, (i) => ({
        timestamp: new Date(Date.UTC(2026, 2, 10, 12 - i)).toISOString(),
        tags: { team: `t${i}`, incident: 'INC-1' },
        callingRegion: 'eu-west-1',
        profileArn: 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/p1',
        priceSource: 'PRICING_API',
        priceVersion: `v${i}`,
      }));
      for (const r of records) await s.counters.recordOnce(r);
      await s.counters.recordOnce({ ...records[0]!, costUsdMicros: 1 }); // a duplicate adds no record
      const page = await s.records.readDay({ orgId, ...DAY, limit: 10 });
      expect(page.next).toBeUndefined();
      expect(page.records).toEqual([...records].reverse());
    });

    it('reads records written in any order in timestamp order, near the end and far from it', async () => {
      const s = get();
      const orgId = uniqueId();
      const records = dayOf(orgId, 40);
      // A fixed shuffle: runs of appends, records a few places late, and some far back.
      const order = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
      for (const i of [5, 3, 4, 39, 38, 0, 1, 2]) {
        order.splice(order.indexOf(i), 1);
        order.push(i);
      }
      for (const i of order) await s.counters.recordOnce(records[i]!);
      const all = await readAll(s, { orgId, ...DAY }, 7);
      expect(all.records.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
    });

    it('keeps from inclusive and to exclusive, and only the org day asked', async () => {
      const s = get();
      const orgId = uniqueId();
      const records = dayOf(orgId, 4);
      for (const r of records) await s.counters.recordOnce(r);
      await s.counters.recordOnce(
        aUsageRecord({ orgId, day: '2026-03-11', timestamp: '2026-03-11T01:00:00.000Z', expiresAt: KEEP }),
      );
      await s.counters.recordOnce(aUsageRecord({ day: '2026-03-10', timestamp: records[1]!.timestamp })); // other org
      const page = await s.records.readDay({
        orgId,
        ...DAY,
        from: records[1]!.timestamp,
        to: records[3]!.timestamp,
        limit: 10,
      });
      expect(page.records.map((r) => r.requestId)).toEqual([records[1]!.requestId, records[2]!.requestId]);
    });

    it('filters by app, label, status and tags', async () => {
      const s = get();
      const orgId = uniqueId();
      const records = dayOf(orgId, 8, (i) => ({
        appId: i % 2 === 0 ? 'chat' : 'search',
        label: i % 4 < 2 ? 'premium' : 'economy',
        status: i === 6 ? 'ERROR' : 'OK',
        ...(i < 6 ? { tags: { team: i < 3 ? 'red' : 'blue' } } : {}),
      }));
      for (const r of records) await s.counters.recordOnce(r);
      const ids = async (f: Partial<DayRecordsQuery>) =>
        (await s.records.readDay({ orgId, ...DAY, limit: 100, ...f })).records.map((r) =>
          records.indexOf(records.find((x) => x.requestId === r.requestId)!),
        );
      expect(await ids({ appId: 'chat' })).toEqual([0, 2, 4, 6]);
      expect(await ids({ label: 'economy' })).toEqual([2, 3, 6, 7]);
      expect(await ids({ status: 'ERROR' })).toEqual([6]);
      expect(await ids({ tags: { team: 'blue' } })).toEqual([3, 4, 5]);
      expect(await ids({ appId: 'chat', tags: { team: 'blue' } })).toEqual([4]);
      expect(await ids({ tags: { team: 'green' } })).toEqual([]);
    });

    it('pages with neither duplicates nor gaps, also past filtered records', async () => {
      const s = get();
      const orgId = uniqueId();
      // Two records share each timestamp: the position breaks the tie.
      const records = dayOf(orgId, 11, (i) => ({
        timestamp: new Date(Date.UTC(2026, 2, 10, 10, Math.floor(i / 2))).toISOString(),
        appId: i % 3 === 0 ? 'other' : 'chat',
      }));
      await Promise.all(records.map((r) => s.counters.recordOnce(r)));
      const all = await readAll(s, { orgId, ...DAY }, 2);
      expect(all.records).toHaveLength(11);
      expect(new Set(all.records.map((r) => r.requestId)).size).toBe(11);
      const sorted = [...all.records].sort((a, b) =>
        a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0,
      );
      expect(all.records.map((r) => r.timestamp)).toEqual(sorted.map((r) => r.timestamp));
      const chat = await readAll(s, { orgId, ...DAY, appId: 'chat' }, 3);
      expect(chat.records.map((r) => r.requestId).sort()).toEqual(
        records
          .filter((r) => r.appId === 'chat')
          .map((r) => r.requestId)
          .sort(),
      );
    });

    it('hides records past their retention', async () => {
      const s = get();
      const orgId = uniqueId();
      const nowSecs = Math.floor(NOW.getTime() / 1000);
      const records = dayOf(orgId, 3, (i) => ({ retainUntil: nowSecs + (i - 1) }));
      for (const r of records) await s.counters.recordOnce(r);
      const page = await s.records.readDay({ orgId, ...DAY, limit: 10 });
      expect(page.records.map((r) => r.requestId)).toEqual([records[2]!.requestId]);
    });

    it('feeds the records written in a window, page by page, across UTC days', async () => {
      const s = get();
      const orgId = uniqueId();
      // A window of its own (the table is shared by every test): minutes around a random midnight.
      const midnight = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000;
      const at = (m: number) => new Date(midnight + m * 60_000).toISOString();
      const records = [-90, -30, -1, 0, 1, 30, 45, 200].map((m) =>
        aUsageRecord({ orgId, recordedAt: at(m), expiresAt: KEEP }),
      );
      for (const r of records) await s.counters.recordOnce(r);
      const seen: UsageRecord[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await s.records.recordedBetween(new Date(at(-30)), new Date(at(45)), cursor, 2);
        seen.push(...page.records);
        if (page.next === undefined) break;
        cursor = page.next;
      }
      const mine = seen.filter((r) => r.orgId === orgId);
      expect(mine.map((r) => r.recordedAt).sort()).toEqual([at(-30), at(-1), at(0), at(1), at(30)]);
      expect(mine.find((r) => r.recordedAt === at(0))).toEqual(records[3]);
    });
  });
}
