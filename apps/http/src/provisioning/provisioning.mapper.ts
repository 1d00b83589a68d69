import { type App, type EffectiveConfig, type Org, type OrgInput, type AppInput } from '#core-domain';
import { budgetsWire, toBudgets } from '../budgets/budgets.mapper.js';
import { type AppDto, type OrgConfigurationDto, type PutAppDto, type PutOrgDto } from './provisioning.dto.js';

/** Wire override names -> domain names. */
const OVERRIDE_NAMES = {
  tight_mode_threshold_pct: 'tightModeThresholdPct',
  agg_shard_count: 'aggShardCount',
  sticky_fallback_enabled: 'stickyFallbackEnabled',
  refresh_interval_secs: 'refreshIntervalNormalSecs',
  refresh_interval_tight_secs: 'refreshIntervalTightSecs',
} as const;

/** Only the overrides that were sent, renamed for the domain. */
function toOverrides<T>(wire: object): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wire)) {
    if (v !== undefined && k in OVERRIDE_NAMES) out[OVERRIDE_NAMES[k as keyof typeof OVERRIDE_NAMES]] = v;
  }
  return out as T;
}

/** Wire (snake_case DTO) -> domain input. Only fields that were sent are passed on. */
export function toOrgInput(dto: PutOrgDto): OrgInput {
  const input: OrgInput = { orgName: dto.org_name, timezone: dto.timezone, quotaScope: dto.quota_scope };
  if (dto.model_ordering !== undefined) input.modelOrdering = dto.model_ordering;
  if (dto.quotas !== undefined) input.quotas = dto.quotas;
  if (dto.budgets !== undefined) input.budgets = toBudgets(dto.budgets);
  if (dto.week_starts_on !== undefined) input.weekStartsOn = dto.week_starts_on;
  if (dto.alert_thresholds_pct !== undefined) input.alertThresholdsPct = dto.alert_thresholds_pct;
  if (dto.anomaly_factor !== undefined) input.anomalyFactor = dto.anomaly_factor;
  if (dto.rollup_tag_keys !== undefined) input.rollupTagKeys = dto.rollup_tag_keys;
  if (dto.overrides !== undefined) input.overrides = toOverrides(dto.overrides);
  return input;
}

export function toAppInput(dto: PutAppDto): AppInput {
  const input: AppInput = { appName: dto.app_name };
  if (dto.model_ordering !== undefined) input.modelOrdering = dto.model_ordering;
  if (dto.quotas !== undefined) input.quotas = dto.quotas;
  if (dto.budgets !== undefined) input.budgets = toBudgets(dto.budgets);
  if (dto.alert_thresholds_pct !== undefined) input.alertThresholdsPct = dto.alert_thresholds_pct;
  if (dto.overrides !== undefined) input.overrides = toOverrides(dto.overrides);
  return input;
}

export function orgConfiguration(org: Org): OrgConfigurationDto {
  return {
    org_name: org.orgName,
    timezone: org.timezone,
    quota_scope: org.quotaScope,
    model_ordering: org.modelOrdering,
    quotas: org.quotas,
    agg_shard_count: org.settings.aggShardCount,
    tight_mode_threshold_pct: org.settings.tightModeThresholdPct,
    sticky_fallback_enabled: org.settings.stickyFallbackEnabled,
    refresh_interval_secs: org.settings.refreshIntervalNormalSecs,
    refresh_interval_tight_secs: org.settings.refreshIntervalTightSecs,
    budgets: budgetsWire(org.budgets),
    week_starts_on: org.settings.weekStartsOn ?? 'MONDAY',
    alert_thresholds_pct: [...org.settings.alertThresholdsPct],
    anomaly_factor: org.settings.anomalyFactor,
    rollup_tag_keys: [...(org.settings.rollupTagKeys ?? [])],
  };
}

export function effectiveConfiguration(eff: EffectiveConfig, orgName: string) {
  return {
    org_name: orgName,
    timezone: eff.timezone,
    quota_scope: eff.quotaScope,
    model_ordering: eff.modelOrdering,
    quotas: eff.quotas,
    agg_shard_count: eff.aggShardCount,
    tight_mode_threshold_pct: eff.tightModeThresholdPct,
    sticky_fallback_enabled: eff.stickyFallbackEnabled,
    refresh_interval_secs: eff.refreshIntervalNormalSecs,
    refresh_interval_tight_secs: eff.refreshIntervalTightSecs,
    week_starts_on: eff.weekStartsOn,
    alert_thresholds_pct: eff.alertThresholdsPct,
    anomaly_factor: eff.anomalyFactor,
    budgets: budgetsWire(eff.orgBudgets),
    app_budgets: budgetsWire(eff.appBudgets),
    inherited_fields: eff.inheritedFields,
  };
}

/** An app as the admin GET shows it: its own overrides and the effective result. Never secrets. */
export function appView(app: App, eff: EffectiveConfig, orgName: string): AppDto {
  const o = app.overrides;
  const overrides: AppDto['overrides'] = {};
  if (o.modelOrdering !== undefined) overrides.model_ordering = o.modelOrdering;
  if (o.quotas !== undefined) overrides.quotas = o.quotas;
  if (o.budgets !== undefined) overrides.budgets = budgetsWire(o.budgets);
  if (o.alertThresholdsPct !== undefined) overrides.alert_thresholds_pct = [...o.alertThresholdsPct];
  if (o.tightModeThresholdPct !== undefined) overrides.tight_mode_threshold_pct = o.tightModeThresholdPct;
  if (o.refreshIntervalNormalSecs !== undefined)
    overrides.refresh_interval_secs = o.refreshIntervalNormalSecs;
  if (o.refreshIntervalTightSecs !== undefined)
    overrides.refresh_interval_tight_secs = o.refreshIntervalTightSecs;
  return {
    org_id: app.orgId,
    app_id: app.appId,
    app_name: app.appName,
    overrides,
    effective_configuration: effectiveConfiguration(eff, orgName),
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}
