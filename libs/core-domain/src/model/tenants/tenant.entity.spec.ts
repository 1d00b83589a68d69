import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_ORG_SETTINGS,
  isValidAppId,
  normalizeOrgId,
  parseScopeKey,
  orgSpendScopeKey,
  resolveEffectiveConfig,
  scopeKeyFor,
  type App,
  type AppOverrides,
  type Org,
  type QuotaScope,
} from './tenant.entity.js';

const ORG_ID = '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5';

function anOrg(scope: QuotaScope, overrides: Partial<Org> = {}): Org {
  return {
    orgId: ORG_ID,
    orgName: 'Acme',
    timezone: 'America/New_York',
    quotaScope: scope,
    modelOrdering: ['premium', 'standard', 'economy'],
    quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
    budgets: [],
    settings: { ...DEFAULT_ORG_SETTINGS, aggShardCount: 16 },
    createdAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-01T00:00:00Z',
    ...overrides,
  };
}

function anApp(overrides: AppOverrides = {}): App {
  return {
    orgId: ORG_ID,
    appId: 'billing',
    appName: 'Billing',
    overrides,
    createdAt: '2026-03-02T00:00:00Z',
    updatedAt: '2026-03-02T00:00:00Z',
  };
}

const FULL_OVERRIDES: AppOverrides = {
  modelOrdering: ['standard', 'economy'],
  quotas: { standard: 1_000_000, economy: 500_000 },
  tightModeThresholdPct: 80,
  refreshIntervalNormalSecs: 120,
  refreshIntervalTightSecs: 30,
};

describe('rule: the effective config of an app is the org config with the app overrides laid on top', () => {
  it('rule: an app without overrides inherits everything from the org', () => {
    expect(resolveEffectiveConfig(anOrg('APP'), anApp())).toEqual({
      orgId: ORG_ID,
      appId: 'billing',
      timezone: 'America/New_York',
      quotaScope: 'APP',
      scopeKey: `ORG#${ORG_ID}#APP#billing`,
      modelOrdering: ['premium', 'standard', 'economy'],
      quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
      tightModeThresholdPct: 95,
      aggShardCount: 16,
      stickyFallbackEnabled: true,
      refreshIntervalNormalSecs: 300,
      refreshIntervalTightSecs: 10,
      weekStartsOn: 'MONDAY',
      orgBudgets: [],
      appBudgets: [],
      alertThresholdsPct: [50, 80, 100],
      anomalyFactor: 3,
      inheritedFields: [
        'agg_shard_count',
        'model_ordering',
        'quota_scope',
        'quotas',
        'refresh_interval_secs',
        'refresh_interval_tight_secs',
        'sticky_fallback_enabled',
        'tight_mode_threshold_pct',
        'timezone',
      ],
    });
  });

  it('rule: org budgets apply in both scopes; app budgets only in APP scope; week start from the org', () => {
    const month = { window: 'MONTH' as const, limitUsdMicros: 50_000_000 };
    const week = { window: 'WEEK' as const, limitUsdMicros: 9_000_000, label: 'premium' };
    const org = (scope: QuotaScope) =>
      anOrg(scope, { budgets: [month], settings: { ...DEFAULT_ORG_SETTINGS, weekStartsOn: 'SUNDAY' } });
    const app = anApp({ budgets: [week] });
    expect(resolveEffectiveConfig(org('APP'), app)).toMatchObject({
      orgBudgets: [month],
      appBudgets: [week],
      weekStartsOn: 'SUNDAY',
    });
    expect(resolveEffectiveConfig(org('ORG'), app)).toMatchObject({ orgBudgets: [month], appBudgets: [] });
    expect(orgSpendScopeKey(ORG_ID)).toBe(`ORG#${ORG_ID}`);
  });

  it('rule: ordering, quotas (APP scope), threshold and refresh intervals come from the app when it overrides them', () => {
    const eff = resolveEffectiveConfig(anOrg('APP'), anApp(FULL_OVERRIDES));
    expect(eff).toMatchObject({
      modelOrdering: ['standard', 'economy'],
      tightModeThresholdPct: 80,
      refreshIntervalNormalSecs: 120,
      refreshIntervalTightSecs: 30,
    });
    expect(eff.quotas).toMatchObject({ standard: 1_000_000, economy: 500_000 });
    expect(eff.inheritedFields).toEqual([
      'agg_shard_count',
      'quota_scope',
      'sticky_fallback_enabled',
      'timezone',
    ]);
  });

  it('rule: app quotas in APP scope are laid on top of the org quotas (labels the app does not set keep the org quota)', () => {
    const eff = resolveEffectiveConfig(anOrg('APP'), anApp({ quotas: { premium: 1 } }));
    expect(eff.quotas).toEqual({ premium: 1, standard: 5_000_000, economy: 2_000_000 });
    expect(eff.inheritedFields).not.toContain('quotas');
  });

  it('rule: app quotas apply only when the org scope is APP; in ORG scope the org quotas win', () => {
    const eff = resolveEffectiveConfig(anOrg('ORG'), anApp(FULL_OVERRIDES));
    expect(eff.quotas).toEqual({ premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 });
    expect(eff.inheritedFields).toContain('quotas');
    // the other overrides still apply
    expect(eff.modelOrdering).toEqual(['standard', 'economy']);
    expect(eff.tightModeThresholdPct).toBe(80);
  });

  it('rule: timezone, quota scope, shard count and stickiness always come from the org', () => {
    const org = anOrg('ORG', {
      timezone: 'Pacific/Kiritimati',
      settings: { ...DEFAULT_ORG_SETTINGS, aggShardCount: 64, stickyFallbackEnabled: false },
    });
    // Even fields an app may not override, smuggled in, are ignored.
    const sneaky = {
      ...FULL_OVERRIDES,
      timezone: 'UTC',
      quotaScope: 'APP',
      aggShardCount: 8,
      stickyFallbackEnabled: true,
    };
    const eff = resolveEffectiveConfig(org, anApp(sneaky as AppOverrides));
    expect(eff).toMatchObject({
      timezone: 'Pacific/Kiritimati',
      quotaScope: 'ORG',
      aggShardCount: 64,
      stickyFallbackEnabled: false,
      scopeKey: `ORG#${ORG_ID}`,
    });
    expect(eff.inheritedFields).toEqual(
      expect.arrayContaining(['timezone', 'quota_scope', 'agg_shard_count', 'sticky_fallback_enabled']),
    );
  });

  it('rule: inheritedFields is sorted and names each inherited field once', () => {
    const eff = resolveEffectiveConfig(anOrg('APP'), anApp({ tightModeThresholdPct: 60 }));
    expect(eff.inheritedFields).toEqual([...eff.inheritedFields].sort());
    expect(new Set(eff.inheritedFields).size).toBe(eff.inheritedFields.length);
    expect(eff.inheritedFields).not.toContain('tight_mode_threshold_pct');
  });

  it('rule: the effective config is a copy: changing it does not change the org or the app', () => {
    const org = anOrg('APP');
    const app = anApp({ modelOrdering: ['economy'], quotas: { economy: 7 } });
    const eff = resolveEffectiveConfig(org, app);
    eff.modelOrdering.push('premium');
    eff.quotas.economy = 0;
    expect(app.overrides.modelOrdering).toEqual(['economy']);
    expect(app.overrides.quotas).toEqual({ economy: 7 });
    const fromOrg = resolveEffectiveConfig(org, anApp());
    fromOrg.modelOrdering.pop();
    fromOrg.quotas.premium = 0;
    expect(org.modelOrdering).toEqual(['premium', 'standard', 'economy']);
    expect(org.quotas.premium).toBe(10_000_000);
  });
});

describe('rule: scope key is ORG#{org_id} in ORG scope and ORG#{org_id}#APP#{app_id} in APP scope', () => {
  it('rule: the scope key follows the quota scope', () => {
    expect(scopeKeyFor('ORG', ORG_ID, 'billing')).toBe(`ORG#${ORG_ID}`);
    expect(scopeKeyFor('APP', ORG_ID, 'billing')).toBe(`ORG#${ORG_ID}#APP#billing`);
  });

  it('rule: app scope keys include the org, so two orgs may reuse an app id', () => {
    const other = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
    expect(scopeKeyFor('APP', ORG_ID, 'billing')).not.toBe(scopeKeyFor('APP', other, 'billing'));
  });

  it('rule: parseScopeKey splits a scope key back into its ids', () => {
    expect(parseScopeKey(`ORG#${ORG_ID}`)).toEqual({ orgId: ORG_ID });
    expect(parseScopeKey(`ORG#${ORG_ID}#APP#billing`)).toEqual({ orgId: ORG_ID, appId: 'billing' });
    expect(parseScopeKey(scopeKeyFor('APP', ORG_ID, 'a-b_c'))).toEqual({ orgId: ORG_ID, appId: 'a-b_c' });
  });

  it('rule: anything else is not a scope key', () => {
    for (const bad of [
      '',
      'ORG',
      'ORG#',
      `APP#${ORG_ID}`,
      `ORG#${ORG_ID}#APP`,
      `ORG#${ORG_ID}#APP#`,
      `ORG#${ORG_ID}#APP#a#b`,
      `ORG#${ORG_ID}#X#a`,
      `ORG#${ORG_ID}#`,
    ]) {
      expect(() => parseScopeKey(bad)).toThrow(/Not a scope key/);
    }
  });
});

describe('rule: org ids are UUIDs of any version, lower-cased on input', () => {
  it('rule: an upper-case org id is lower-cased', () => {
    expect(normalizeOrgId('0B6F1C1E-2D3A-4C5B-8E9F-A0B1C2D3E4F5')).toBe(ORG_ID);
  });

  it('rule: every UUID version is accepted', () => {
    for (const id of [
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8', // v1
      '000003e8-2363-21ef-b200-325096b39f47', // v2
      '6fa459ea-ee8a-3ca4-894e-db77e160355e', // v3
      '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5', // v4
      '886313e1-3b8a-5372-9b90-0c9aee199e5d', // v5
      '1ef21d2f-1207-6660-8c4f-419efbd44d48', // v6
      '01890a5d-ac96-774b-bcce-b302099a8057', // v7
      '00000000-0000-0000-0000-000000000000', // nil
    ]) {
      expect(normalizeOrgId(id)).toBe(id);
    }
  });

  it('rule: anything that is not a UUID is refused', () => {
    for (const bad of [
      '',
      'acme',
      '0b6f1c1e2d3a4c5b8e9fa0b1c2d3e4f5',
      '{0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5}',
      '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f',
      '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5 ',
      'gb6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5',
      undefined,
      null,
      123,
    ]) {
      expect(normalizeOrgId(bad)).toBeUndefined();
    }
  });
});

describe('rule: app ids match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ (no #, at most 64 characters)', () => {
  it('rule: valid app ids', () => {
    for (const id of ['a', 'A', '0', 'billing-api', 'Billing_API_2', 'a'.repeat(64)])
      expect(isValidAppId(id)).toBe(true);
  });

  it('rule: # (the key separator), other punctuation, a leading _ or -, empty and over-long ids are refused', () => {
    for (const id of [
      '',
      'a#b',
      '#',
      'a'.repeat(65),
      '-a',
      '_a',
      'a.b',
      'a b',
      'a/b',
      'é',
      undefined,
      null,
      5,
    ]) {
      expect(isValidAppId(id)).toBe(false);
    }
  });
});
