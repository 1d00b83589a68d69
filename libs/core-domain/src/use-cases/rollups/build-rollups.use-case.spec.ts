import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type StorageAdapters, type UsageInput, type UsageRecords, type UsageRollups } from '#core-domain';

async function setup(storage: StorageAdapters = createMemoryAdapters(), maxRecordsPerPass?: number) {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const keeper = testCostKeeper({
    storage,
    clock,
    aggregation: { owner: 'w1' },
    rollups: { initialLookbackDays: 1, ...(maxRecordsPerPass ? { maxRecordsPerPass } : {}) },
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'UTC',
    quotaScope: 'ORG',
    quotas: { premium: 1e12, standard: 1e12, economy: 1e12 },
    rollupTagKeys: ['team', 'agent'],
  });
  for (const app of ['chat', 'search']) await keeper.provisioning.putApp(orgId, app, { appName: app });
  let n = 0;
  const post = async (app: string, over: Partial<UsageInput> = {}) => {
    n++;
    clock.advanceSecs(1);
    await keeper.recordUsage.execute(orgId, app, {
      requestId: uniqueId(),
      modelLabel: n % 3 === 0 ? 'standard' : 'premium',
      bedrockModelId: 'm',
      inputTokens: 100 * n,
      outputTokens: 10 * n,
      status: n % 4 === 0 ? 'ERROR' : 'OK',
      timestamp: clock.now().toISOString(),
      tags: n % 2 ? { team: `t${n % 5}`, agent: 'a' } : { team: 'x' },
      ...over,
    });
  };
  const summary = (groupBy: string, appId?: string) =>
    keeper.usageSummary.run(orgId, {
      from: '2026-03-01',
      to: '2026-03-31',
      groupBy,
      ...(appId ? { appId } : {}),
    });
  return { clock, keeper, orgId, post, summary, storage };
}

describe('BuildRollups and GetUsageSummary (use cases)', () => {
  it('rule: after a pass, every grouping sums to the ungrouped total; a tag grouping partitions it', async () => {
    const { clock, keeper, post, summary } = await setup();
    for (let i = 0; i < 12; i++) await post(i % 3 ? 'chat' : 'search');
    clock.advanceSecs(10);
    expect(await keeper.rollups.runPass()).toMatchObject({ ran: true, records: 12 });
    const total = (await summary('day')).totals;
    expect(total.requests).toBe(12);
    expect(total.errors).toBe(3);
    for (const g of [
      'app',
      'label',
      'model',
      'week',
      'month',
      'tag:team',
      'tag:agent',
      'day,app',
      'app,tag:team',
    ]) {
      const s = await summary(g);
      expect(s.totals).toEqual(total);
      const rowSum = s.rows.reduce((a, r) => a + r.costUsdMicros, 0);
      expect(rowSum).toBe(total.costUsdMicros);
    }
    const agent = await summary('tag:agent');
    expect(agent.rows.map((r) => [r.group['tag:agent'], r.requests])).toEqual([
      ['__none__', 6],
      ['a', 6],
    ]);
    const chat = await summary('app', 'chat');
    expect(chat.rows.map((r) => r.group.app)).toEqual(['chat']);
    expect(chat.totals.requests).toBe(8);
    expect(agent.asOf).toBe('2026-03-10T12:00:17.000Z');
    expect(agent.complete).toBe(false);
  });

  it('idempotent: a pass that crashed half-way is redone over the same window and counts nothing twice', async () => {
    const mem = createMemoryAdapters();
    let failAfter = Infinity;
    const rollups: UsageRollups = {
      ...mem.rollups,
      write: async (r, w) => {
        if (failAfter-- <= 0) throw new Error('crash');
        return mem.rollups.write(r, w);
      },
    };
    const { clock, keeper, post, summary } = await setup({ ...mem, rollups });
    for (let i = 0; i < 6; i++) await post('chat');
    clock.advanceSecs(10);
    failAfter = 1; // the dims rollup is written, then the pass dies
    await expect(keeper.rollups.runPass()).rejects.toThrow('crash');
    failAfter = Infinity;
    await post('chat'); // recorded after the crashed window: the next-but-one pass
    clock.advanceSecs(10);
    expect(await keeper.rollups.runPass()).toMatchObject({ ran: true, records: 6, rollupsSkipped: 1 });
    expect(await keeper.rollups.runPass()).toMatchObject({ ran: true, records: 1 });
    for (const g of ['app', 'tag:team', 'tag:agent']) expect((await summary(g)).totals.requests).toBe(7);
  });

  it('bounded: a window of more than maxRecordsPerPass records is cut at a recordedAt, the rest goes to the next passes, same figures', async () => {
    const groupings = ['day,app', 'label', 'model', 'tag:team', 'tag:agent'];
    const unbounded = await setup();
    const bounded = await setup(createMemoryAdapters(), 4);
    for (const s of [unbounded, bounded]) {
      for (let i = 0; i < 11; i++) await s.post(i % 3 ? 'chat' : 'search');
      s.clock.advanceSecs(10);
    }
    expect(await unbounded.keeper.rollups.runPass()).toMatchObject({ ran: true, records: 11 });
    // 4 read, the 4th's millisecond left to the next pass: 3, 3, 3, then the last 2.
    const passes = await bounded.keeper.rollups.catchUp();
    expect(passes.map((p) => (p.ran ? p.records : -1))).toEqual([3, 3, 3, 2]);
    const windows = passes.map((p) => (p.ran ? p.window : undefined));
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.from).toBe(windows[i - 1]!.to);
    const want = await Promise.all(groupings.map((g) => unbounded.summary(g)));
    const got = await Promise.all(groupings.map((g) => bounded.summary(g)));
    expect(got.map((s) => [s.totals, s.rows])).toEqual(want.map((s) => [s.totals, s.rows]));
    // A rebuild of the day after the cut windows gives the same figures.
    expect(await bounded.keeper.rollups.rebuildDay(bounded.orgId, '2026-03-10')).toBe(true);
    const rebuilt = await Promise.all(groupings.map((g) => bounded.summary(g)));
    expect(rebuilt.map((s) => [s.totals, s.rows])).toEqual(want.map((s) => [s.totals, s.rows]));
  });

  it('bounded: a pending window of a pass that crashed is re-run whole, whatever its size', async () => {
    const mem = createMemoryAdapters();
    let failReads = 0;
    const records: UsageRecords = {
      ...mem.records,
      recordedBetween: async (...args) => {
        if (failReads-- > 0) throw new Error('crash');
        return mem.records.recordedBetween(...args);
      },
    };
    const { clock, keeper, post, summary } = await setup({ ...mem, records }, 4);
    for (let i = 0; i < 6; i++) await post('chat');
    clock.advanceSecs(10);
    failReads = 1; // the window of all 6 is pending, then the pass dies reading it
    await expect(keeper.rollups.runPass()).rejects.toThrow('crash');
    for (let i = 0; i < 5; i++) await post('chat'); // a later window
    clock.advanceSecs(10);
    // The pending window is taken as it was chosen (it may have been applied somewhere): all 6.
    expect(await keeper.rollups.runPass()).toMatchObject({ ran: true, records: 6 });
    const rest = await keeper.rollups.catchUp();
    expect(rest.map((p) => (p.ran ? p.records : -1))).toEqual([3, 2]);
    for (const g of ['app', 'tag:team', 'tag:agent']) expect((await summary(g)).totals.requests).toBe(11);
  });

  it('a rebuild of a day from its records gives the same figures as the passes', async () => {
    const { clock, keeper, orgId, post, summary, storage } = await setup();
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < 5; i++) await post(i % 2 ? 'chat' : 'search');
      clock.advanceSecs(10);
      await keeper.rollups.runPass();
    }
    await post('chat'); // not yet in a pass: the rebuild leaves it to the next pass
    const before = await Promise.all(['day,app', 'label', 'tag:team', 'tag:agent'].map((g) => summary(g)));
    // Damage the stored figures, then rebuild.
    const [dims] = await storage.rollups.readRange(orgId, 'dims', '2026-03-10', '2026-03-10');
    dims!.entries.clear();
    await storage.rollups.write({ ...dims!, window: dims!.window! }, dims!.window);
    expect((await summary('app')).totals.requests).toBe(0);
    expect(await keeper.rollups.rebuildDay(orgId, '2026-03-10')).toBe(true);
    const after = await Promise.all(['day,app', 'label', 'tag:team', 'tag:agent'].map((g) => summary(g)));
    expect(after).toEqual(before);
    clock.advanceSecs(10);
    await keeper.rollups.runPass();
    expect((await summary('app')).totals.requests).toBe(16);
  });

  it('input: bad dims, tag keys not declared, reversed or too long ranges are 400 with details', async () => {
    const { keeper, orgId } = await setup();
    const run = (q: Record<string, unknown>) =>
      keeper.usageSummary.run(orgId, { from: '2026-03-01', to: '2026-03-02', groupBy: 'day', ...q });
    await expect(run({ groupBy: 'colour' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ groupBy: 'tag:nope' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ groupBy: 'day,app,label' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ groupBy: 'tag:team,label' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ groupBy: 'app,app' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ from: '2026-03-03' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(run({ from: '2025-01-01', to: '2026-03-01' })).rejects.toMatchObject({
      details: { max_range_days: 400 },
    });
    await expect(run({ from: '2026-02-30' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await run({ from: '2025-02-04', to: '2026-03-10' })).rows).toEqual([]);
  });
});
