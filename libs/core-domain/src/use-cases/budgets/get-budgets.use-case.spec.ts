import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { InvalidRequestError, type OrgInput } from '#core-domain';
import { ALL_LABELS, periodTotalId } from '../../model/usage/period-total.js';
import { type BudgetLineView } from './get-budgets.use-case.js';

/** Premium input costs 800,000 micro-USD per 1M tokens: 1,250,000 input tokens = 1,000,000. */
const TOKENS_PER_MILLION_MICROS = 1_250_000;

async function setup(org: Partial<OrgInput> = {}, createdAt = '2026-12-01T00:00:00Z') {
  const clock = new FakeClock(createdAt);
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({ storage, clock });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, { orgName: 'A', timezone: 'UTC', quotaScope: 'ORG', ...org });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  /** Posts `micros` of premium spend (a multiple of 1,000,000) at the clock's now. */
  const spend = (micros: number, appId = 'chat') =>
    keeper.recordUsage.execute(orgId, appId, {
      requestId: uniqueId(),
      modelLabel: 'premium',
      bedrockModelId: 'amazon.nova-pro-v1:0',
      inputTokens: (micros / 1_000_000) * TOKENS_PER_MILLION_MICROS,
      outputTokens: 0,
      status: 'OK',
      timestamp: clock.now().toISOString(),
    });
  /** Steady spend: `perDay` at 12:00 UTC of each day, each followed by an aggregation pass. */
  const spendDaily = async (days: string[], perDay: number, appId = 'chat') => {
    for (const day of days) {
      clock.set(`${day}T12:00:00Z`);
      await spend(perDay, appId);
      await keeper.aggregator.runPass();
    }
  };
  return { clock, storage, keeper, orgId, spend, spendDaily };
}

const DEC_1_TO_10 = Array.from({ length: 10 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);

function find(
  lines: BudgetLineView[],
  window: string,
  label: string | null,
  source: 'QUOTA' | 'BUDGET' = 'BUDGET',
) {
  const line = lines.find((l) => l.window === window && l.label === label && l.source === source);
  if (!line) throw new Error(`no ${source} line ${window} ${label}`);
  return line;
}

/** The (scope, window, label, source) of each line, in order. */
const shape = (lines: BudgetLineView[]) =>
  lines.map((l) => `${l.source} ${l.scope} ${l.window} ${l.label ?? '*'} ${l.spendScopeKey}`);

const BUDGETS = [
  { window: 'MONTH', limitUsdMicros: 60_000_000 },
  { window: 'MONTH', limitUsdMicros: 30_000_000, label: 'premium' },
  { window: 'WEEK', limitUsdMicros: 10_000_000 },
];

describe('GetBudgets (use case)', () => {
  it('rule: an org created 10 days ago with 1,000,000/day gets forecasts by the rule (on_track and at_risk)', async () => {
    const { keeper, orgId, clock, spendDaily } = await setup({ budgets: BUDGETS });
    await spendDaily(DEC_1_TO_10, 1_000_000);
    clock.set('2026-12-11T00:00:00Z');
    const view = await keeper.budgets.forOrg(orgId);
    expect(view).toMatchObject({ orgId, timezone: 'UTC', weekStartsOn: 'MONDAY' });
    expect(view.appId).toBeUndefined();
    const lastPass = '2026-12-10T12:00:00.000Z';

    // 10,000,000 over 10 days, 7,000,000 over the trailing 7: 1,000,000/day either way, 21 days left.
    const month = find(view.lines, 'MONTH', null);
    expect(month).toMatchObject({
      scope: 'ORG',
      spendUsdMicros: 10_000_000,
      limitUsdMicros: 60_000_000,
      pct: 16.7,
      status: 'NORMAL',
      period: {
        key: 'M#2026-12',
        start: new Date('2026-12-01T00:00:00.000Z'),
        end: new Date('2027-01-01T00:00:00.000Z'),
      },
      asOf: lastPass,
    });
    expect(month.forecast).toEqual({
      status: 'on_track',
      method: 'period_to_date_and_trailing_7_days',
      projectedEnd: { low: 31_000_000, mid: 31_000_000, high: 31_000_000 },
      projectedExhaustionAt: null,
    });

    // The premium month caps at 30,000,000: 31,000,000 projected, the limit reached 20 days later.
    expect(find(view.lines, 'MONTH', 'premium')).toMatchObject({
      spendUsdMicros: 10_000_000,
      pct: 33.3,
      asOf: lastPass,
      forecast: {
        status: 'at_risk',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: { low: 31_000_000, mid: 31_000_000, high: 31_000_000 },
        projectedExhaustionAt: new Date('2026-12-31T00:00:00.000Z'),
      },
    });

    // The week of Monday 2026-12-07: 4,000,000 in 4 days, 3 days left.
    expect(find(view.lines, 'WEEK', null)).toMatchObject({
      spendUsdMicros: 4_000_000,
      period: { key: 'W#2026-12-07' },
      asOf: lastPass,
      forecast: {
        status: 'on_track',
        projectedEnd: { low: 7_000_000, mid: 7_000_000, high: 7_000_000 },
        projectedExhaustionAt: null,
      },
    });

    // In ORG scope the org's lines include its daily quotas; at local midnight they have no data yet.
    const premiumDay = find(view.lines, 'DAY', 'premium', 'QUOTA');
    expect(premiumDay).toMatchObject({
      scope: 'ORG',
      spendUsdMicros: 0,
      limitUsdMicros: 10_000_000,
      period: { key: 'D#2026-12-11' },
      asOf: null,
      forecast: {
        status: 'insufficient_data',
        method: 'since_midnight_and_last_hour',
        projectedEnd: null,
        projectedExhaustionAt: null,
      },
    });
    expect(shape(view.lines)).toEqual([
      `QUOTA ORG DAY premium ORG#${orgId}`,
      `QUOTA ORG DAY standard ORG#${orgId}`,
      `QUOTA ORG DAY economy ORG#${orgId}`,
      `BUDGET ORG MONTH * ORG#${orgId}`,
      `BUDGET ORG MONTH premium ORG#${orgId}`,
      `BUDGET ORG WEEK * ORG#${orgId}`,
    ]);
  });

  it('rule: higher spend in the last 7 days widens the range: low from the period-to-date rate, high from the trailing rate', async () => {
    const { keeper, orgId, clock, spendDaily } = await setup({ budgets: BUDGETS });
    // Days 1-3: nothing; days 4-10: 2,000,000 a day. 14,000,000 over 10 days and over the trailing 7.
    await spendDaily(DEC_1_TO_10.slice(3), 2_000_000);
    clock.set('2026-12-11T00:00:00Z');
    const view = await keeper.budgets.forOrg(orgId);
    // 1,400,000/day to date, 2,000,000/day trailing, 21 days left.
    expect(find(view.lines, 'MONTH', null).forecast).toEqual({
      status: 'on_track',
      method: 'period_to_date_and_trailing_7_days',
      projectedEnd: { low: 43_400_000, mid: 49_700_000, high: 56_000_000 },
      projectedExhaustionAt: null,
    });
    // 16,000,000 left at 1,700,000/day: 9.41 days, rounded up to the second.
    expect(find(view.lines, 'MONTH', 'premium').forecast).toMatchObject({
      status: 'at_risk',
      projectedEnd: { low: 43_400_000, mid: 49_700_000, high: 56_000_000 },
      projectedExhaustionAt: new Date(
        Math.ceil((Date.parse('2026-12-11T00:00:00Z') + (16_000_000 / 1_700_000) * 86_400_000) / 1000) * 1000,
      ),
    });
  });

  it('rule: a DAY line uses the since-midnight rate and the last-hour rate from the day total samples', async () => {
    const { keeper, orgId, clock, spend } = await setup();
    for (const at of ['2026-12-11T06:00:00Z', '2026-12-11T11:00:00Z', '2026-12-11T12:00:00Z']) {
      clock.set(at);
      await spend(1_000_000);
      await keeper.aggregator.runPass();
    }
    const view = await keeper.budgets.forOrg(orgId);
    // 3,000,000 in 12 hours (250,000/h) and 1,000,000 in the last hour; 12 hours left.
    expect(find(view.lines, 'DAY', 'premium', 'QUOTA')).toMatchObject({
      spendUsdMicros: 3_000_000,
      asOf: '2026-12-11T12:00:00.000Z',
      forecast: {
        status: 'at_risk',
        method: 'since_midnight_and_last_hour',
        projectedEnd: { low: 6_000_000, mid: 10_500_000, high: 15_000_000 },
        // 7,000,000 left at 625,000/h: 11.2 hours.
        projectedExhaustionAt: new Date('2026-12-11T23:12:00.000Z'),
      },
    });
  });

  it('rule: a new org gets insufficient_data on every line', async () => {
    const { keeper, orgId, clock, spend } = await setup({ budgets: BUDGETS }, '2026-12-15T00:00:00Z');
    clock.set('2026-12-15T03:00:00Z');
    await spend(1_000_000);
    await keeper.aggregator.runPass();
    clock.set('2026-12-15T06:00:00Z');
    const view = await keeper.budgets.forOrg(orgId);
    expect(view.lines).toHaveLength(6);
    for (const line of view.lines) {
      expect(line.forecast).toEqual({
        status: 'insufficient_data',
        method: line.window === 'DAY' ? 'since_midnight_and_last_hour' : 'period_to_date_and_trailing_7_days',
        projectedEnd: null,
        projectedExhaustionAt: null,
      });
    }
    expect(find(view.lines, 'MONTH', null).spendUsdMicros).toBe(1_000_000);
  });

  it('rule: fewer than 3 days of history before today is insufficient_data; 3 days is enough', async () => {
    const two = await setup({ budgets: BUDGETS }, '2026-12-09T23:00:00Z');
    two.clock.set('2026-12-10T12:00:00Z');
    await two.spend(1_000_000);
    await two.keeper.aggregator.runPass();
    two.clock.set('2026-12-11T12:00:00Z');
    expect(find((await two.keeper.budgets.forOrg(two.orgId)).lines, 'MONTH', null).forecast?.status).toBe(
      'insufficient_data',
    );

    const three = await setup({ budgets: BUDGETS }, '2026-12-08T23:00:00Z');
    three.clock.set('2026-12-10T12:00:00Z');
    await three.spend(1_000_000);
    await three.keeper.aggregator.runPass();
    three.clock.set('2026-12-11T12:00:00Z');
    expect(find((await three.keeper.budgets.forOrg(three.orgId)).lines, 'MONTH', null).forecast?.status).toBe(
      'on_track',
    );
  });

  it('rule: `at` a past date gives the periods containing it, with no forecast for closed periods', async () => {
    const { keeper, orgId, clock, spendDaily } = await setup({ budgets: BUDGETS });
    await spendDaily(DEC_1_TO_10, 1_000_000);
    clock.set('2026-12-11T00:00:00Z');

    // 2026-12-05, a Saturday: the month is still open, its week and its day are closed.
    const dec5 = await keeper.budgets.forOrg(orgId, '2026-12-05');
    expect(find(dec5.lines, 'MONTH', null)).toMatchObject({
      period: { key: 'M#2026-12' },
      spendUsdMicros: 10_000_000,
      forecast: { status: 'on_track', projectedEnd: { low: 31_000_000, mid: 31_000_000, high: 31_000_000 } },
    });
    expect(find(dec5.lines, 'WEEK', null)).toMatchObject({
      period: {
        key: 'W#2026-11-30',
        start: new Date('2026-11-30T00:00:00.000Z'),
        end: new Date('2026-12-07T00:00:00.000Z'),
      },
      // 2026-12-01 to 2026-12-06.
      spendUsdMicros: 6_000_000,
      status: 'NORMAL',
      forecast: null,
    });
    expect(find(dec5.lines, 'DAY', 'premium', 'QUOTA')).toMatchObject({
      period: { key: 'D#2026-12-05' },
      spendUsdMicros: 1_000_000,
      pct: 10,
      // The next day's pass re-read that group (the feed's overlap) and recomputed the same total.
      asOf: '2026-12-06T12:00:00.000Z',
      forecast: null,
    });

    // Before the org's first spend: every period closed, nothing stored.
    const nov15 = await keeper.budgets.forOrg(orgId, '2026-11-15');
    expect(find(nov15.lines, 'MONTH', null)).toMatchObject({
      period: { key: 'M#2026-11' },
      spendUsdMicros: 0,
      asOf: null,
      forecast: null,
    });
    expect(find(nov15.lines, 'WEEK', null).period.key).toBe('W#2026-11-09');
    for (const line of nov15.lines) expect(line.forecast).toBeNull();

    // Today is the current view.
    expect(await keeper.budgets.forOrg(orgId, '2026-12-11')).toEqual(await keeper.budgets.forOrg(orgId));
  });

  it('rule: `at` in the future or malformed is InvalidRequestError on field at', async () => {
    const { keeper, orgId, clock } = await setup({ budgets: BUDGETS, quotaScope: 'APP' });
    clock.set('2026-12-11T12:00:00Z');
    for (const at of [
      '2026-12-12',
      '2027-01-01',
      '2026-13-01',
      '2026-02-30',
      '2026-12-1',
      '20261201',
      'today',
      '',
    ]) {
      const e = await keeper.budgets.forOrg(orgId, at).catch((x: unknown) => x);
      expect({ at, error: e }).toEqual({ at, error: expect.any(InvalidRequestError) });
      expect((e as InvalidRequestError).fields.map((f) => f.field)).toEqual(['at']);
      const a = await keeper.budgets.forApp(orgId, 'chat', at).catch((x: unknown) => x);
      expect({ at, error: a }).toEqual({ at, error: expect.any(InvalidRequestError) });
    }
  });

  it("rule: `at` is judged against the org's own today (Pacific/Kiritimati, UTC+14)", async () => {
    const { keeper, orgId, clock } = await setup({ timezone: 'Pacific/Kiritimati' });
    clock.set('2026-12-11T12:00:00Z'); // 2026-12-12 02:00 local
    const view = await keeper.budgets.forOrg(orgId, '2026-12-12');
    expect(find(view.lines, 'DAY', 'premium', 'QUOTA').period.key).toBe('D#2026-12-12');
    await expect(keeper.budgets.forOrg(orgId, '2026-12-13')).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('rule: in APP scope the org view lists only budgets; the app view lists its daily quotas, the org budgets, then its own', async () => {
    const { keeper, orgId, clock, spend } = await setup({
      quotaScope: 'APP',
      budgets: [
        { window: 'MONTH', limitUsdMicros: 60_000_000 },
        { window: 'WEEK', limitUsdMicros: 5_000_000, label: 'premium' },
      ],
    });
    await keeper.provisioning.putApp(orgId, 'chat', {
      appName: 'Chat',
      budgets: [
        { window: 'DAY', limitUsdMicros: 3_000_000, label: 'economy' },
        { window: 'MONTH', limitUsdMicros: 20_000_000 },
      ],
    });
    await keeper.provisioning.putApp(orgId, 'search', { appName: 'Search' });
    clock.set('2026-12-02T12:00:00Z');
    await spend(1_000_000, 'chat');
    await spend(2_000_000, 'search');
    await keeper.aggregator.runPass();
    const chat = `ORG#${orgId}#APP#chat`;
    const org = `ORG#${orgId}`;

    const orgView = await keeper.budgets.forOrg(orgId);
    expect(shape(orgView.lines)).toEqual([`BUDGET ORG MONTH * ${org}`, `BUDGET ORG WEEK premium ${org}`]);
    expect(find(orgView.lines, 'MONTH', null).spendUsdMicros).toBe(3_000_000);
    expect(find(orgView.lines, 'WEEK', 'premium').spendUsdMicros).toBe(3_000_000);

    const chatView = await keeper.budgets.forApp(orgId, 'chat');
    expect(chatView).toMatchObject({ orgId, appId: 'chat', timezone: 'UTC', weekStartsOn: 'MONDAY' });
    expect(shape(chatView.lines)).toEqual([
      `QUOTA APP DAY premium ${chat}`,
      `QUOTA APP DAY standard ${chat}`,
      `QUOTA APP DAY economy ${chat}`,
      `BUDGET ORG MONTH * ${org}`,
      `BUDGET ORG WEEK premium ${org}`,
      `BUDGET APP DAY economy ${chat}`,
      `BUDGET APP MONTH * ${chat}`,
    ]);
    expect(find(chatView.lines, 'DAY', 'premium', 'QUOTA').spendUsdMicros).toBe(1_000_000);
    // The org budgets count both apps; the app's own budgets count the app only.
    expect(chatView.lines[3]).toMatchObject({ scope: 'ORG', window: 'MONTH', spendUsdMicros: 3_000_000 });
    expect(chatView.lines[6]).toMatchObject({ scope: 'APP', window: 'MONTH', spendUsdMicros: 1_000_000 });
    expect(chatView.lines[5]).toMatchObject({ spendUsdMicros: 0, asOf: null });

    const searchView = await keeper.budgets.forApp(orgId, 'search');
    const search = `ORG#${orgId}#APP#search`;
    expect(shape(searchView.lines)).toEqual([
      `QUOTA APP DAY premium ${search}`,
      `QUOTA APP DAY standard ${search}`,
      `QUOTA APP DAY economy ${search}`,
      `BUDGET ORG MONTH * ${org}`,
      `BUDGET ORG WEEK premium ${org}`,
    ]);
    expect(find(searchView.lines, 'DAY', 'premium', 'QUOTA').spendUsdMicros).toBe(2_000_000);
  });

  it("rule: asOf is the period total's updatedAt (the last pass that recomputed it), null when none is stored", async () => {
    const { keeper, orgId, clock, spend, storage } = await setup({ budgets: BUDGETS });
    clock.set('2026-12-02T12:00:00Z');
    await spend(1_000_000);
    await keeper.aggregator.runPass();
    clock.set('2026-12-02T12:00:30Z');
    await spend(1_000_000);
    await keeper.aggregator.runPass();
    clock.set('2026-12-02T13:00:00Z');
    const view = await keeper.budgets.forOrg(orgId);
    for (const [window, label, periodKey] of [
      ['MONTH', null, 'M#2026-12'],
      ['MONTH', 'premium', 'M#2026-12'],
      ['WEEK', null, 'W#2026-11-30'],
    ] as const) {
      const key = { scopeKey: `ORG#${orgId}`, periodKey, label: label ?? ALL_LABELS };
      const stored = (await storage.periodTotals.get([key], clock.now())).get(periodTotalId(key));
      expect(stored?.updatedAt).toBe('2026-12-02T12:00:30.000Z');
      expect(find(view.lines, window, label)).toMatchObject({
        spendUsdMicros: 2_000_000,
        asOf: stored?.updatedAt,
      });
    }
    expect(find(view.lines, 'DAY', 'premium', 'QUOTA').asOf).toBe('2026-12-02T12:00:30.000Z');
    expect(find(view.lines, 'DAY', 'economy', 'QUOTA')).toMatchObject({ spendUsdMicros: 0, asOf: null });
  });
});
