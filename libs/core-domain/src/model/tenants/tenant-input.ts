import { MAX_ALERT_THRESHOLDS, MAX_THRESHOLD_PCT } from '../alerts/alert-rules.js';
import { checkBudgetsDistinct, parseBudgets, type Budget } from '../budgets/budget.entity.js';
import { type ServiceConfig } from '../config/service-config.js';
import { FieldProblems, InvalidConfigError } from '../errors.js';
import { PROFILE_LABEL_PATTERN } from '../profiles/inference-profile.entity.js';
import { WEEK_STARTS, type WeekStart } from '../time/budget-window.js';
import { isValidTimezone } from '../time/org-time.js';
import { TAG_KEY_PATTERN } from '../usage/usage-event.js';
import { MAX_ROLLUP_TAG_KEYS } from '../usage/rollup.js';
import {
  isPrototypeKey,
  QUOTA_SCOPES,
  resolveEffectiveConfig,
  SHARD_COUNTS,
  type App,
  type AppOverrides,
  type EffectiveConfig,
  type Org,
  type OrgSettings,
  type QuotaScope,
  type Quotas,
  type ShardCount,
} from './tenant.entity.js';

/**
 * Provisioning input, parsed and checked beside the entities it makes (as usage-event.ts does for
 * usage): INVALID_REQUEST for shapes and formats (every problem listed by wire name), INVALID_CONFIG
 * for a configuration that cannot work.
 */
export interface OrgInput {
  orgName: string;
  timezone: string;
  quotaScope: QuotaScope;
  /** Defaults to the config's default ordering. */
  modelOrdering?: string[];
  /** Defaults to the config's default quotas. */
  quotas?: Quotas;
  /** Org budgets (README, "Budgets"): `{ window, limitUsdMicros, label? }`, at most 10. */
  budgets?: unknown;
  /** `MONDAY` (default) or `SUNDAY`. */
  weekStartsOn?: unknown;
  /** Alert thresholds, percent of each line's limit (default 50, 80, 100). */
  alertThresholdsPct?: unknown;
  /** Spend-anomaly factor (default 3; 0 = off). */
  anomalyFactor?: unknown;
  /** Tag keys kept in daily rollups (up to 5 distinct usage tag keys); default none. */
  rollupTagKeys?: unknown;
  overrides?: {
    tightModeThresholdPct?: number;
    aggShardCount?: number;
    stickyFallbackEnabled?: boolean;
    refreshIntervalNormalSecs?: number;
    refreshIntervalTightSecs?: number;
  };
}

export interface AppInput {
  appName: string;
  modelOrdering?: string[];
  quotas?: Quotas;
  /** App budgets (APP scope only). */
  budgets?: unknown;
  /** The app's alert thresholds (APP scope only). */
  alertThresholdsPct?: unknown;
  overrides?: {
    tightModeThresholdPct?: number;
    refreshIntervalNormalSecs?: number;
    refreshIntervalTightSecs?: number;
  };
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const MAX_QUOTA = 1_000_000_000_000_000; // 10^9 USD in micro-USD: far beyond any budget, inside safe integers

function checkOrdering(p: FieldProblems, field: string, v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length < 1 || v.length > 20) {
    p.add(field, 'must be a list of 1 to 20 labels');
    return undefined;
  }
  const seen = new Set<string>();
  for (const [i, l] of v.entries()) {
    if (typeof l !== 'string' || !PROFILE_LABEL_PATTERN.test(l))
      p.add(`${field}[${i}]`, 'must be a label name');
    else if (seen.has(l)) p.add(`${field}[${i}]`, `repeats label '${l}'`);
    else seen.add(l);
  }
  return v as string[];
}

function checkQuotas(p: FieldProblems, field: string, v: unknown): Quotas | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    p.add(field, 'must be an object of label -> integer micro-USD');
    return undefined;
  }
  for (const [label, q] of Object.entries(v)) {
    if (!PROFILE_LABEL_PATTERN.test(label) || isPrototypeKey(label))
      p.add(`${field}.${label}`, 'is not a label name');
    if (!isInt(q, 0, MAX_QUOTA)) p.add(`${field}.${label}`, 'must be an integer >= 0 (micro-USD)');
  }
  return v as Quotas;
}

/** 1..10 distinct integers of 1..1000, kept ascending. */
function checkThresholds(p: FieldProblems, field: string, v: unknown): number[] | undefined {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_ALERT_THRESHOLDS) {
    p.add(field, `must be a list of 1 to ${MAX_ALERT_THRESHOLDS} integers`);
    return undefined;
  }
  let ok = true;
  v.forEach((t, i) => {
    if (!isInt(t, 1, MAX_THRESHOLD_PCT)) {
      p.add(`${field}[${i}]`, `must be an integer from 1 to ${MAX_THRESHOLD_PCT}`);
      ok = false;
    }
  });
  if (!ok) return undefined;
  const out = [...new Set(v as number[])].sort((a, b) => a - b);
  if (out.length !== v.length) {
    p.add(field, 'must not repeat a threshold');
    return undefined;
  }
  return out;
}

/** 0..5 distinct usage tag keys (rollup_tag_keys). */
function checkRollupTagKeys(p: FieldProblems, v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length > MAX_ROLLUP_TAG_KEYS) {
    p.add('rollup_tag_keys', `must be a list of at most ${MAX_ROLLUP_TAG_KEYS} tag keys`);
    return undefined;
  }
  const seen = new Set<string>();
  v.forEach((k, i) => {
    if (typeof k !== 'string' || !TAG_KEY_PATTERN.test(k))
      p.add(`rollup_tag_keys[${i}]`, `must be a tag key matching ${TAG_KEY_PATTERN}`);
    else if (seen.has(k)) p.add(`rollup_tag_keys[${i}]`, `repeats tag key '${k}'`);
    else seen.add(k);
  });
  return [...seen];
}

/** One rule per override: its wire name and its check. */
const OVERRIDE_RULES: Record<string, { wire: string; ok: (v: unknown) => boolean; message: string }> = {
  tightModeThresholdPct: {
    wire: 'tight_mode_threshold_pct',
    ok: (v) => isInt(v, 50, 100),
    message: 'must be an integer from 50 to 100',
  },
  aggShardCount: {
    wire: 'agg_shard_count',
    ok: (v) => SHARD_COUNTS.includes(v as ShardCount),
    message: 'must be one of 8, 16, 32, 64',
  },
  stickyFallbackEnabled: {
    wire: 'sticky_fallback_enabled',
    ok: (v) => typeof v === 'boolean',
    message: 'must be true or false',
  },
  refreshIntervalNormalSecs: {
    wire: 'refresh_interval_secs',
    ok: (v) => isInt(v, 10, 3600),
    message: 'must be an integer from 10 to 3600',
  },
  refreshIntervalTightSecs: {
    wire: 'refresh_interval_tight_secs',
    ok: (v) => isInt(v, 10, 3600),
    message: 'must be an integer from 10 to 3600',
  },
};

/**
 * Checks `overrides` against the rules of the fields it may hold (org: all, app: a subset). Returns
 * the valid ones; problems are added to `p`.
 */
function checkOverrides<K extends string>(
  p: FieldProblems,
  raw: unknown,
  allowed: readonly K[],
): Partial<Record<K, never>> {
  const out: Record<string, unknown> = {};
  if (raw === undefined) return out as Partial<Record<K, never>>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    p.add('overrides', 'must be an object');
    return out as Partial<Record<K, never>>;
  }
  checkUnknown(p, raw, [...allowed], 'overrides.');
  for (const name of allowed) {
    const v = (raw as Record<string, unknown>)[name];
    if (v === undefined) continue;
    const rule = OVERRIDE_RULES[name]!;
    if (rule.ok(v)) out[name] = v;
    else p.add(`overrides.${rule.wire}`, rule.message);
  }
  return out as Partial<Record<K, never>>;
}

/** A budget on one label must name a label the ordering (or the app's profiles) has: INVALID_CONFIG. */
function checkBudgetLabels(
  budgets: readonly Budget[],
  ordering: readonly string[],
  field: string,
  profileLabels: readonly string[] = [],
): void {
  for (const b of budgets) {
    if (b.label !== undefined && !ordering.includes(b.label) && !profileLabels.includes(b.label)) {
      throw new InvalidConfigError(
        `The ${b.window} budget in ${field} names label '${b.label}', which the model ordering does not have`,
        {
          field,
          label: b.label,
          model_ordering: [...ordering],
        },
      );
    }
  }
}

function checkUnknown(p: FieldProblems, obj: object, allowed: string[], prefix = ''): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) p.add(`${prefix}${k}`, 'is not a known field');
}

/**
 * Checks that an effective config can work: every label of the ordering is a config label or one
 * of the app's profiles, and has a quota. Throws INVALID_CONFIG naming the problem.
 */
export function checkEffectiveConfig(
  eff: Pick<EffectiveConfig, 'appId' | 'modelOrdering' | 'quotas'>,
  config: ServiceConfig,
  profileLabels: readonly string[],
): void {
  for (const label of eff.modelOrdering) {
    if (!Object.hasOwn(config.labels, label) && !profileLabels.includes(label)) {
      throw new InvalidConfigError(
        `Label '${label}' in the model ordering of app '${eff.appId}' is not defined`,
        {
          label,
          app_id: eff.appId,
          configured_labels: Object.keys(config.labels),
        },
      );
    }
    if (!Object.hasOwn(eff.quotas, label)) {
      throw new InvalidConfigError(`Label '${label}' of app '${eff.appId}' has no quota`, {
        label,
        app_id: eff.appId,
      });
    }
  }
}

/** Validates org input (INVALID_REQUEST for shapes and formats, INVALID_CONFIG for what cannot work). */
export function parseOrgInput(
  orgId: string,
  input: OrgInput,
  existing: Org | undefined,
  now: string,
  config: ServiceConfig,
): Org {
  const p = new FieldProblems();
  checkUnknown(p, input, [
    'orgName',
    'timezone',
    'quotaScope',
    'modelOrdering',
    'quotas',
    'budgets',
    'weekStartsOn',
    'alertThresholdsPct',
    'anomalyFactor',
    'rollupTagKeys',
    'overrides',
  ]);
  if (typeof input.orgName !== 'string' || input.orgName.trim().length < 1 || input.orgName.length > 128) {
    p.add('org_name', 'must be a string of 1 to 128 characters');
  }
  if (!isValidTimezone(input.timezone)) p.add('timezone', 'must be an IANA timezone such as Europe/Paris');
  if (!QUOTA_SCOPES.includes(input.quotaScope)) p.add('quota_scope', "must be 'ORG' or 'APP'");
  const ordering =
    input.modelOrdering === undefined
      ? [...config.defaults.modelOrdering]
      : checkOrdering(p, 'model_ordering', input.modelOrdering);
  const quotas =
    input.quotas === undefined ? { ...config.defaults.quotas } : checkQuotas(p, 'quotas', input.quotas);
  const o = checkOverrides(p, input.overrides, [
    'tightModeThresholdPct',
    'aggShardCount',
    'stickyFallbackEnabled',
    'refreshIntervalNormalSecs',
    'refreshIntervalTightSecs',
  ]) as NonNullable<OrgInput['overrides']>;
  const budgets = input.budgets === undefined ? [] : parseBudgets(p, 'budgets', input.budgets);
  if (input.weekStartsOn !== undefined && !WEEK_STARTS.includes(input.weekStartsOn as WeekStart))
    p.add('week_starts_on', "must be 'MONDAY' or 'SUNDAY'");
  const thresholds =
    input.alertThresholdsPct === undefined
      ? undefined
      : checkThresholds(p, 'alert_thresholds_pct', input.alertThresholdsPct);
  if (input.anomalyFactor !== undefined && !isInt(input.anomalyFactor, 0, 100))
    p.add('anomaly_factor', 'must be an integer from 0 (off) to 100');
  const rollupTagKeys =
    input.rollupTagKeys === undefined ? undefined : checkRollupTagKeys(p, input.rollupTagKeys);
  p.throwIfAny();

  for (const label of ordering!) {
    if (!Object.hasOwn(config.labels, label)) {
      throw new InvalidConfigError(`Label '${label}' in model_ordering is not a configured model label`, {
        label,
        configured_labels: Object.keys(config.labels),
      });
    }
    if (!Object.hasOwn(quotas!, label))
      throw new InvalidConfigError(`Label '${label}' has no quota`, { label });
  }
  checkBudgetsDistinct(budgets!, 'budgets');
  checkBudgetLabels(budgets!, ordering!, 'budgets');
  const d = config.defaults.settings;
  const shard =
    (o.aggShardCount as ShardCount | undefined) ?? existing?.settings.aggShardCount ?? d.aggShardCount;
  if (existing && shard !== existing.settings.aggShardCount) {
    throw new InvalidConfigError('agg_shard_count cannot change once the org exists', {
      agg_shard_count: existing.settings.aggShardCount,
    });
  }
  const settings: OrgSettings = {
    tightModeThresholdPct: o.tightModeThresholdPct ?? d.tightModeThresholdPct,
    aggShardCount: shard,
    stickyFallbackEnabled: o.stickyFallbackEnabled ?? d.stickyFallbackEnabled,
    refreshIntervalNormalSecs: o.refreshIntervalNormalSecs ?? d.refreshIntervalNormalSecs,
    refreshIntervalTightSecs: o.refreshIntervalTightSecs ?? d.refreshIntervalTightSecs,
    weekStartsOn: (input.weekStartsOn as WeekStart | undefined) ?? d.weekStartsOn,
    alertThresholdsPct: thresholds ?? [...d.alertThresholdsPct],
    anomalyFactor: (input.anomalyFactor as number | undefined) ?? d.anomalyFactor,
    rollupTagKeys: rollupTagKeys ?? [...(d.rollupTagKeys ?? [])],
  };
  return {
    orgId,
    orgName: input.orgName.trim(),
    timezone: input.timezone,
    quotaScope: input.quotaScope,
    modelOrdering: [...ordering!],
    quotas: { ...quotas! },
    budgets: budgets!,
    settings,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}

/** Validates app input against its org (INVALID_REQUEST for shapes, INVALID_CONFIG for what cannot work). */
export function parseAppInput(
  org: Org,
  appId: string,
  input: AppInput,
  existing: App | undefined,
  now: string,
  config: ServiceConfig,
  profileLabels: string[],
): App {
  const p = new FieldProblems();
  checkUnknown(p, input, [
    'appName',
    'modelOrdering',
    'quotas',
    'budgets',
    'alertThresholdsPct',
    'overrides',
  ]);
  if (typeof input.appName !== 'string' || input.appName.trim().length < 1 || input.appName.length > 128) {
    p.add('app_name', 'must be a string of 1 to 128 characters');
  }
  const overrides: AppOverrides = {};
  if (input.modelOrdering !== undefined) {
    const o = checkOrdering(p, 'model_ordering', input.modelOrdering);
    if (o) overrides.modelOrdering = [...o];
  }
  if (input.quotas !== undefined) {
    const q = checkQuotas(p, 'quotas', input.quotas);
    if (q) overrides.quotas = { ...q };
  }
  Object.assign(
    overrides,
    checkOverrides(p, input.overrides, [
      'tightModeThresholdPct',
      'refreshIntervalNormalSecs',
      'refreshIntervalTightSecs',
    ]),
  );
  if (input.budgets !== undefined) {
    const b = parseBudgets(p, 'budgets', input.budgets);
    if (b) overrides.budgets = b;
  }
  if (input.alertThresholdsPct !== undefined) {
    const t = checkThresholds(p, 'alert_thresholds_pct', input.alertThresholdsPct);
    if (t) overrides.alertThresholdsPct = t;
  }
  p.throwIfAny();
  if (overrides.quotas !== undefined && org.quotaScope === 'ORG') {
    throw new InvalidConfigError('Quotas can be set on an app only when the org quota scope is APP', {
      quota_scope: org.quotaScope,
    });
  }
  if (overrides.alertThresholdsPct !== undefined && org.quotaScope === 'ORG') {
    throw new InvalidConfigError(
      'Alert thresholds can be set on an app only when the org quota scope is APP',
      {
        quota_scope: org.quotaScope,
      },
    );
  }
  if (overrides.budgets !== undefined && overrides.budgets.length > 0 && org.quotaScope === 'ORG') {
    throw new InvalidConfigError('Budgets can be set on an app only when the org quota scope is APP', {
      quota_scope: org.quotaScope,
    });
  }
  if (overrides.budgets !== undefined) {
    checkBudgetsDistinct(overrides.budgets, 'budgets');
    checkBudgetLabels(
      overrides.budgets,
      overrides.modelOrdering ?? org.modelOrdering,
      'budgets',
      profileLabels,
    );
  }
  const app: App = {
    orgId: org.orgId,
    appId,
    appName: input.appName.trim(),
    overrides,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  checkEffectiveConfig(resolveEffectiveConfig(org, app), config, profileLabels);
  return app;
}
