import { describe, expect, it } from '@jest/globals';
import { loadServiceConfig, loadSettings, SettingsError } from './settings.js';

const KEY = 'a-provisioning-key-0123456789-abcdefgh';
const SECRET = 'a-jwt-secret-0123456789-abcdefghijklmn';
const base = { PROVISIONING_API_KEY: KEY, JWT_SECRET: SECRET };

const failure = (env: Record<string, string>) => {
  try {
    loadSettings(env);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as SettingsError).message;
  }
  throw new Error('expected a SettingsError');
};

describe('settings from the environment (README.md, "Environment")', () => {
  it('has the documented defaults', () => {
    expect(loadSettings(base)).toEqual({
      port: 8080,
      storage: 'dynamodb',
      awsRegion: 'us-east-1',
      tableName: 'bedrock-cost-keeper',
      provisioningApiKey: KEY,
      jwtSecret: SECRET,
      configFile: './config.yaml',
      aggregationIntervalSecs: 60,
      worker: 'separate',
      logLevel: 'info',
      rateLimits: true,
      pricingSource: 'config',
      webhookAllowPrivate: false,
      metricsHost: '127.0.0.1',
      metricsPort: 9464,
      metricsEmf: false,
      metricsEnvironment: 'local',
      metricsMaxSeries: 10_000,
    });
    expect(loadSettings({ ...base, STORAGE: 'memory' }).worker).toBe('in-process');
    expect(loadSettings({ ...base, WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(failure({ ...base, WEBHOOK_ALLOW_PRIVATE: 'yes' })).toMatch(/^WEBHOOK_ALLOW_PRIVATE/);
  });

  it('reads the metrics settings and names the variable when one is malformed', () => {
    const token = 'metrics-token-0123456789';
    expect(
      loadSettings({
        ...base,
        METRICS_TOKEN: token,
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: '0',
        METRICS_EMF: 'on',
        METRICS_ENVIRONMENT: 'prod',
        METRICS_MAX_SERIES: '50',
      }),
    ).toMatchObject({
      metricsToken: token,
      metricsHost: '0.0.0.0',
      metricsPort: 0,
      metricsEmf: true,
      metricsEnvironment: 'prod',
      metricsMaxSeries: 50,
    });
    expect(failure({ ...base, METRICS_TOKEN: 'short' })).toMatch(/^METRICS_TOKEN /);
    expect(failure({ ...base, METRICS_TOKEN: 'has a space in it, 0123456789' })).toMatch(/^METRICS_TOKEN /);
    expect(failure({ ...base, METRICS_HOST: 'a host' })).toMatch(/^METRICS_HOST /);
    expect(failure({ ...base, METRICS_PORT: '70000' })).toMatch(/^METRICS_PORT /);
    expect(failure({ ...base, METRICS_EMF: 'yes' })).toMatch(/^METRICS_EMF must be one of on, off/);
    expect(failure({ ...base, METRICS_ENVIRONMENT: 'pr od' })).toMatch(/^METRICS_ENVIRONMENT /);
    expect(failure({ ...base, METRICS_MAX_SERIES: '0' })).toMatch(/^METRICS_MAX_SERIES /);
  });

  it('names the variable when a required secret is missing or weak', () => {
    expect(failure({ JWT_SECRET: SECRET })).toMatch(/^PROVISIONING_API_KEY is required/);
    expect(failure({ PROVISIONING_API_KEY: KEY })).toMatch(/^JWT_SECRET is required/);
    expect(failure({ ...base, PROVISIONING_API_KEY: 'short' })).toMatch(/^PROVISIONING_API_KEY is too weak/);
    expect(failure({ ...base, JWT_SECRET: 'a'.repeat(40) })).toMatch(/^JWT_SECRET is too weak/);
  });

  it('names the variable when a setting is malformed', () => {
    expect(failure({ ...base, PORT: 'eighty' })).toMatch(/^PORT /);
    expect(failure({ ...base, STORAGE: 'redis' })).toMatch(/^STORAGE must be one of dynamodb, memory/);
    expect(failure({ ...base, AGGREGATION_INTERVAL_SECS: '0' })).toMatch(/^AGGREGATION_INTERVAL_SECS /);
    expect(failure({ ...base, AGGREGATION_INTERVAL_SECS: '3601' })).toMatch(/^AGGREGATION_INTERVAL_SECS /);
    expect(failure({ ...base, STORAGE: 'memory', WORKER: 'separate' })).toMatch(
      /^WORKER must be in-process with STORAGE=memory/,
    );
    expect(failure({ ...base, RATE_LIMITS: 'maybe' })).toMatch(/^RATE_LIMITS /);
    expect(failure({ ...base, LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL /);
    expect(failure({ ...base, DYNAMODB_ENDPOINT: 'localhost:8000' })).toMatch(/^DYNAMODB_ENDPOINT /);
    expect(failure({ ...base, AWS_REGION: 'moon' })).toMatch(/^AWS_REGION /);
  });

  it('the worker needs no HTTP secrets', () => {
    expect(loadSettings({}, { requireSecrets: false }).provisioningApiKey).toBe('');
    expect(failure({ ...base, PRICING_SOURCE: 'oracle' })).toMatch(/^PRICING_SOURCE /);
  });

  it('reads RATE_LIMITS=off and a local endpoint', () => {
    expect(
      loadSettings({ ...base, RATE_LIMITS: 'off', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }),
    ).toMatchObject({
      rateLimits: false,
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    });
  });

  it('a missing config file names CONFIG_FILE; the repo config loads', () => {
    expect(() => loadServiceConfig('/nope/config.yaml')).toThrow(/^CONFIG_FILE cannot be read/);
    expect(Object.keys(loadServiceConfig('config.yaml').labels)).toEqual(['premium', 'standard', 'economy']);
  });
});
