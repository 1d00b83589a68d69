import { describe, expect, it } from '@jest/globals';
import { type Budget } from '../budgets/budget.entity.js';
import {
  assessLabel,
  assessLabels,
  linePeriod,
  linesFor,
  type LineState,
  lineState,
} from '../quota/budget-lines.js';
import { type LabelStatus } from '../quota/quota-status.js';
import {
  DEFAULT_ORG_SETTINGS,
  type EffectiveConfig,
  type Org,
  type QuotaScope,
  resolveEffectiveConfig,
} from '../tenants/tenant.entity.js';
import { isoUtc, nextLocalMidnight } from '../time/org-time.js';
import { assessSelection, decideModel, exhaustionReason } from './model-selection.js';

const ORG_ID = '3f2b8c1e-5d4a-4b6e-9f1a-2c3d4e5f6a7b';
const TZ = 'America/New_York';
const ORDERING = ['premium', 'standard', 'economy'];
// Wednesday 16 December 2026, 10:00 in New York: the day ends 17 Dec 05:00Z, the (Monday) week
// 21 Dec 05:00Z, the month 1 Jan 2027 05:00Z.
const NOW = new Date('2026-12-16T15:00:00Z');
const DAY_END = '2026-12-17T05:00:00Z';
const WEEK_END = '2026-12-21T05:00:00Z';
const MONTH_END = '2027-01-01T05:00:00Z';

const QUOTA = 1_000_000; // per label per day
const WEEK_LIMIT = 5_000_000;
const MONTH_LIMIT = 20_000_000;

function effective(budgets: Budget[], scope: QuotaScope = 'ORG'): EffectiveConfig {
  const org: Org = {
    orgId: ORG_ID,
    orgName: 'Acme',
    timezone: TZ,
    quotaScope: scope,
    modelOrdering: [...ORDERING],
    quotas: { premium: QUOTA, standard: QUOTA, economy: QUOTA },
    budgets,
    settings: { ...DEFAULT_ORG_SETTINGS },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
  return resolveEffectiveConfig(org, { appId: 'chatbot', overrides: {} });
}

/**
 * Every line of `eff` at `now`, built with the real functions; `spend` is keyed
 * `<window>/<label or *>` (a line not named spends nothing).
 */
function linesAt(eff: EffectiveConfig, now: Date, spend: Record<string, number>): LineState[] {
  return linesFor(eff).map((def) =>
    lineState(
      def,
      linePeriod(def, now, eff),
      spend[`${def.window}/${def.label ?? '*'}`] ?? 0,
      eff.tightModeThresholdPct,
    ),
  );
}

function select(
  eff: EffectiveConfig,
  now: Date,
  spend: Record<string, number>,
  sticky?: { label: string; index: number },
  stickyEnabled = true,
) {
  return assessSelection({
    ordering: eff.modelOrdering,
    lines: linesAt(eff, now, spend),
    stickyEnabled,
    sticky,
    dayEnd: nextLocalMidnight(now, eff.timezone),
  });
}

const WEEKLY_PREMIUM: Budget = { window: 'WEEK', limitUsdMicros: WEEK_LIMIT, label: 'premium' };
const WEEKLY_STANDARD: Budget = { window: 'WEEK', limitUsdMicros: WEEK_LIMIT, label: 'standard' };
const MONTHLY_ALL: Budget = { window: 'MONTH', limitUsdMicros: MONTH_LIMIT };
const MONTHLY_PREMIUM: Budget = { window: 'MONTH', limitUsdMicros: MONTH_LIMIT, label: 'premium' };

describe('rule: a fallback caused by a week or month line has reason BUDGET_EXCEEDED_<WINDOW>_<LABEL|ALL>', () => {
  it('rule: a weekly premium budget exhausted -> standard, BUDGET_EXCEEDED_WEEK_PREMIUM, no sticky advance', () => {
    const eff = effective([WEEKLY_PREMIUM]);
    const s = select(eff, NOW, { 'WEEK/premium': WEEK_LIMIT, 'DAY/premium': 100_000 });
    expect(s.decision).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM',
      advanceStickyTo: undefined,
      stickyActive: false,
    });
    expect(s.retryAfter).toBeUndefined();
    expect(s.labels.premium).toMatchObject({ status: 'EXCEEDED', exhaustedForTheDay: false });
    expect(isoUtc(s.labels.premium!.usableAgainAt!)).toBe(WEEK_END);
  });

  it('rule: the same through decideModel with assessments (statuses alone would read as a daily quota)', () => {
    const eff = effective([WEEKLY_PREMIUM]);
    const lines = linesAt(eff, NOW, { 'WEEK/premium': WEEK_LIMIT + 1 });
    const assessments = assessLabels(ORDERING, lines);
    const statuses: Record<string, LabelStatus> = {
      premium: 'EXCEEDED',
      standard: 'NORMAL',
      economy: 'NORMAL',
    };
    const withBudgets = decideModel({ ordering: ORDERING, statuses, stickyEnabled: true, assessments });
    expect(withBudgets).toMatchObject({ label: 'standard', reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM' });
    expect(withBudgets).not.toHaveProperty('advanceStickyTo.index');
    const statusesOnly = decideModel({ ordering: ORDERING, statuses, stickyEnabled: true });
    expect(statusesOnly).toMatchObject({
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
      advanceStickyTo: { index: 1, label: 'standard', previousLabel: 'premium' },
    });
  });

  it('rule: a monthly premium budget -> BUDGET_EXCEEDED_MONTH_PREMIUM; premium and standard out by weeks -> ..._WEEK_STANDARD', () => {
    const month = select(effective([MONTHLY_PREMIUM]), NOW, { 'MONTH/premium': MONTH_LIMIT });
    expect(month.decision).toMatchObject({ label: 'standard', reason: 'BUDGET_EXCEEDED_MONTH_PREMIUM' });
    const both = select(effective([WEEKLY_PREMIUM, WEEKLY_STANDARD]), NOW, {
      'WEEK/premium': WEEK_LIMIT,
      'WEEK/standard': WEEK_LIMIT,
    });
    expect(both.decision).toMatchObject({
      kind: 'recommend',
      index: 2,
      label: 'economy',
      reason: 'BUDGET_EXCEEDED_WEEK_STANDARD',
      advanceStickyTo: undefined,
    });
  });

  it('rule: exhaustionReason names the binding exhausted line: ..._MONTH_ALL for an all-label budget', () => {
    const eff = effective([MONTHLY_ALL, WEEKLY_PREMIUM]);
    const lines = linesAt(eff, NOW, { 'MONTH/*': MONTH_LIMIT * 2, 'WEEK/premium': WEEK_LIMIT });
    expect(exhaustionReason('premium', assessLabel('premium', lines))).toBe('BUDGET_EXCEEDED_MONTH_ALL');
    expect(exhaustionReason('standard', assessLabel('standard', lines))).toBe('BUDGET_EXCEEDED_MONTH_ALL');
    const weekBinds = linesAt(eff, NOW, { 'MONTH/*': MONTH_LIMIT, 'WEEK/premium': WEEK_LIMIT * 2 });
    expect(exhaustionReason('premium', assessLabel('premium', weekBinds))).toBe(
      'BUDGET_EXCEEDED_WEEK_PREMIUM',
    );
    const quotaBinds = linesAt(eff, NOW, { 'DAY/premium': QUOTA * 3, 'WEEK/premium': WEEK_LIMIT });
    expect(exhaustionReason('premium', assessLabel('premium', quotaBinds))).toBe('QUOTA_EXCEEDED_PREMIUM');
    expect(exhaustionReason('my-Label', undefined)).toBe('QUOTA_EXCEEDED_MY-LABEL');
  });

  it('rule: premium out by its day quota and (binding) its week line -> the week reason, and a sticky advance (out for the day)', () => {
    const eff = effective([WEEKLY_PREMIUM]);
    const s = select(eff, NOW, { 'DAY/premium': QUOTA, 'WEEK/premium': WEEK_LIMIT * 2 });
    expect(s.decision).toMatchObject({
      label: 'standard',
      reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM',
      advanceStickyTo: { index: 1, label: 'standard', previousLabel: 'premium' },
      stickyActive: true,
    });
  });

  it('rule: a TIGHT week line does not rule a label out (premium still recommended)', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, { 'WEEK/premium': WEEK_LIMIT - 1 });
    expect(s.labels.premium!.status).toBe('TIGHT');
    expect(s.decision).toMatchObject({ label: 'premium', reason: 'NORMAL', stickyActive: false });
  });
});

describe('rule: the daily quota keeps its sticky rule', () => {
  it('rule: daily quota exhausted -> QUOTA_EXCEEDED_PREMIUM and a sticky advance', () => {
    const s = select(effective([WEEKLY_PREMIUM, MONTHLY_ALL]), NOW, { 'DAY/premium': QUOTA });
    expect(s.decision).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
      advanceStickyTo: { index: 1, label: 'standard', previousLabel: 'premium' },
      stickyActive: true,
    });
    expect(s.labels.premium!.exhaustedForTheDay).toBe(true);
  });

  it('rule: with stickiness off, no advance (and the reason is the same)', () => {
    const s = select(effective([]), NOW, { 'DAY/premium': QUOTA }, undefined, false);
    expect(s.decision).toMatchObject({
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
      advanceStickyTo: undefined,
      stickyActive: false,
    });
  });

  it('rule: premium out by its week line and standard by its daily quota -> economy, with a sticky advance', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, { 'WEEK/premium': WEEK_LIMIT, 'DAY/standard': QUOTA });
    expect(s.decision).toMatchObject({
      label: 'economy',
      reason: 'QUOTA_EXCEEDED_STANDARD',
      advanceStickyTo: { index: 2, label: 'economy', previousLabel: 'standard' },
    });
  });
});

describe('rule: with a sticky state, a budget reason is kept for as long as that line rules the label out', () => {
  const STICKY_STANDARD = { label: 'standard', index: 1 };

  it('rule: sticky at standard and premium still out by a WEEK line -> BUDGET_EXCEEDED_WEEK_PREMIUM, not STICKY_FALLBACK', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, { 'WEEK/premium': WEEK_LIMIT }, STICKY_STANDARD);
    expect(s.decision).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'BUDGET_EXCEEDED_WEEK_PREMIUM',
      stickyActive: true,
    });
  });

  it('rule: sticky at standard and premium out by nothing -> standard, STICKY_FALLBACK (never back within the day)', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, {}, STICKY_STANDARD);
    expect(s.labels.premium!.status).toBe('NORMAL');
    expect(s.decision).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'STICKY_FALLBACK',
      stickyActive: true,
    });
  });

  it('rule: sticky at standard and premium out by its daily quota -> STICKY_FALLBACK', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, { 'DAY/premium': QUOTA }, STICKY_STANDARD);
    expect(s.decision).toMatchObject({ label: 'standard', reason: 'STICKY_FALLBACK', stickyActive: true });
  });

  it('rule: sticky at economy and standard out by its month line -> BUDGET_EXCEEDED_MONTH_STANDARD is kept', () => {
    // An all-label month budget would rule out economy too; use a monthly standard budget instead
    // plus an all-label one that is only TIGHT.
    const eff = effective([{ window: 'MONTH', limitUsdMicros: MONTH_LIMIT, label: 'standard' }, MONTHLY_ALL]);
    const s = select(
      eff,
      NOW,
      { 'MONTH/standard': MONTH_LIMIT, 'MONTH/*': MONTH_LIMIT - 1 },
      { label: 'economy', index: 2 },
    );
    expect(s.decision).toMatchObject({
      label: 'economy',
      index: 2,
      reason: 'BUDGET_EXCEEDED_MONTH_STANDARD',
      stickyActive: true,
    });
  });

  it('rule: with stickiness off the sticky state is ignored and premium is recommended again', () => {
    const s = select(effective([WEEKLY_PREMIUM]), NOW, {}, STICKY_STANDARD, false);
    expect(s.decision).toMatchObject({ index: 0, label: 'premium', reason: 'NORMAL', stickyActive: false });
  });
});

describe('rule: when every label is out, retry_after is the earliest instant some label becomes usable again', () => {
  it('rule: an all-label monthly budget exhausted on the 20th -> retryAfter = the 1st of next month, local midnight, in UTC', () => {
    const now = new Date('2026-12-20T15:00:00Z'); // 10:00 in New York
    const s = select(effective([MONTHLY_ALL]), now, { 'MONTH/*': MONTH_LIMIT });
    expect(s.decision).toEqual({ kind: 'all-exceeded' });
    expect(isoUtc(s.retryAfter!)).toBe('2027-01-01T05:00:00Z');
    for (const label of ORDERING) {
      expect(exhaustionReason(label, s.labels[label])).toBe('BUDGET_EXCEEDED_MONTH_ALL');
    }
  });

  it('rule: every daily quota exhausted -> retryAfter = the next local midnight', () => {
    const s = select(effective([]), NOW, {
      'DAY/premium': QUOTA,
      'DAY/standard': QUOTA,
      'DAY/economy': QUOTA,
    });
    expect(s.decision.kind).toBe('all-exceeded');
    expect(isoUtc(s.retryAfter!)).toBe(DAY_END);
  });

  it('rule: one label out by its daily quota, another by its week line -> the earliest of the two resets', () => {
    const eff = effective([
      WEEKLY_STANDARD,
      { window: 'MONTH', limitUsdMicros: MONTH_LIMIT, label: 'economy' },
    ]);
    const s = select(eff, NOW, {
      'DAY/premium': QUOTA,
      'WEEK/standard': WEEK_LIMIT,
      'MONTH/economy': MONTH_LIMIT,
    });
    expect(s.decision.kind).toBe('all-exceeded');
    expect(isoUtc(s.labels.premium!.usableAgainAt!)).toBe(DAY_END);
    expect(isoUtc(s.labels.standard!.usableAgainAt!)).toBe(WEEK_END);
    expect(isoUtc(s.labels.economy!.usableAgainAt!)).toBe(MONTH_END);
    expect(isoUtc(s.retryAfter!)).toBe(DAY_END);
  });

  it('rule: per label the latest reset among its exhausted lines counts, then the earliest over labels', () => {
    // premium: day + month out (usable at the month end); standard: day + week out (week end);
    // economy: day + month out (month end). The earliest over labels: the week end,
    // not the day end that every label's quota shares.
    const eff = effective([
      WEEKLY_STANDARD,
      MONTHLY_PREMIUM,
      { window: 'MONTH', limitUsdMicros: MONTH_LIMIT, label: 'economy' },
    ]);
    const s = select(eff, NOW, {
      'DAY/premium': QUOTA,
      'MONTH/premium': MONTH_LIMIT,
      'DAY/standard': QUOTA,
      'WEEK/standard': WEEK_LIMIT,
      'DAY/economy': QUOTA,
      'MONTH/economy': MONTH_LIMIT,
    });
    expect(s.decision.kind).toBe('all-exceeded');
    expect(isoUtc(s.retryAfter!)).toBe(WEEK_END);
  });

  it('rule: a label skipped only by the sticky state counts as usable at the end of the day', () => {
    // Sticky at standard; premium is fine by its spend but the sticky state keeps it out until the
    // day ends; standard and economy are out by week lines (until the week end).
    const eff = effective([
      WEEKLY_STANDARD,
      { window: 'WEEK', limitUsdMicros: WEEK_LIMIT, label: 'economy' },
    ]);
    const s = select(
      eff,
      NOW,
      { 'WEEK/standard': WEEK_LIMIT, 'WEEK/economy': WEEK_LIMIT },
      { label: 'standard', index: 1 },
    );
    expect(s.labels.premium!.status).toBe('NORMAL');
    expect(s.decision).toEqual({ kind: 'all-exceeded' });
    expect(isoUtc(s.retryAfter!)).toBe(DAY_END);
  });

  it('rule: a label before the sticky position that is out by a month line counts at its own reset', () => {
    // Sticky at standard; premium out by its month budget (month end), standard and economy by
    // week lines (week end): the earliest is the week end.
    const eff = effective([
      MONTHLY_PREMIUM,
      WEEKLY_STANDARD,
      { window: 'WEEK', limitUsdMicros: WEEK_LIMIT, label: 'economy' },
    ]);
    const s = select(
      eff,
      NOW,
      { 'MONTH/premium': MONTH_LIMIT, 'WEEK/standard': WEEK_LIMIT, 'WEEK/economy': WEEK_LIMIT },
      { label: 'standard', index: 1 },
    );
    expect(s.decision.kind).toBe('all-exceeded');
    expect(isoUtc(s.retryAfter!)).toBe(WEEK_END);
  });

  it('rule: in APP scope an app budget and the org roll-up budget both rule labels out', () => {
    const org: Org = {
      orgId: ORG_ID,
      orgName: 'Acme',
      timezone: TZ,
      quotaScope: 'APP',
      modelOrdering: ['premium', 'economy'],
      quotas: { premium: QUOTA, economy: QUOTA },
      budgets: [{ window: 'MONTH', limitUsdMicros: MONTH_LIMIT, label: 'economy' }],
      settings: { ...DEFAULT_ORG_SETTINGS },
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const eff = resolveEffectiveConfig(org, {
      appId: 'chatbot',
      overrides: { budgets: [{ window: 'WEEK', limitUsdMicros: WEEK_LIMIT, label: 'premium' }] },
    });
    const s = select(eff, NOW, { 'WEEK/premium': WEEK_LIMIT, 'MONTH/economy': MONTH_LIMIT });
    expect(s.decision.kind).toBe('all-exceeded');
    expect(s.labels.premium!.exhausted[0]).toMatchObject({ scope: 'APP', window: 'WEEK' });
    expect(s.labels.economy!.exhausted[0]).toMatchObject({
      scope: 'ORG',
      window: 'MONTH',
      spendScopeKey: `ORG#${ORG_ID}`,
    });
    expect(isoUtc(s.retryAfter!)).toBe(WEEK_END);
  });
});
