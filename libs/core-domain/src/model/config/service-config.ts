import { parse as parseYaml } from 'yaml';
import { type LabelPrice } from '../money/pricing.js';
import { DEFAULT_ORG_SETTINGS, type OrgSettings, type Quotas } from '../tenants/tenant.entity.js';

export interface LabelDefinition {
  label: string;
  bedrockModelId: string;
  description: string;
  price: LabelPrice;
}

export interface RateLimit {
  limit: number;
  windowSecs: number;
}

export const RATE_LIMIT_NAMES = [
  'token',
  'token_failures',
  'refresh',
  'revoke',
  'provisioning_put',
  'provisioning_get',
  'rotate',
  'aggregates',
  'model_selection',
  'usage',
  'usage_batch',
  'inference_profiles',
  'alerts',
] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

/** The validated content of config.yaml. */
export interface ServiceConfig {
  region: string;
  requestTtlDays: number;
  /** How long usage records stay readable (records, export), in days (1..400, default 35). */
  usageRecordRetentionDays: number;
  labels: Record<string, LabelDefinition>;
  /** Fallback prices for inference-profile labels when the profile lookup fails. */
  profileFallbackPrices: Record<string, LabelPrice>;
  defaults: {
    modelOrdering: string[];
    quotas: Quotas;
    settings: OrgSettings;
  };
  rateLimits: Record<RateLimitName, RateLimit>;
}

/** A bad configuration: the message names the key. */
export class ServiceConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    source = 'config',
  ) {
    super(`${source}: ${key} ${problem}`);
    this.name = 'ServiceConfigError';
  }
}

export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,49}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

type Obj = Record<string, unknown>;

class Reader {
  constructor(private readonly source: string) {}
  fail(key: string, problem: string): never {
    throw new ServiceConfigError(key, problem, this.source);
  }
  obj(v: unknown, key: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'must be a mapping');
    return v as Obj;
  }
  only(o: Obj, key: string, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.fail(key ? `${key}.${k}` : k, `is not a known key (allowed: ${allowed.join(', ')})`);
    }
  }
  int(v: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(key, `must be an integer from ${min} to ${max}`);
    }
    return v;
  }
  str(v: unknown, key: string, pattern?: RegExp): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(key, 'must be a non-empty string');
    if (pattern && !pattern.test(v)) this.fail(key, `must match ${pattern}`);
    return v;
  }
  bool(v: unknown, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }
}

const MAX_PRICE = 1_000_000_000;

function readPrice(r: Reader, o: Obj, key: string): LabelPrice {
  const price: LabelPrice = {
    inputPerMillion: r.int(
      o.input_price_usd_micros_per_1m,
      `${key}.input_price_usd_micros_per_1m`,
      0,
      MAX_PRICE,
    ),
    outputPerMillion: r.int(
      o.output_price_usd_micros_per_1m,
      `${key}.output_price_usd_micros_per_1m`,
      0,
      MAX_PRICE,
    ),
  };
  if (o.cache_read_price_usd_micros_per_1m !== undefined) {
    price.cacheReadPerMillion = r.int(
      o.cache_read_price_usd_micros_per_1m,
      `${key}.cache_read_price_usd_micros_per_1m`,
      0,
      MAX_PRICE,
    );
  }
  if (o.cache_write_price_usd_micros_per_1m !== undefined) {
    price.cacheWritePerMillion = r.int(
      o.cache_write_price_usd_micros_per_1m,
      `${key}.cache_write_price_usd_micros_per_1m`,
      0,
      MAX_PRICE,
    );
  }
  return price;
}

const PRICE_KEYS = [
  'input_price_usd_micros_per_1m',
  'output_price_usd_micros_per_1m',
  'cache_read_price_usd_micros_per_1m',
  'cache_write_price_usd_micros_per_1m',
];

/** Validates a parsed config object. Throws ServiceConfigError naming the first bad key. */
export function validateServiceConfig(raw: unknown, source = 'config'): ServiceConfig {
  const r = new Reader(source);
  const root = r.obj(raw ?? undefined, '(root)');
  r.only(root, '', [
    'region',
    'request_ttl_days',
    'usage_record_retention_days',
    'labels',
    'profile_fallback_prices',
    'defaults',
    'rate_limits',
  ]);
  const region = root.region === undefined ? 'us-east-1' : r.str(root.region, 'region', REGION_PATTERN);
  const requestTtlDays =
    root.request_ttl_days === undefined ? 7 : r.int(root.request_ttl_days, 'request_ttl_days', 2, 400);

  const usageRecordRetentionDays =
    root.usage_record_retention_days === undefined
      ? 35
      : r.int(root.usage_record_retention_days, 'usage_record_retention_days', 1, 400);

  const labelsRaw = r.obj(root.labels, 'labels');
  const labels: Record<string, LabelDefinition> = {};
  for (const [label, defRaw] of Object.entries(labelsRaw)) {
    const key = `labels.${label}`;
    if (!LABEL_PATTERN.test(label) || label in Object.prototype)
      r.fail(key, `is not a valid label name (${LABEL_PATTERN})`);
    const def = r.obj(defRaw, key);
    r.only(def, key, ['bedrock_model_id', 'description', ...PRICE_KEYS]);
    labels[label] = {
      label,
      bedrockModelId: r.str(def.bedrock_model_id, `${key}.bedrock_model_id`),
      description: def.description === undefined ? label : r.str(def.description, `${key}.description`),
      price: readPrice(r, def, key),
    };
  }
  if (Object.keys(labels).length === 0) r.fail('labels', 'must define at least one label');

  const profileFallbackPrices: Record<string, LabelPrice> = {};
  if (root.profile_fallback_prices !== undefined && root.profile_fallback_prices !== null) {
    const pf = r.obj(root.profile_fallback_prices, 'profile_fallback_prices');
    for (const [label, pRaw] of Object.entries(pf)) {
      const key = `profile_fallback_prices.${label}`;
      if (labels[label]) r.fail(key, 'clashes with a model label of the same name');
      const p = r.obj(pRaw, key);
      r.only(p, key, PRICE_KEYS);
      profileFallbackPrices[label] = readPrice(r, p, key);
    }
  }

  const d = r.obj(root.defaults, 'defaults');
  r.only(d, 'defaults', [
    'model_ordering',
    'quotas',
    'tight_mode_threshold_pct',
    'agg_shard_count',
    'sticky_fallback_enabled',
    'refresh_interval_normal_secs',
    'refresh_interval_tight_secs',
  ]);
  if (!Array.isArray(d.model_ordering) || d.model_ordering.length === 0) {
    r.fail('defaults.model_ordering', 'must be a non-empty list of labels');
  }
  const modelOrdering = (d.model_ordering as unknown[]).map((l, i) => {
    const label = r.str(l, `defaults.model_ordering[${i}]`);
    if (!labels[label]) r.fail(`defaults.model_ordering[${i}]`, `names unknown label '${label}'`);
    if ((d.model_ordering as unknown[]).indexOf(label) !== i) {
      r.fail(`defaults.model_ordering[${i}]`, `repeats label '${label}'`);
    }
    return label;
  });
  const quotasRaw = r.obj(d.quotas, 'defaults.quotas');
  const quotas: Quotas = {};
  for (const label of modelOrdering) {
    quotas[label] = r.int(quotasRaw[label], `defaults.quotas.${label}`, 0);
  }
  for (const label of Object.keys(quotasRaw)) {
    if (!modelOrdering.includes(label))
      r.fail(`defaults.quotas.${label}`, 'is not in defaults.model_ordering');
  }
  const shard = d.agg_shard_count === undefined ? DEFAULT_ORG_SETTINGS.aggShardCount : d.agg_shard_count;
  if (![8, 16, 32, 64].includes(shard as number))
    r.fail('defaults.agg_shard_count', 'must be one of 8, 16, 32, 64');
  const settings: OrgSettings = {
    tightModeThresholdPct:
      d.tight_mode_threshold_pct === undefined
        ? DEFAULT_ORG_SETTINGS.tightModeThresholdPct
        : r.int(d.tight_mode_threshold_pct, 'defaults.tight_mode_threshold_pct', 50, 100),
    aggShardCount: shard as OrgSettings['aggShardCount'],
    weekStartsOn: DEFAULT_ORG_SETTINGS.weekStartsOn,
    alertThresholdsPct: [...DEFAULT_ORG_SETTINGS.alertThresholdsPct],
    anomalyFactor: DEFAULT_ORG_SETTINGS.anomalyFactor,
    rollupTagKeys: [],
    stickyFallbackEnabled:
      d.sticky_fallback_enabled === undefined
        ? true
        : r.bool(d.sticky_fallback_enabled, 'defaults.sticky_fallback_enabled'),
    refreshIntervalNormalSecs:
      d.refresh_interval_normal_secs === undefined
        ? DEFAULT_ORG_SETTINGS.refreshIntervalNormalSecs
        : r.int(d.refresh_interval_normal_secs, 'defaults.refresh_interval_normal_secs', 10, 3600),
    refreshIntervalTightSecs:
      d.refresh_interval_tight_secs === undefined
        ? DEFAULT_ORG_SETTINGS.refreshIntervalTightSecs
        : r.int(d.refresh_interval_tight_secs, 'defaults.refresh_interval_tight_secs', 10, 3600),
  };

  const rl = r.obj(root.rate_limits ?? {}, 'rate_limits');
  r.only(rl, 'rate_limits', [...RATE_LIMIT_NAMES]);
  const rateLimits = {} as Record<RateLimitName, RateLimit>;
  for (const name of RATE_LIMIT_NAMES) {
    const raw = rl[name] ?? DEFAULT_RATE_LIMITS[name];
    const key = `rate_limits.${name}`;
    const o = r.obj(raw, key);
    r.only(o, key, ['limit', 'window_secs']);
    rateLimits[name] = {
      limit: r.int(o.limit, `${key}.limit`, 1),
      windowSecs: r.int(o.window_secs, `${key}.window_secs`, 1, 86400),
    };
  }

  return {
    region,
    requestTtlDays,
    usageRecordRetentionDays,
    labels,
    profileFallbackPrices,
    defaults: { modelOrdering, quotas, settings },
    rateLimits,
  };
}

/** Rate-limit defaults (documented in docs/operations.md and config.yaml). */
export const DEFAULT_RATE_LIMITS: Record<RateLimitName, { limit: number; window_secs: number }> = {
  token: { limit: 120, window_secs: 60 },
  token_failures: { limit: 30, window_secs: 60 },
  refresh: { limit: 120, window_secs: 60 },
  revoke: { limit: 60, window_secs: 60 },
  provisioning_put: { limit: 600, window_secs: 3600 },
  provisioning_get: { limit: 600, window_secs: 60 },
  rotate: { limit: 60, window_secs: 3600 },
  aggregates: { limit: 60, window_secs: 60 },
  model_selection: { limit: 600, window_secs: 60 },
  usage: { limit: 6000, window_secs: 60 },
  usage_batch: { limit: 600, window_secs: 60 },
  inference_profiles: { limit: 60, window_secs: 60 },
  alerts: { limit: 120, window_secs: 60 },
};

/** Parses config.yaml text and validates it. Throws ServiceConfigError naming the key. */
export function parseServiceConfig(yamlText: string, source = 'config.yaml'): ServiceConfig {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    throw new ServiceConfigError(
      '(file)',
      `is not valid YAML: ${(e as Error).message.split('\n')[0]}`,
      source,
    );
  }
  return validateServiceConfig(raw, source);
}
