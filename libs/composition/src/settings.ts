import { readFileSync } from 'node:fs';
import { parseServiceConfig, type ServiceConfig } from '#core-domain';

/** A missing or malformed setting: the process stops with this one line. */
export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'SettingsError';
  }
}

export interface Settings {
  port: number;
  storage: 'dynamodb' | 'memory';
  dynamodbEndpoint?: string;
  awsRegion: string;
  tableName: string;
  provisioningApiKey: string;
  jwtSecret: string;
  configFile: string;
  aggregationIntervalSecs: number;
  worker: 'separate' | 'in-process';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  rateLimits: boolean;
  /** Where the daily pricing refresh reads prices: the config file, or the AWS Price List API. */
  pricingSource: 'config' | 'aws';
  /** WEBHOOK_ALLOW_PRIVATE=true lifts the https-only and public-address rules of webhooks (local use). */
  webhookAllowPrivate: boolean;
  /** METRICS_TOKEN: the bearer token `/metrics` requires; unset = open (keep it off the internet). */
  metricsToken?: string;
  /** METRICS_HOST / METRICS_PORT: where the worker serves `/metrics` (0 = a free port). */
  metricsHost: string;
  metricsPort: number;
  /** METRICS_EMF=on: CloudWatch Embedded Metric Format lines from the worker. */
  metricsEmf: boolean;
  /** METRICS_ENVIRONMENT: the Environment dimension of the EMF metrics. */
  metricsEnvironment: string;
  /** METRICS_MAX_SERIES: cap on the worker's spend series (lines). */
  metricsMaxSeries: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment (README.md, "Environment"). Throws SettingsError naming the variable. */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  opts: { requireSecrets?: boolean } = {},
): Settings {
  const requireSecrets = opts.requireSecrets ?? true;
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new SettingsError(name, `must be an integer from ${min} to ${max} (got '${raw}')`);
    }
    return Number(raw);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], dflt: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    if (!allowed.includes(raw as T))
      throw new SettingsError(name, `must be one of ${allowed.join(', ')} (got '${raw}')`);
    return raw as T;
  };
  const secret = (name: string, minLength: number, what: string): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') throw new SettingsError(name, `is required (${what})`);
    if (Buffer.byteLength(raw, 'utf8') < minLength)
      throw new SettingsError(name, `is too weak: at least ${minLength} ${what}`);
    if (new Set(raw).size < 8) throw new SettingsError(name, 'is too weak: it repeats too few characters');
    return raw;
  };
  const storage = oneOf('STORAGE', ['dynamodb', 'memory'] as const, 'dynamodb');
  const worker = oneOf(
    'WORKER',
    ['separate', 'in-process'] as const,
    storage === 'memory' ? 'in-process' : 'separate',
  );
  if (storage === 'memory' && worker !== 'in-process') {
    throw new SettingsError(
      'WORKER',
      'must be in-process with STORAGE=memory (nothing else can see the memory store)',
    );
  }
  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint))
    throw new SettingsError('DYNAMODB_ENDPOINT', `must be an http(s) URL (got '${endpoint}')`);
  const region = env.AWS_REGION || 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new SettingsError('AWS_REGION', `is not an AWS region (got '${region}')`);
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken))
    throw new SettingsError('METRICS_TOKEN', 'must be 16-512 visible ASCII characters without spaces');
  const metricsHost = env.METRICS_HOST || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(metricsHost))
    throw new SettingsError('METRICS_HOST', `must be a host name or an IP address (got '${metricsHost}')`);
  const metricsEnvironment = env.METRICS_ENVIRONMENT || 'local';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(metricsEnvironment))
    throw new SettingsError('METRICS_ENVIRONMENT', 'must be 1-64 characters of letters, digits, _ . -');
  const tableName = env.TABLE_NAME || 'bedrock-cost-keeper';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName))
    throw new SettingsError('TABLE_NAME', 'must be 3-255 characters of letters, digits, _ . -');
  return {
    port: int('PORT', 8080, 0, 65535),
    storage,
    ...(endpoint ? { dynamodbEndpoint: endpoint } : {}),
    awsRegion: region,
    tableName,
    provisioningApiKey: requireSecrets ? secret('PROVISIONING_API_KEY', 32, 'characters') : '',
    jwtSecret: requireSecrets ? secret('JWT_SECRET', 32, 'bytes') : '',
    configFile: env.CONFIG_FILE || './config.yaml',
    aggregationIntervalSecs: int('AGGREGATION_INTERVAL_SECS', 60, 1, 3600),
    worker,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimits: oneOf('RATE_LIMITS', ['on', 'off'] as const, 'on') === 'on',
    pricingSource: oneOf('PRICING_SOURCE', ['config', 'aws'] as const, 'config'),
    webhookAllowPrivate: oneOf('WEBHOOK_ALLOW_PRIVATE', ['true', 'false'] as const, 'false') === 'true',
    ...(metricsToken ? { metricsToken } : {}),
    metricsHost,
    metricsPort: int('METRICS_PORT', 9464, 0, 65535),
    metricsEmf: oneOf('METRICS_EMF', ['on', 'off'] as const, 'off') === 'on',
    metricsEnvironment,
    metricsMaxSeries: int('METRICS_MAX_SERIES', 10_000, 1, 1_000_000),
  };
}

/** Reads and validates the config file. Throws SettingsError / ServiceConfigError naming the key. */
export function loadServiceConfig(path: string): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SettingsError('CONFIG_FILE', `cannot be read: ${path}`);
  }
  return parseServiceConfig(text, path);
}
