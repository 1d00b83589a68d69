import { DEFAULT_ALERT_THRESHOLDS_PCT, DEFAULT_ANOMALY_FACTOR } from '../alerts/alert-rules.js';
import { type Budget } from '../budgets/budget.entity.js';
import { DEFAULT_WEEK_START, type WeekStart } from '../time/budget-window.js';

export type QuotaScope = 'ORG' | 'APP';
export const QUOTA_SCOPES: readonly QuotaScope[] = ['ORG', 'APP'];
export const SHARD_COUNTS = [8, 16, 32, 64] as const;
export type ShardCount = (typeof SHARD_COUNTS)[number];

/** Org-level settings. Defaults in the README configuration table. */
export interface OrgSettings {
  tightModeThresholdPct: number;
  aggShardCount: ShardCount;
  stickyFallbackEnabled: boolean;
  refreshIntervalNormalSecs: number;
  refreshIntervalTightSecs: number;
  /** The local day weeks start on, for WEEK budgets. */
  weekStartsOn: WeekStart;
  /** Alert thresholds, percent of each line's limit (1..10 integers of 1..1000). */
  alertThresholdsPct: number[];
  /** budget.spend_anomaly: last hour >= factor x the average hour of the previous 7 days (0 = off). */
  anomalyFactor: number;
  /** Tag keys the worker keeps daily rollups by (summary `group_by=tag:<key>`): up to 5, distinct. */
  rollupTagKeys: string[];
}

export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  tightModeThresholdPct: 95,
  aggShardCount: 8,
  stickyFallbackEnabled: true,
  refreshIntervalNormalSecs: 300,
  // 10 s, not 60 s: the overrun simulation (docs/performance.md) shows clients still calling on a
  // TIGHT answer cached 60 s after the quota ran out (0.65 % over in scenario (a), 0.28 % at 10 s).
  refreshIntervalTightSecs: 10,
  weekStartsOn: DEFAULT_WEEK_START,
  alertThresholdsPct: [...DEFAULT_ALERT_THRESHOLDS_PCT],
  anomalyFactor: DEFAULT_ANOMALY_FACTOR,
  rollupTagKeys: [],
};

/** Quotas: label -> integer micro-USD per org day. */
export type Quotas = Record<string, number>;

export interface Org {
  orgId: string;
  orgName: string;
  timezone: string;
  quotaScope: QuotaScope;
  modelOrdering: string[];
  quotas: Quotas;
  /** Caps on the whole org's spend per window (README, "Budgets"): the org's own in ORG scope, the sum of its apps in APP scope. */
  budgets: Budget[];
  settings: OrgSettings;
  createdAt: string;
  updatedAt: string;
}

/** What an app may override. Timezone, quota scope and shard count always come from the org. */
export interface AppOverrides {
  modelOrdering?: string[];
  quotas?: Quotas;
  tightModeThresholdPct?: number;
  refreshIntervalNormalSecs?: number;
  refreshIntervalTightSecs?: number;
  /** The app's own budgets (APP scope only). */
  budgets?: Budget[];
  /** The app's own alert thresholds (APP scope only). */
  alertThresholdsPct?: number[];
}

export interface App {
  orgId: string;
  appId: string;
  appName: string;
  overrides: AppOverrides;
  createdAt: string;
  updatedAt: string;
}

/** An app's configuration after laying its overrides on the org's. Everything else reads only this. */
export interface EffectiveConfig {
  orgId: string;
  appId: string;
  timezone: string;
  quotaScope: QuotaScope;
  scopeKey: string;
  modelOrdering: string[];
  quotas: Quotas;
  tightModeThresholdPct: number;
  aggShardCount: ShardCount;
  stickyFallbackEnabled: boolean;
  refreshIntervalNormalSecs: number;
  refreshIntervalTightSecs: number;
  /** The day the org's weeks start on (WEEK budgets). */
  weekStartsOn: WeekStart;
  /** The org's budgets: in ORG scope over the org's spend, in APP scope over the sum of its apps. */
  orgBudgets: Budget[];
  /** The app's own budgets (APP scope only; empty otherwise). */
  appBudgets: Budget[];
  /** Alert thresholds of the app's lines: the app's own in APP scope, else the org's. */
  alertThresholdsPct: number[];
  anomalyFactor: number;
  /** Names of the fields taken from the org rather than the app. */
  inheritedFields: string[];
}

/** Names that would alias Object.prototype members (constructor, toString, __proto__...) are never labels. */
export function isPrototypeKey(name: string): boolean {
  return name in Object.prototype;
}

export const ORG_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const APP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Org ids are UUIDs of any version, lower-cased on input. Returns undefined when not a UUID. */
export function normalizeOrgId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const id = raw.toLowerCase();
  return ORG_ID_PATTERN.test(id) ? id : undefined;
}

export function isValidAppId(raw: unknown): raw is string {
  return typeof raw === 'string' && APP_ID_PATTERN.test(raw);
}

/** Scope key: `ORG#{org}` in ORG scope, `ORG#{org}#APP#{app}` in APP scope. */
export function scopeKeyFor(scope: QuotaScope, orgId: string, appId: string): string {
  return scope === 'ORG' ? `ORG#${orgId}` : `ORG#${orgId}#APP#${appId}`;
}

/**
 * Where an org's own spend is kept: its scope key in ORG scope; in APP scope the roll-up of all its
 * apps that the aggregator keeps under the same key (no counter is written there in APP scope).
 */
export function orgSpendScopeKey(orgId: string): string {
  return `ORG#${orgId}`;
}

/** Splits a scope key back into its ids. */
export function parseScopeKey(scopeKey: string): { orgId: string; appId?: string } {
  const parts = scopeKey.split('#');
  if (parts[0] !== 'ORG' || !parts[1]) throw new Error(`Not a scope key: ${scopeKey}`);
  if (parts.length === 2) return { orgId: parts[1] };
  if (parts.length === 4 && parts[2] === 'APP' && parts[3]) return { orgId: parts[1], appId: parts[3] };
  throw new Error(`Not a scope key: ${scopeKey}`);
}

/**
 * Lays the app's overrides on the org's configuration (pure). Without an app: the org's own
 * configuration (what ORG-scope counters and the org views are governed by), `appId` empty.
 */
export function resolveEffectiveConfig(
  org: Org,
  app: Pick<App, 'appId' | 'overrides'> = { appId: '', overrides: {} },
): EffectiveConfig {
  const o = app.overrides;
  const inherited: string[] = ['timezone', 'quota_scope', 'agg_shard_count', 'sticky_fallback_enabled'];
  const pick = <T>(name: string, own: T | undefined, fromOrg: T): T => {
    if (own === undefined) {
      inherited.push(name);
      return fromOrg;
    }
    return own;
  };
  const modelOrdering = pick('model_ordering', o.modelOrdering, org.modelOrdering);
  let quotas: Quotas;
  if (org.quotaScope === 'APP' && o.quotas !== undefined) {
    quotas = { ...org.quotas, ...o.quotas };
  } else {
    inherited.push('quotas');
    quotas = { ...org.quotas };
  }
  return {
    orgId: org.orgId,
    appId: app.appId,
    timezone: org.timezone,
    quotaScope: org.quotaScope,
    scopeKey: scopeKeyFor(org.quotaScope, org.orgId, app.appId),
    modelOrdering: [...modelOrdering],
    quotas,
    tightModeThresholdPct: pick(
      'tight_mode_threshold_pct',
      o.tightModeThresholdPct,
      org.settings.tightModeThresholdPct,
    ),
    aggShardCount: org.settings.aggShardCount,
    stickyFallbackEnabled: org.settings.stickyFallbackEnabled,
    refreshIntervalNormalSecs: pick(
      'refresh_interval_secs',
      o.refreshIntervalNormalSecs,
      org.settings.refreshIntervalNormalSecs,
    ),
    refreshIntervalTightSecs: pick(
      'refresh_interval_tight_secs',
      o.refreshIntervalTightSecs,
      org.settings.refreshIntervalTightSecs,
    ),
    weekStartsOn: org.settings.weekStartsOn ?? DEFAULT_WEEK_START,
    orgBudgets: (org.budgets ?? []).map((b) => ({ ...b })),
    appBudgets: org.quotaScope === 'APP' ? (o.budgets ?? []).map((b) => ({ ...b })) : [],
    alertThresholdsPct: [
      ...((org.quotaScope === 'APP' ? o.alertThresholdsPct : undefined) ??
        org.settings.alertThresholdsPct ??
        DEFAULT_ALERT_THRESHOLDS_PCT),
    ],
    anomalyFactor: org.settings.anomalyFactor ?? DEFAULT_ANOMALY_FACTOR,
    inheritedFields: inherited.sort(),
  };
}
