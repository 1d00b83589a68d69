import { describe, expect, it } from '@jest/globals';
import { lineState, type LineDef } from '../quota/budget-lines.js';
import { periodAt } from '../time/budget-window.js';
import { alertEventId, budgetEventData, eventBody, lineIdentity } from './alert-event.js';

const def: LineDef = {
  scope: 'ORG',
  window: 'MONTH',
  label: null,
  limitUsdMicros: 1_000_000,
  source: 'BUDGET',
  spendScopeKey: 'ORG#o1',
};

describe('rule: alert event ids are derived, stable and distinct', () => {
  it('rule: the same parts give the same id; any other part gives another', () => {
    const id = alertEventId(['o1', lineIdentity(def), 'M#2026-12', '80']);
    expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(alertEventId(['o1', lineIdentity(def), 'M#2026-12', '80'])).toBe(id);
    const others = [
      ['o2', lineIdentity(def), 'M#2026-12', '80'],
      ['o1', lineIdentity({ ...def, label: 'premium' }), 'M#2026-12', '80'],
      ['o1', lineIdentity(def), 'M#2027-01', '80'],
      ['o1', lineIdentity(def), 'M#2026-12', '100'],
      ['o1', lineIdentity({ ...def, scope: 'APP' }), 'M#2026-12', '80'],
    ].map(alertEventId);
    expect(new Set([id, ...others]).size).toBe(6);
    // Joining cannot collide two different part lists ("a|b" + "c" vs "a" + "b|c").
    expect(alertEventId(['a|b', 'c'])).not.toBe(alertEventId(['a', 'b|c']));
  });

  it('rule: a budget event carries scope, line, period, threshold, spend, limit, pct and as_of', () => {
    const period = periodAt('MONTH', new Date('2026-12-20T15:00:00Z'), 'America/New_York', 'MONDAY');
    const line = lineState(def, period, 850_000, 95);
    const data = budgetEventData({ line, thresholdPct: 80, asOf: '2026-12-20T15:00:00Z', appId: 'chat' });
    expect(data).toEqual({
      scope: 'ORG',
      app_id: 'chat',
      line: { window: 'MONTH', label: null, kind: 'budget' },
      period: { key: 'M#2026-12', start: '2026-12-01T05:00:00Z', end: '2027-01-01T05:00:00Z' },
      threshold_pct: 80,
      spend_usd_micros: 850_000,
      limit_usd_micros: 1_000_000,
      pct: 85,
      as_of: '2026-12-20T15:00:00Z',
    });
    expect(
      eventBody({
        id: 'evt_x',
        type: 'budget.threshold_crossed',
        orgId: 'o1',
        createdAt: 't',
        data,
        expiresAt: 1,
      }),
    ).toEqual({
      id: 'evt_x',
      type: 'budget.threshold_crossed',
      api_version: '2026-12-01',
      created_at: 't',
      org_id: 'o1',
      data,
    });
  });
});
