import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { type OrgInput, type UsageInput } from '#core-domain';
import { ALL_LABELS, periodTotalId, type SpendSample } from '../../model/usage/period-total.js';
import { nextSamples, SAMPLE_HISTORY_MS, SAMPLE_SPACING_MS } from './roll-up-periods.use-case.js';

/** Premium (800,000 / 3,200,000 per 1M tokens): 1,500 in + 800 out = 3,760. */
const PREMIUM = 3760;
/** Economy (35,000 / 140,000 per 1M tokens): 5,000 in + 1,000 out = 315. */
const ECONOMY = 315;

async function setup(org: Partial<OrgInput> = {}, start = '2026-12-02T12:00:00Z') {
  const clock = new FakeClock(start);
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({ storage, clock });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, { orgName: 'A', timezone: 'UTC', quotaScope: 'ORG', ...org });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  await keeper.provisioning.putApp(orgId, 'search', { appName: 'Search' });
  const event = (over: Partial<UsageInput> = {}): UsageInput => ({
    requestId: uniqueId(),
    modelLabel: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    inputTokens: 1500,
    outputTokens: 800,
    status: 'OK',
    timestamp: clock.now().toISOString(),
    ...over,
  });
  const economy = (over: Partial<UsageInput> = {}) =>
    event({ modelLabel: 'economy', inputTokens: 5000, outputTokens: 1000, ...over });
  const record = (e: UsageInput, appId = 'chat') => keeper.recordUsage.execute(orgId, appId, e);
  /** The stored period total of (scope, period, label), read at the clock's now. */
  const period = async (scopeKey: string, periodKey: string, label: string) => {
    const key = { scopeKey, periodKey, label };
    return (await storage.periodTotals.get([key], clock.now())).get(periodTotalId(key));
  };
  /** The cost of (scope, period, label), 0 when nothing is stored. */
  const cost = async (scopeKey: string, periodKey: string, label: string) =>
    (await period(scopeKey, periodKey, label))?.costUsdMicros ?? 0;
  const orgScope = `ORG#${orgId}`;
  const appScope = (appId: string) => `ORG#${orgId}#APP#${appId}`;
  return { clock, storage, keeper, orgId, event, economy, record, period, cost, orgScope, appScope };
}

describe('RollUpPeriods (through AggregateUsage)', () => {
  it('rule: after a pass, D# per label and `*`, W# (Monday start) and M# hold the posted costs', async () => {
    const { keeper, record, event, economy, period, cost, orgScope, clock } = await setup();
    await record(event());
    await record(event(), 'search');
    await record(economy());
    const report = await keeper.aggregator.runPass();
    expect(report).toMatchObject({ ran: true, groupsAggregated: 2 });
    const at = clock.now().toISOString();
    // 2026-12-02 is a Wednesday: its Monday-start week is W#2026-11-30.
    for (const key of ['D#2026-12-02', 'W#2026-11-30', 'M#2026-12']) {
      expect(await period(orgScope, key, 'premium')).toMatchObject({
        costUsdMicros: 2 * PREMIUM,
        inputTokens: 3000,
        outputTokens: 1600,
        requests: 2,
        updatedAt: at,
      });
      expect(await period(orgScope, key, 'economy')).toMatchObject({
        costUsdMicros: ECONOMY,
        inputTokens: 5000,
        outputTokens: 1000,
        requests: 1,
      });
      expect(await period(orgScope, key, ALL_LABELS)).toMatchObject({
        costUsdMicros: 2 * PREMIUM + ECONOMY,
        inputTokens: 8000,
        outputTokens: 2600,
        requests: 3,
        updatedAt: at,
      });
      expect(await cost(orgScope, key, 'standard')).toBe(0);
    }
    // A Sunday-start week key is not written for a Monday-start org.
    expect(await period(orgScope, 'W#2026-11-29', ALL_LABELS)).toBeUndefined();
    expect(report).toMatchObject({ periodTotalsWritten: 3 * 3 });
  });

  it('rule: a SUNDAY-start org keeps its week under the Sunday it starts on', async () => {
    const { keeper, record, event, cost, orgScope } = await setup({ weekStartsOn: 'SUNDAY' });
    await record(event());
    await keeper.aggregator.runPass();
    expect(await cost(orgScope, 'W#2026-11-29', 'premium')).toBe(PREMIUM);
    expect(await cost(orgScope, 'W#2026-11-29', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'W#2026-11-30', ALL_LABELS)).toBe(0);
    expect(await cost(orgScope, 'M#2026-12', ALL_LABELS)).toBe(PREMIUM);
  });

  it('rule: a Sunday belongs to the week before for a Monday-start org, and starts one for a Sunday-start org', async () => {
    const monday = await setup({}, '2026-12-06T12:00:00Z'); // Sunday
    await monday.record(monday.event());
    await monday.keeper.aggregator.runPass();
    expect(await monday.cost(monday.orgScope, 'W#2026-11-30', ALL_LABELS)).toBe(PREMIUM);
    expect(await monday.cost(monday.orgScope, 'W#2026-12-06', ALL_LABELS)).toBe(0);

    const sunday = await setup({ weekStartsOn: 'SUNDAY' }, '2026-12-06T12:00:00Z');
    await sunday.record(sunday.event());
    await sunday.keeper.aggregator.runPass();
    expect(await sunday.cost(sunday.orgScope, 'W#2026-12-06', ALL_LABELS)).toBe(PREMIUM);
    expect(await sunday.cost(sunday.orgScope, 'W#2026-11-29', ALL_LABELS)).toBe(0);
  });

  it('rule: running the pass again gives the same totals (recomputed, never a blind increment)', async () => {
    const { keeper, record, event, economy, period, cost, orgScope, clock } = await setup();
    await record(event());
    await record(economy());
    await keeper.aggregator.runPass();
    const keys = ['D#2026-12-02', 'W#2026-11-30', 'M#2026-12'];
    const before = await Promise.all(keys.map((k) => cost(orgScope, k, ALL_LABELS)));
    expect(before).toEqual([PREMIUM + ECONOMY, PREMIUM + ECONOMY, PREMIUM + ECONOMY]);
    for (let i = 0; i < 3; i++) {
      clock.advanceSecs(30);
      // Within the feed's overlap the same groups are aggregated (and rolled up) again.
      expect(await keeper.aggregator.runPass()).toMatchObject({ ran: true, groupsAggregated: 2 });
    }
    for (const k of keys) {
      expect(await period(orgScope, k, ALL_LABELS)).toMatchObject({
        costUsdMicros: PREMIUM + ECONOMY,
        requests: 2,
        updatedAt: clock.now().toISOString(),
      });
      expect(await cost(orgScope, k, 'premium')).toBe(PREMIUM);
      expect(await cost(orgScope, k, 'economy')).toBe(ECONOMY);
    }
    // New usage after that is added once.
    await record(event());
    clock.advanceSecs(30);
    await keeper.aggregator.runPass();
    for (const k of keys) expect(await cost(orgScope, k, ALL_LABELS)).toBe(2 * PREMIUM + ECONOMY);
  });

  it('rule: usage on two days of the same week sums into one W# total; each month keeps its own days', async () => {
    // Monday 2026-11-30 and Tuesday 2026-12-01: one week, two months.
    const { keeper, record, event, economy, cost, orgScope, clock } = await setup({}, '2026-11-30T12:00:00Z');
    await record(event());
    await keeper.aggregator.runPass();
    clock.set('2026-12-01T12:00:00Z');
    await record(event());
    await record(economy());
    await keeper.aggregator.runPass();
    expect(await cost(orgScope, 'D#2026-11-30', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'D#2026-12-01', ALL_LABELS)).toBe(PREMIUM + ECONOMY);
    expect(await cost(orgScope, 'W#2026-11-30', 'premium')).toBe(2 * PREMIUM);
    expect(await cost(orgScope, 'W#2026-11-30', 'economy')).toBe(ECONOMY);
    expect(await cost(orgScope, 'W#2026-11-30', ALL_LABELS)).toBe(2 * PREMIUM + ECONOMY);
    expect(await cost(orgScope, 'M#2026-11', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'M#2026-12', ALL_LABELS)).toBe(PREMIUM + ECONOMY);
    expect(await cost(orgScope, 'M#2026-12', 'premium')).toBe(PREMIUM);
  });

  it('rule: periods follow the org timezone (a UTC evening is the next local day in Tokyo)', async () => {
    // 2026-11-30T20:00Z is Tuesday 2026-12-01 05:00 in Asia/Tokyo.
    const { keeper, record, event, cost, orgScope } = await setup(
      { timezone: 'Asia/Tokyo' },
      '2026-11-30T20:00:00Z',
    );
    await record(event());
    await keeper.aggregator.runPass();
    expect(await cost(orgScope, 'D#2026-12-01', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'D#2026-11-30', ALL_LABELS)).toBe(0);
    expect(await cost(orgScope, 'M#2026-12', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'M#2026-11', ALL_LABELS)).toBe(0);
  });

  it('rule: in APP scope each app keeps its own totals and ORG#{orgId} sums both apps, per label and for `*`', async () => {
    const { keeper, record, event, economy, cost, orgScope, appScope } = await setup({ quotaScope: 'APP' });
    await record(event(), 'chat');
    await record(event(), 'chat');
    await record(event(), 'search');
    await record(economy(), 'search');
    await keeper.aggregator.runPass();
    for (const key of ['D#2026-12-02', 'W#2026-11-30', 'M#2026-12']) {
      expect(await cost(appScope('chat'), key, 'premium')).toBe(2 * PREMIUM);
      expect(await cost(appScope('chat'), key, ALL_LABELS)).toBe(2 * PREMIUM);
      expect(await cost(appScope('chat'), key, 'economy')).toBe(0);
      expect(await cost(appScope('search'), key, 'premium')).toBe(PREMIUM);
      expect(await cost(appScope('search'), key, 'economy')).toBe(ECONOMY);
      expect(await cost(appScope('search'), key, ALL_LABELS)).toBe(PREMIUM + ECONOMY);
      expect(await cost(orgScope, key, 'premium')).toBe(3 * PREMIUM);
      expect(await cost(orgScope, key, 'economy')).toBe(ECONOMY);
      expect(await cost(orgScope, key, ALL_LABELS)).toBe(3 * PREMIUM + ECONOMY);
    }
  });

  it('rule: in APP scope the org roll-up keeps the other apps when only one app spends in a later pass', async () => {
    const { keeper, record, event, economy, cost, orgScope, clock } = await setup({ quotaScope: 'APP' });
    await record(event(), 'chat');
    await keeper.aggregator.runPass();
    clock.advanceSecs(600);
    await record(economy(), 'search');
    await keeper.aggregator.runPass();
    clock.advanceSecs(600);
    await keeper.aggregator.runPass();
    for (const key of ['D#2026-12-02', 'W#2026-11-30', 'M#2026-12']) {
      expect(await cost(orgScope, key, 'premium')).toBe(PREMIUM);
      expect(await cost(orgScope, key, 'economy')).toBe(ECONOMY);
      expect(await cost(orgScope, key, ALL_LABELS)).toBe(PREMIUM + ECONOMY);
    }
  });

  it("rule: a late event for yesterday, in the two hours after midnight, lands in yesterday's D# and in the week", async () => {
    const { keeper, record, event, cost, orgScope, clock } = await setup({}, '2026-12-01T18:00:00Z');
    await record(event());
    await keeper.aggregator.runPass();
    clock.set('2026-12-02T01:00:00Z');
    await record(event({ timestamp: '2026-12-01T23:30:00Z' }));
    await record(event());
    await keeper.aggregator.runPass();
    expect(await cost(orgScope, 'D#2026-12-01', ALL_LABELS)).toBe(2 * PREMIUM);
    expect(await cost(orgScope, 'D#2026-12-01', 'premium')).toBe(2 * PREMIUM);
    expect(await cost(orgScope, 'D#2026-12-02', ALL_LABELS)).toBe(PREMIUM);
    expect(await cost(orgScope, 'W#2026-11-30', ALL_LABELS)).toBe(3 * PREMIUM);
    expect(await cost(orgScope, 'M#2026-12', ALL_LABELS)).toBe(3 * PREMIUM);
  });

  it("rule: a late event for yesterday accepted later in the day (19 h old) lands in yesterday's D# and in the week", async () => {
    const { keeper, record, event, cost, orgScope, clock, storage } = await setup({}, '2026-12-01T18:00:00Z');
    await record(event());
    await keeper.aggregator.runPass();
    clock.set('2026-12-02T15:00:00Z');
    // Accepted: at most 24 hours old.
    expect((await record(event({ timestamp: '2026-12-01T20:00:00Z' }))).duplicate).toBe(false);
    await keeper.aggregator.runPass();
    const dayTotal = (await storage.totals.forScopeDay(orgScope, '2026-12-01')).find(
      (t) => t.label === 'premium',
    );
    expect(dayTotal?.costUsdMicros).toBe(2 * PREMIUM);
    expect(await cost(orgScope, 'D#2026-12-01', ALL_LABELS)).toBe(2 * PREMIUM);
    expect(await cost(orgScope, 'W#2026-11-30', ALL_LABELS)).toBe(2 * PREMIUM);
  });

  it('rule: day period totals keep samples of their value; week and month totals keep none', async () => {
    const { keeper, record, event, period, orgScope, clock } = await setup();
    await record(event());
    await keeper.aggregator.runPass();
    const t1 = clock.now().toISOString();
    clock.advanceSecs(120);
    await record(event());
    await keeper.aggregator.runPass();
    const t2 = clock.now().toISOString();
    expect((await period(orgScope, 'D#2026-12-02', ALL_LABELS))?.samples).toEqual([
      { at: t1, costUsdMicros: PREMIUM },
      { at: t2, costUsdMicros: 2 * PREMIUM },
    ]);
    expect((await period(orgScope, 'D#2026-12-02', 'premium'))?.samples).toEqual([
      { at: t1, costUsdMicros: PREMIUM },
      { at: t2, costUsdMicros: 2 * PREMIUM },
    ]);
    expect((await period(orgScope, 'W#2026-11-30', ALL_LABELS))?.samples).toBeUndefined();
    expect((await period(orgScope, 'M#2026-12', ALL_LABELS))?.samples).toBeUndefined();
  });
});

describe('nextSamples', () => {
  const T0 = Date.parse('2026-12-02T12:00:00.000Z');
  const at = (ms: number) => new Date(T0 + ms);
  const sample = (ms: number, costUsdMicros: number): SpendSample => ({
    at: at(ms).toISOString(),
    costUsdMicros,
  });
  const MIN = 60_000;

  it('starts a history with the current value', () => {
    expect(nextSamples(undefined, at(0), 10)).toEqual([sample(0, 10)]);
    expect(nextSamples([], at(0), 10)).toEqual([sample(0, 10)]);
  });

  it('rule: keeps at most two hours of samples', () => {
    expect(SAMPLE_HISTORY_MS).toBe(2 * 3600_000);
    const prev = [sample(0, 1), sample(10 * MIN, 2), sample(60 * MIN, 3)];
    // At T0 + 2h the T0 sample is exactly two hours old: kept; a millisecond later it is dropped.
    expect(nextSamples(prev, at(120 * MIN), 4)).toEqual([...prev, sample(120 * MIN, 4)]);
    expect(nextSamples(prev, at(120 * MIN + 1), 4)).toEqual([
      sample(10 * MIN, 2),
      sample(60 * MIN, 3),
      sample(120 * MIN + 1, 4),
    ]);
    // Passes every minute for three hours: never more than two hours (121 samples at 1-minute spacing).
    let s: SpendSample[] | undefined;
    for (let m = 0; m <= 180; m++) s = nextSamples(s, at(m * MIN), m);
    expect(s).toHaveLength(121);
    expect(s![0]).toEqual(sample(60 * MIN, 60));
    expect(s![s!.length - 1]).toEqual(sample(180 * MIN, 180));
  });

  it('rule: a pass closer than a minute to the previous sample replaces the newest instead of adding one', () => {
    expect(SAMPLE_SPACING_MS).toBe(MIN);
    const prev = [sample(0, 1), sample(20_000, 2)];
    // 40 s after the first: the 20 s sample was provisional and is replaced.
    expect(nextSamples(prev, at(40_000), 3)).toEqual([sample(0, 1), sample(40_000, 3)]);
  });

  it('rule: keeps samples at least a minute apart, except the newest (passes every 30 s)', () => {
    let s: SpendSample[] | undefined;
    for (let i = 0; i <= 10; i++) s = nextSamples(s, at(i * 30_000), i);
    const times = s!.map((x) => Date.parse(x.at));
    // Every sample but the newest is at least a minute after the one before it.
    const gaps = times.slice(1, -1).map((t, i) => t - times[i]!);
    expect(gaps.filter((g) => g < SAMPLE_SPACING_MS)).toEqual([]);
    // The newest is the value just written.
    expect(s![s!.length - 1]).toEqual(sample(300_000, 10));
  });

  it('rule: keeps samples at least a minute apart, except the newest (passes every 40 s)', () => {
    let s: SpendSample[] | undefined;
    for (let i = 0; i <= 9; i++) s = nextSamples(s, at(i * 40_000), i);
    const times = s!.map((x) => Date.parse(x.at));
    const gaps = times.slice(1, -1).map((t, i) => t - times[i]!);
    expect(gaps.filter((g) => g < SAMPLE_SPACING_MS)).toEqual([]);
    expect(s![s!.length - 1]).toEqual(sample(360_000, 9));
  });

  it('rule: passes every 30 s for three hours keep a two-hour history (samples a minute apart)', () => {
    let s: SpendSample[] | undefined;
    for (let i = 0; i <= 360; i++) s = nextSamples(s, at(i * 30_000), i);
    const now = T0 + 360 * 30_000;
    // At least a minute apart over two hours: the oldest sample is within a minute of two hours old.
    expect(now - Date.parse(s![0]!.at)).toBeGreaterThan(SAMPLE_HISTORY_MS - SAMPLE_SPACING_MS);
    expect(now - Date.parse(s![0]!.at)).toBeLessThanOrEqual(SAMPLE_HISTORY_MS);
  });

  it('rule: drops samples from the future (a clock that went back)', () => {
    const prev = [sample(0, 1), sample(5 * MIN, 2), sample(10 * MIN, 3)];
    expect(nextSamples(prev, at(6 * MIN), 4)).toEqual([sample(0, 1), sample(5 * MIN, 2), sample(6 * MIN, 4)]);
  });
});
