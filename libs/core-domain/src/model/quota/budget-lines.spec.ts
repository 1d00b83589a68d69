import { describe, expect, it } from '@jest/globals';
import { type Budget } from '../budgets/budget.entity.js';
import {
  DEFAULT_ORG_SETTINGS,
  type AppOverrides,
  type Org,
  type QuotaScope,
  resolveEffectiveConfig,
  type EffectiveConfig,
} from '../tenants/tenant.entity.js';
import { periodAt } from '../time/budget-window.js';
import { isoUtc } from '../time/org-time.js';
import {
  assessLabel,
  assessLabels,
  type LineDef,
  lineCovers,
  linePeriod,
  linesFor,
  type LineState,
  lineState,
} from './budget-lines.js';

const ORG_ID = '3f2b8c1e-5d4a-4b6e-9f1a-2c3d4e5f6a7b';
const APP_ID = 'chatbot';
const TZ = 'America/New_York';
// Wednesday 16 December 2026, 10:00 in New York: the day ends 17 Dec 05:00Z, the (Monday) week
// 21 Dec 05:00Z, the month 1 Jan 2027 05:00Z.
const NOW = new Date('2026-12-16T15:00:00Z');
const DAY_END = '2026-12-17T05:00:00Z';
const WEEK_END = '2026-12-21T05:00:00Z';
const MONTH_END = '2027-01-01T05:00:00Z';

function anOrg(scope: QuotaScope, budgets: Budget[] = []): Org {
  return {
    orgId: ORG_ID,
    orgName: 'Acme',
    timezone: TZ,
    quotaScope: scope,
    modelOrdering: ['premium', 'standard', 'economy'],
    quotas: { premium: 1_000_000, standard: 2_000_000, economy: 3_000_000 },
    budgets,
    settings: { ...DEFAULT_ORG_SETTINGS },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

function effective(
  scope: QuotaScope,
  orgBudgets: Budget[] = [],
  overrides: AppOverrides = {},
): EffectiveConfig {
  return resolveEffectiveConfig(anOrg(scope, orgBudgets), {
    appId: APP_ID,
    overrides,
  });
}

/** The state of a line at NOW with `spend`, through the real period and status functions. */
function stateOf(eff: EffectiveConfig, def: LineDef, spend: number): LineState {
  return lineState(def, linePeriod(def, NOW, eff), spend, eff.tightModeThresholdPct);
}

/** Finds the one line of `eff` with that window, label and source. */
function lineOf(
  eff: EffectiveConfig,
  window: LineDef['window'],
  label: string | null,
  source: LineDef['source'] = 'BUDGET',
  scope?: LineDef['scope'],
): LineDef {
  const found = linesFor(eff).filter(
    (l) => l.window === window && l.label === label && l.source === source && (!scope || l.scope === scope),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('rule: linesFor builds every line that governs an app: daily quotas, org budgets, app budgets', () => {
  it('rule: one DAY quota line per ordering label, in ordering order, over the scope key (ORG scope)', () => {
    const eff = effective('ORG');
    expect(linesFor(eff)).toEqual([
      {
        scope: 'ORG',
        window: 'DAY',
        label: 'premium',
        limitUsdMicros: 1_000_000,
        source: 'QUOTA',
        spendScopeKey: `ORG#${ORG_ID}`,
      },
      {
        scope: 'ORG',
        window: 'DAY',
        label: 'standard',
        limitUsdMicros: 2_000_000,
        source: 'QUOTA',
        spendScopeKey: `ORG#${ORG_ID}`,
      },
      {
        scope: 'ORG',
        window: 'DAY',
        label: 'economy',
        limitUsdMicros: 3_000_000,
        source: 'QUOTA',
        spendScopeKey: `ORG#${ORG_ID}`,
      },
    ]);
  });

  it("rule: in APP scope the quota lines are the app's (APP scope, the app's scope key, its overrides)", () => {
    const eff = effective('APP', [], { modelOrdering: ['economy', 'premium'], quotas: { premium: 7 } });
    expect(linesFor(eff)).toEqual([
      expect.objectContaining({ scope: 'APP', label: 'economy', limitUsdMicros: 3_000_000, source: 'QUOTA' }),
      expect.objectContaining({ scope: 'APP', label: 'premium', limitUsdMicros: 7, source: 'QUOTA' }),
    ]);
    for (const l of linesFor(eff)) expect(l.spendScopeKey).toBe(`ORG#${ORG_ID}#APP#${APP_ID}`);
  });

  it('rule: a label of the ordering without a quota has no quota line', () => {
    const org = anOrg('ORG');
    org.quotas = { premium: 1_000_000 };
    const eff = resolveEffectiveConfig(org, { appId: APP_ID, overrides: {} });
    expect(linesFor(eff).map((l) => l.label)).toEqual(['premium']);
  });

  it('rule: org budgets are ORG-scope lines over ORG#{org}, in either quota scope; no label = all labels', () => {
    const budgets: Budget[] = [
      { window: 'WEEK', limitUsdMicros: 50_000_000, label: 'premium' },
      { window: 'MONTH', limitUsdMicros: 200_000_000 },
    ];
    for (const scope of ['ORG', 'APP'] as const) {
      const lines = linesFor(effective(scope, budgets)).filter((l) => l.source === 'BUDGET');
      expect(lines).toEqual([
        {
          scope: 'ORG',
          window: 'WEEK',
          label: 'premium',
          limitUsdMicros: 50_000_000,
          source: 'BUDGET',
          spendScopeKey: `ORG#${ORG_ID}`,
        },
        {
          scope: 'ORG',
          window: 'MONTH',
          label: null,
          limitUsdMicros: 200_000_000,
          source: 'BUDGET',
          spendScopeKey: `ORG#${ORG_ID}`,
        },
      ]);
    }
  });

  it("rule: app budgets are APP-scope lines over the app's own scope key, in APP scope only", () => {
    const appBudgets: Budget[] = [{ window: 'MONTH', limitUsdMicros: 9_000_000, label: 'standard' }];
    const inApp = linesFor(effective('APP', [], { budgets: appBudgets })).filter(
      (l) => l.source === 'BUDGET',
    );
    expect(inApp).toEqual([
      {
        scope: 'APP',
        window: 'MONTH',
        label: 'standard',
        limitUsdMicros: 9_000_000,
        source: 'BUDGET',
        spendScopeKey: `ORG#${ORG_ID}#APP#${APP_ID}`,
      },
    ]);
    const inOrg = linesFor(effective('ORG', [], { budgets: appBudgets })).filter(
      (l) => l.source === 'BUDGET',
    );
    expect(inOrg).toEqual([]);
  });

  it('rule: quota lines come first, then org budgets, then app budgets', () => {
    const eff = effective('APP', [{ window: 'WEEK', limitUsdMicros: 5 }], {
      budgets: [{ window: 'DAY', limitUsdMicros: 6 }],
    });
    expect(linesFor(eff).map((l) => `${l.source}/${l.scope}/${l.window}`)).toEqual([
      'QUOTA/APP/DAY',
      'QUOTA/APP/DAY',
      'QUOTA/APP/DAY',
      'BUDGET/ORG/WEEK',
      'BUDGET/APP/DAY',
    ]);
  });

  it('rule: lineCovers: an all-label line covers every label, a labelled one only its label', () => {
    expect(lineCovers({ label: null }, 'premium')).toBe(true);
    expect(lineCovers({ label: null }, 'anything')).toBe(true);
    expect(lineCovers({ label: 'premium' }, 'premium')).toBe(true);
    expect(lineCovers({ label: 'premium' }, 'standard')).toBe(false);
  });

  it("rule: linePeriod is the line's current calendar period in the org timezone and week start", () => {
    const eff = effective('ORG', [{ window: 'WEEK', limitUsdMicros: 1 }]);
    const week = linePeriod(lineOf(eff, 'WEEK', null), NOW, eff);
    expect(week).toEqual(periodAt('WEEK', NOW, TZ, 'MONDAY'));
    expect(week.key).toBe('W#2026-12-14');
    expect(isoUtc(week.end)).toBe(WEEK_END);
    const sundayOrg = { ...eff, weekStartsOn: 'SUNDAY' as const };
    expect(linePeriod({ window: 'WEEK' }, NOW, sundayOrg).key).toBe('W#2026-12-13');
    expect(isoUtc(linePeriod({ window: 'DAY' }, NOW, eff).end)).toBe(DAY_END);
    expect(isoUtc(linePeriod({ window: 'MONTH' }, NOW, eff).end)).toBe(MONTH_END);
  });
});

describe('rule: a line is judged by the quota rule: pct with one decimal, EXCEEDED at the limit, TIGHT at the threshold', () => {
  const eff = effective('ORG', [{ window: 'MONTH', limitUsdMicros: 1_000 }]);
  const month = lineOf(eff, 'MONTH', null);

  it('rule: lineState keeps the definition and the period, and adds spend, pct and status', () => {
    const period = linePeriod(month, NOW, eff);
    expect(lineState(month, period, 250, 95)).toEqual({
      ...month,
      period,
      spendUsdMicros: 250,
      pct: 25,
      status: 'NORMAL',
    });
  });

  it('rule: pct has one decimal', () => {
    expect(stateOf(eff, month, 333).pct).toBe(33.3);
    expect(stateOf(eff, month, 1).pct).toBe(0.1);
    expect(stateOf(eff, month, 1_500).pct).toBe(150);
    expect(stateOf(eff, month, 0).pct).toBe(0);
  });

  it('rule: EXCEEDED when spend >= limit (exactly at the limit, and above)', () => {
    expect(stateOf(eff, month, 999).status).toBe('TIGHT');
    expect(stateOf(eff, month, 1_000)).toMatchObject({ status: 'EXCEEDED', pct: 100 });
    expect(stateOf(eff, month, 5_000)).toMatchObject({ status: 'EXCEEDED', pct: 500 });
  });

  it('rule: a zero limit is always EXCEEDED, even with no spend (pct reads 100)', () => {
    const zero = { ...month, limitUsdMicros: 0 };
    expect(stateOf(eff, zero, 0)).toMatchObject({ status: 'EXCEEDED', pct: 100 });
    expect(stateOf(eff, zero, 1)).toMatchObject({ status: 'EXCEEDED', pct: 100 });
  });

  it('rule: TIGHT at exactly the tight threshold, NORMAL just below, with the threshold passed in', () => {
    expect(stateOf(eff, month, 950).status).toBe('TIGHT'); // 95 % at the default threshold 95
    expect(stateOf(eff, month, 949).status).toBe('NORMAL');
    const period = linePeriod(month, NOW, eff);
    expect(lineState(month, period, 500, 50).status).toBe('TIGHT');
    expect(lineState(month, period, 499, 50).status).toBe('NORMAL');
    expect(lineState(month, period, 999, 100).status).toBe('NORMAL');
  });
});

describe('rule: assessLabel judges a label by every line covering it', () => {
  // premium: quota 1,000,000/day; org WEEK budget on premium 10,000,000; org MONTH all-label 50,000,000.
  const eff = effective('ORG', [
    { window: 'WEEK', limitUsdMicros: 10_000_000, label: 'premium' },
    { window: 'MONTH', limitUsdMicros: 50_000_000 },
  ]);
  const premiumDay = lineOf(eff, 'DAY', 'premium', 'QUOTA');
  const standardDay = lineOf(eff, 'DAY', 'standard', 'QUOTA');
  const premiumWeek = lineOf(eff, 'WEEK', 'premium');
  const allMonth = lineOf(eff, 'MONTH', null);

  it('rule: the worst status of the covering lines wins', () => {
    const normalDay = stateOf(eff, premiumDay, 100_000);
    const tightWeek = stateOf(eff, premiumWeek, 9_600_000);
    const normalMonth = stateOf(eff, allMonth, 1_000_000);
    expect(assessLabel('premium', [normalDay, normalMonth]).status).toBe('NORMAL');
    expect(assessLabel('premium', [normalDay, tightWeek, normalMonth]).status).toBe('TIGHT');
    const exceededMonth = stateOf(eff, allMonth, 50_000_000);
    expect(assessLabel('premium', [normalDay, tightWeek, exceededMonth]).status).toBe('EXCEEDED');
    expect(assessLabel('premium', [exceededMonth, tightWeek, normalDay]).status).toBe('EXCEEDED');
  });

  it('rule: lines of other labels do not count; a label with no covering line is NORMAL with no binding', () => {
    const lines = [stateOf(eff, premiumDay, 2_000_000), stateOf(eff, premiumWeek, 10_000_000)];
    expect(assessLabel('standard', lines)).toEqual({
      status: 'NORMAL',
      binding: undefined,
      exhausted: [],
      exhaustedForTheDay: false,
      usableAgainAt: undefined,
    });
  });

  it('rule: an all-label line covers every label of the ordering', () => {
    const lines = [
      stateOf(eff, premiumDay, 0),
      stateOf(eff, standardDay, 0),
      stateOf(eff, premiumWeek, 0),
      stateOf(eff, allMonth, 50_000_000),
    ];
    const all = assessLabels(['premium', 'standard', 'economy'], lines);
    expect(Object.keys(all)).toEqual(['premium', 'standard', 'economy']);
    for (const label of ['premium', 'standard', 'economy']) {
      expect(all[label]!.status).toBe('EXCEEDED');
      expect(all[label]!.binding).toBe(lines[3]);
      expect(all[label]!.exhausted).toEqual([lines[3]]);
      expect(isoUtc(all[label]!.usableAgainAt!)).toBe(MONTH_END);
    }
  });

  it('rule: binding is the covering line with the highest pct, whatever the order of the lines', () => {
    const day = stateOf(eff, premiumDay, 400_000); // 40 %
    const week = stateOf(eff, premiumWeek, 7_000_000); // 70 %
    const month = stateOf(eff, allMonth, 10_000_000); // 20 %
    expect(assessLabel('premium', [day, week, month]).binding).toBe(week);
    expect(assessLabel('premium', [month, week, day]).binding).toBe(week);
    expect(assessLabel('standard', [day, week, month]).binding).toBe(month);
  });

  it('rule: on a pct tie the shorter window binds (DAY before WEEK before MONTH)', () => {
    const day = stateOf(eff, premiumDay, 500_000); // 50 %
    const week = stateOf(eff, premiumWeek, 5_000_000); // 50 %
    const month = stateOf(eff, allMonth, 25_000_000); // 50 %
    expect(assessLabel('premium', [month, week, day]).binding).toBe(day);
    expect(assessLabel('premium', [day, week, month]).binding).toBe(day);
    expect(assessLabel('premium', [month, week]).binding).toBe(week);
    expect(assessLabel('premium', [week, month]).binding).toBe(week);
  });

  it('rule: exhausted lists the exhausted lines only, the binding one first', () => {
    const day = stateOf(eff, premiumDay, 1_000_000); // 100 %, exhausted
    const week = stateOf(eff, premiumWeek, 15_000_000); // 150 %, exhausted
    const month = stateOf(eff, allMonth, 48_000_000); // 96 %, TIGHT only
    const a = assessLabel('premium', [day, month, week]);
    expect(a.status).toBe('EXCEEDED');
    expect(a.binding).toBe(week);
    expect(a.exhausted).toEqual([week, day]);
    // On a pct tie among exhausted lines, the shorter window comes first.
    const weekTie = stateOf(eff, premiumWeek, 10_000_000); // 100 %
    expect(assessLabel('premium', [weekTie, day]).exhausted).toEqual([day, weekTie]);
  });

  it('rule: exhaustedForTheDay only when a DAY line is exhausted', () => {
    const dayOut = stateOf(eff, premiumDay, 1_000_000);
    const dayTight = stateOf(eff, premiumDay, 990_000);
    const weekOut = stateOf(eff, premiumWeek, 10_000_000);
    const monthOut = stateOf(eff, allMonth, 50_000_000);
    expect(assessLabel('premium', [dayOut]).exhaustedForTheDay).toBe(true);
    expect(assessLabel('premium', [dayOut, weekOut]).exhaustedForTheDay).toBe(true);
    expect(assessLabel('premium', [dayTight, weekOut]).exhaustedForTheDay).toBe(false);
    expect(assessLabel('premium', [dayTight, monthOut]).exhaustedForTheDay).toBe(false);
    expect(assessLabel('premium', [dayTight]).exhaustedForTheDay).toBe(false);
  });

  it('rule: usableAgainAt is the latest reset among the exhausted lines (not among all lines)', () => {
    const dayOut = stateOf(eff, premiumDay, 1_000_000);
    const weekOut = stateOf(eff, premiumWeek, 10_000_000);
    const weekTight = stateOf(eff, premiumWeek, 9_900_000);
    const monthOut = stateOf(eff, allMonth, 50_000_000);
    const monthNormal = stateOf(eff, allMonth, 0);
    expect(isoUtc(assessLabel('premium', [dayOut, monthNormal]).usableAgainAt!)).toBe(DAY_END);
    expect(isoUtc(assessLabel('premium', [dayOut, weekOut]).usableAgainAt!)).toBe(WEEK_END);
    expect(isoUtc(assessLabel('premium', [monthOut, dayOut, weekOut]).usableAgainAt!)).toBe(MONTH_END);
    expect(isoUtc(assessLabel('premium', [dayOut, weekTight, monthNormal]).usableAgainAt!)).toBe(DAY_END);
    expect(assessLabel('premium', [weekTight, monthNormal]).usableAgainAt).toBeUndefined();
  });

  it('rule: a zero-limit line binds before a TIGHT one and is exhausted', () => {
    const zeroWeek = stateOf(eff, { ...premiumWeek, limitUsdMicros: 0 }, 0);
    const tightDay = stateOf(eff, premiumDay, 990_000);
    const a = assessLabel('premium', [tightDay, zeroWeek]);
    expect(a).toMatchObject({ status: 'EXCEEDED', binding: zeroWeek, exhausted: [zeroWeek] });
    expect(isoUtc(a.usableAgainAt!)).toBe(WEEK_END);
  });

  it('rule: org and app lines both cover the label (APP scope)', () => {
    const app = effective('APP', [{ window: 'MONTH', limitUsdMicros: 100_000_000 }], {
      budgets: [{ window: 'WEEK', limitUsdMicros: 2_000_000, label: 'standard' }],
    });
    const orgMonth = stateOf(app, lineOf(app, 'MONTH', null, 'BUDGET', 'ORG'), 10_000_000); // 10 %
    const appWeek = stateOf(app, lineOf(app, 'WEEK', 'standard', 'BUDGET', 'APP'), 2_000_000); // 100 %
    const stdDay = stateOf(app, lineOf(app, 'DAY', 'standard', 'QUOTA'), 100_000); // 5 %
    const a = assessLabel('standard', [orgMonth, appWeek, stdDay]);
    expect(a.status).toBe('EXCEEDED');
    expect(a.binding).toMatchObject({ scope: 'APP', window: 'WEEK', label: 'standard' });
    expect(assessLabel('premium', [orgMonth, appWeek, stdDay]).binding).toBe(orgMonth);
  });
});
