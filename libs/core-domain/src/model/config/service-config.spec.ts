import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ORG_SETTINGS } from '../tenants/tenant.entity.js';
import {
  DEFAULT_RATE_LIMITS,
  parseServiceConfig,
  RATE_LIMIT_NAMES,
  ServiceConfigError,
  validateServiceConfig,
} from './service-config.js';

type Raw = Record<string, unknown>;

/** A minimal valid raw config (as YAML would parse it). */
function aRawConfig(): Raw {
  return {
    labels: {
      premium: {
        bedrock_model_id: 'amazon.nova-pro-v1:0',
        description: 'Nova Pro',
        input_price_usd_micros_per_1m: 800_000,
        output_price_usd_micros_per_1m: 3_200_000,
      },
      standard: {
        bedrock_model_id: 'amazon.nova-2-lite-v1:0',
        input_price_usd_micros_per_1m: 330_000,
        output_price_usd_micros_per_1m: 2_750_000,
      },
      economy: {
        bedrock_model_id: 'amazon.nova-micro-v1:0',
        input_price_usd_micros_per_1m: 35_000,
        output_price_usd_micros_per_1m: 140_000,
      },
    },
    defaults: {
      model_ordering: ['premium', 'standard', 'economy'],
      quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
    },
  };
}

/** Applies `edit` to a fresh raw config and returns the ServiceConfigError it causes. */
function configError(edit: (raw: Raw) => void): ServiceConfigError {
  const raw = aRawConfig();
  edit(raw);
  try {
    validateServiceConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceConfigError);
    return e as ServiceConfigError;
  }
  throw new Error('expected validateServiceConfig to throw');
}

const labels = (raw: Raw) => raw.labels as Record<string, Raw>;
const defaults = (raw: Raw) => raw.defaults as Raw;

describe("rule: the repo's config.yaml parses and carries the default labels, prices and quotas of the README configuration", () => {
  const config = parseServiceConfig(readFileSync(join(process.cwd(), 'config.yaml'), 'utf8'));

  it('rule: default labels with their Bedrock model ids and prices (micro-USD per 1M tokens)', () => {
    expect(Object.keys(config.labels).sort()).toEqual(['economy', 'premium', 'standard']);
    expect(config.labels.premium).toMatchObject({
      bedrockModelId: 'amazon.nova-pro-v1:0',
      price: { inputPerMillion: 800_000, outputPerMillion: 3_200_000 },
    });
    expect(config.labels.standard).toMatchObject({
      bedrockModelId: 'amazon.nova-2-lite-v1:0',
      price: { inputPerMillion: 330_000, outputPerMillion: 2_750_000 },
    });
    expect(config.labels.economy).toMatchObject({
      bedrockModelId: 'amazon.nova-micro-v1:0',
      price: { inputPerMillion: 35_000, outputPerMillion: 140_000 },
    });
  });

  it('rule: default region us-east-1, ordering [premium, standard, economy], quotas 10000000 / 5000000 / 2000000', () => {
    expect(config.region).toBe('us-east-1');
    expect(config.defaults.modelOrdering).toEqual(['premium', 'standard', 'economy']);
    expect(config.defaults.quotas).toEqual({ premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 });
  });

  it('rule: default org settings are the documented defaults (README, Configuration), but a 10 s tight interval (issue #8)', () => {
    expect(config.defaults.settings).toEqual({
      weekStartsOn: 'MONDAY',
      alertThresholdsPct: [50, 80, 100],
      anomalyFactor: 3,
      rollupTagKeys: [],
      tightModeThresholdPct: 95,
      aggShardCount: 8,
      stickyFallbackEnabled: true,
      refreshIntervalNormalSecs: 300,
      refreshIntervalTightSecs: 10,
    });
  });

  it('rule: rate limits are the documented defaults (docs/operations.md)', () => {
    expect(config.rateLimits).toEqual({
      token: { limit: 120, windowSecs: 60 },
      token_failures: { limit: 30, windowSecs: 60 },
      refresh: { limit: 120, windowSecs: 60 },
      revoke: { limit: 60, windowSecs: 60 },
      provisioning_put: { limit: 600, windowSecs: 3600 },
      provisioning_get: { limit: 600, windowSecs: 60 },
      rotate: { limit: 60, windowSecs: 3600 },
      aggregates: { limit: 60, windowSecs: 60 },
      model_selection: { limit: 600, windowSecs: 60 },
      usage: { limit: 6000, windowSecs: 60 },
      usage_batch: { limit: 600, windowSecs: 60 },
      inference_profiles: { limit: 60, windowSecs: 60 },
      alerts: { limit: 120, windowSecs: 60 },
    });
  });
});

describe('rule: omitted settings are filled with the defaults', () => {
  it('rule: a minimal config gets region, request TTL, org settings, rate limits and no profile prices', () => {
    const config = validateServiceConfig(aRawConfig());
    expect(config.region).toBe('us-east-1');
    expect(config.requestTtlDays).toBe(7);
    expect(config.defaults.settings).toEqual(DEFAULT_ORG_SETTINGS);
    expect(config.profileFallbackPrices).toEqual({});
    for (const name of RATE_LIMIT_NAMES) {
      expect(config.rateLimits[name]).toEqual({
        limit: DEFAULT_RATE_LIMITS[name].limit,
        windowSecs: DEFAULT_RATE_LIMITS[name].window_secs,
      });
    }
  });

  it('rule: a label without a description is described by its name; cache prices stay absent unless set', () => {
    const config = validateServiceConfig(aRawConfig());
    expect(config.labels.standard!.description).toBe('standard');
    expect(config.labels.premium!.description).toBe('Nova Pro');
    expect(config.labels.premium!.price).toEqual({ inputPerMillion: 800_000, outputPerMillion: 3_200_000 });
  });

  it('rule: explicit values override the defaults', () => {
    const raw = aRawConfig();
    raw.region = 'eu-west-1';
    raw.request_ttl_days = 30;
    labels(raw).premium!.cache_read_price_usd_micros_per_1m = 200_000;
    labels(raw).premium!.cache_write_price_usd_micros_per_1m = 1_000_000;
    Object.assign(defaults(raw), {
      tight_mode_threshold_pct: 80,
      agg_shard_count: 32,
      sticky_fallback_enabled: false,
      refresh_interval_normal_secs: 120,
      refresh_interval_tight_secs: 15,
    });
    raw.rate_limits = { usage: { limit: 10, window_secs: 1 } };
    raw.profile_fallback_prices = {
      'my-profile': { input_price_usd_micros_per_1m: 1, output_price_usd_micros_per_1m: 2 },
    };
    const config = validateServiceConfig(raw);
    expect(config.region).toBe('eu-west-1');
    expect(config.requestTtlDays).toBe(30);
    expect(config.labels.premium!.price).toEqual({
      inputPerMillion: 800_000,
      outputPerMillion: 3_200_000,
      cacheReadPerMillion: 200_000,
      cacheWritePerMillion: 1_000_000,
    });
    expect(config.defaults.settings).toEqual({
      weekStartsOn: 'MONDAY',
      alertThresholdsPct: [50, 80, 100],
      anomalyFactor: 3,
      rollupTagKeys: [],
      tightModeThresholdPct: 80,
      aggShardCount: 32,
      stickyFallbackEnabled: false,
      refreshIntervalNormalSecs: 120,
      refreshIntervalTightSecs: 15,
    });
    expect(config.rateLimits.usage).toEqual({ limit: 10, windowSecs: 1 });
    expect(config.rateLimits.token).toEqual({ limit: 120, windowSecs: 60 });
    expect(config.profileFallbackPrices).toEqual({
      'my-profile': { inputPerMillion: 1, outputPerMillion: 2 },
    });
  });
});

describe('rule: a bad configuration is refused with a ServiceConfigError whose message names the key', () => {
  it('rule: the error carries the key, and the message is "<source>: <key> <problem>"', () => {
    const err = configError((raw) => {
      labels(raw).premium!.input_price_usd_micros_per_1m = -1;
    });
    expect(err.name).toBe('ServiceConfigError');
    expect(err.key).toBe('labels.premium.input_price_usd_micros_per_1m');
    expect(err.message).toBe(
      'config: labels.premium.input_price_usd_micros_per_1m must be an integer from 0 to 1000000000',
    );
  });

  it('rule: missing labels are refused', () => {
    expect(configError((raw) => delete raw.labels).key).toBe('labels');
    const empty = configError((raw) => {
      raw.labels = {};
    });
    expect(empty.key).toBe('labels');
    expect(empty.message).toMatch(/at least one label/);
  });

  it.each([
    ['input_price_usd_micros_per_1m', 1.5],
    ['input_price_usd_micros_per_1m', '800000'],
    ['input_price_usd_micros_per_1m', undefined],
    ['output_price_usd_micros_per_1m', 1_000_000_001],
    ['output_price_usd_micros_per_1m', -3],
    ['cache_read_price_usd_micros_per_1m', 'cheap'],
    ['cache_write_price_usd_micros_per_1m', -1],
  ])('rule: a bad price names its key (labels.standard.%s = %p)', (field, value) => {
    const err = configError((raw) => {
      labels(raw).standard![field] = value;
    });
    expect(err.key).toBe(`labels.standard.${field}`);
    expect(err.message).toContain(`labels.standard.${field}`);
  });

  it('rule: a label without a Bedrock model id is refused', () => {
    expect(configError((raw) => delete labels(raw).economy!.bedrock_model_id).key).toBe(
      'labels.economy.bedrock_model_id',
    );
  });

  it('rule: a label name outside ^[a-z0-9][a-z0-9_-]{0,49}$ is refused', () => {
    const err = configError((raw) => {
      labels(raw).Premium = labels(raw).premium!;
    });
    expect(err.key).toBe('labels.Premium');
  });

  it('rule: unknown keys are refused at every level', () => {
    expect(configError((raw) => (raw.colour = 'blue')).key).toBe('colour');
    expect(configError((raw) => (labels(raw).premium!.colour = 'blue')).key).toBe('labels.premium.colour');
    expect(configError((raw) => (defaults(raw).colour = 'blue')).key).toBe('defaults.colour');
    expect(configError((raw) => (raw.rate_limits = { tokens: { limit: 1, window_secs: 1 } })).key).toBe(
      'rate_limits.tokens',
    );
    expect(
      configError((raw) => (raw.rate_limits = { token: { limit: 1, window_secs: 1, burst: 2 } })).key,
    ).toBe('rate_limits.token.burst');
  });

  it('rule: an ordering naming an unknown label is refused', () => {
    const err = configError((raw) => {
      defaults(raw).model_ordering = ['premium', 'ultra'];
    });
    expect(err.key).toBe('defaults.model_ordering[1]');
    expect(err.message).toContain("'ultra'");
  });

  it('rule: an ordering that repeats a label is refused (orderings have no repeats)', () => {
    // Orgs created without an ordering copy this list, bypassing provisioning's no-repeats check.
    const err = configError((raw) => {
      defaults(raw).model_ordering = ['premium', 'standard', 'premium'];
    });
    expect(err.key).toBe('defaults.model_ordering[2]');
  });

  it('rule: an empty or missing ordering is refused', () => {
    expect(configError((raw) => (defaults(raw).model_ordering = [])).key).toBe('defaults.model_ordering');
    expect(configError((raw) => delete defaults(raw).model_ordering).key).toBe('defaults.model_ordering');
  });

  it('rule: a label of the ordering without a quota is refused', () => {
    const err = configError((raw) => {
      delete (defaults(raw).quotas as Raw).economy;
    });
    expect(err.key).toBe('defaults.quotas.economy');
    expect(err.message).toContain('defaults.quotas.economy');
  });

  it('rule: a quota for a label outside the ordering, or a negative quota, is refused', () => {
    expect(
      configError((raw) => {
        defaults(raw).model_ordering = ['premium', 'standard'];
      }).key,
    ).toBe('defaults.quotas.economy');
    expect(configError((raw) => ((defaults(raw).quotas as Raw).premium = -1)).key).toBe(
      'defaults.quotas.premium',
    );
  });

  it('rule: a quota of 0 is allowed', () => {
    const raw = aRawConfig();
    (defaults(raw).quotas as Raw).premium = 0;
    expect(validateServiceConfig(raw).defaults.quotas.premium).toBe(0);
  });

  it.each([0, 4, 12, 128, '8'])('rule: a shard count outside 8, 16, 32, 64 is refused (%p)', (value) => {
    const err = configError((raw) => {
      defaults(raw).agg_shard_count = value;
    });
    expect(err.key).toBe('defaults.agg_shard_count');
    expect(err.message).toContain('8, 16, 32, 64');
  });

  it.each([8, 16, 32, 64])('rule: shard count %p is accepted', (value) => {
    const raw = aRawConfig();
    defaults(raw).agg_shard_count = value;
    expect(validateServiceConfig(raw).defaults.settings.aggShardCount).toBe(value);
  });

  it('rule: the tight threshold must be 50..100', () => {
    expect(configError((raw) => (defaults(raw).tight_mode_threshold_pct = 49)).key).toBe(
      'defaults.tight_mode_threshold_pct',
    );
    expect(configError((raw) => (defaults(raw).tight_mode_threshold_pct = 101)).key).toBe(
      'defaults.tight_mode_threshold_pct',
    );
    const raw = aRawConfig();
    defaults(raw).tight_mode_threshold_pct = 50;
    expect(validateServiceConfig(raw).defaults.settings.tightModeThresholdPct).toBe(50);
  });

  it('rule: sticky_fallback_enabled must be a boolean', () => {
    expect(configError((raw) => (defaults(raw).sticky_fallback_enabled = 'yes')).key).toBe(
      'defaults.sticky_fallback_enabled',
    );
  });

  it('rule: a bad region is refused', () => {
    expect(configError((raw) => (raw.region = 'US-EAST-1')).key).toBe('region');
  });

  it('rule: a profile fallback price may not reuse a model label', () => {
    const err = configError((raw) => {
      raw.profile_fallback_prices = {
        premium: { input_price_usd_micros_per_1m: 1, output_price_usd_micros_per_1m: 1 },
      };
    });
    expect(err.key).toBe('profile_fallback_prices.premium');
  });

  it('rule: a config that is not a mapping is refused', () => {
    expect(() => validateServiceConfig(null)).toThrow(ServiceConfigError);
    expect(() => validateServiceConfig(['labels'])).toThrow(/\(root\) must be a mapping/);
  });
});

describe('rule: config.yaml text is parsed as YAML and validated; errors name the file and key', () => {
  it('rule: bad YAML is refused naming the file', () => {
    let err: unknown;
    try {
      parseServiceConfig('labels: [premium\n  defaults: {', 'my-config.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServiceConfigError);
    expect((err as ServiceConfigError).key).toBe('(file)');
    expect((err as ServiceConfigError).message).toMatch(/^my-config\.yaml: \(file\) is not valid YAML/);
  });

  it('rule: an empty file is refused', () => {
    expect(() => parseServiceConfig('')).toThrow(ServiceConfigError);
  });

  it('rule: a validation error from YAML text names the source file and the key', () => {
    const yaml = [
      'labels:',
      '  premium:',
      '    bedrock_model_id: amazon.nova-pro-v1:0',
      '    input_price_usd_micros_per_1m: lots',
      '    output_price_usd_micros_per_1m: 3200000',
      'defaults:',
      '  model_ordering: [premium]',
      '  quotas: { premium: 1 }',
    ].join('\n');
    expect(() => parseServiceConfig(yaml)).toThrow(
      'config.yaml: labels.premium.input_price_usd_micros_per_1m must be an integer',
    );
  });

  it('rule: valid YAML text gives the validated config', () => {
    const yaml = [
      'labels:',
      '  premium: { bedrock_model_id: amazon.nova-pro-v1:0, input_price_usd_micros_per_1m: 800000, output_price_usd_micros_per_1m: 3200000 }',
      'defaults:',
      '  model_ordering: [premium]',
      '  quotas: { premium: 10000000 }',
    ].join('\n');
    const config = parseServiceConfig(yaml);
    expect(config.defaults.modelOrdering).toEqual(['premium']);
    expect(config.labels.premium!.price.inputPerMillion).toBe(800_000);
  });
});
