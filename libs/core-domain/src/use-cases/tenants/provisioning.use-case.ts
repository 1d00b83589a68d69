import { type ServiceConfig } from '../../model/config/service-config.js';
import {
  appClientId,
  DEFAULT_GRACE_HOURS,
  MAX_GRACE_HOURS,
  orgClientId,
  rotatedCredential,
  type Credential,
} from '../../model/credentials/credential.entity.js';
import {
  FieldProblems,
  InvalidConfigError,
  NotFoundError,
  StorageUnavailableError,
} from '../../model/errors.js';
import { type Clock } from '../../ports/clock.port.js';
import { type CredentialStore } from '../../ports/credential-store.port.js';
import { type IdGenerator } from '../../ports/id-generator.port.js';
import { type SecretHasher } from '../../ports/secret-hasher.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { type InferenceProfiles } from '../../ports/inference-profiles.port.js';
import { PROFILE_LABEL_PATTERN } from '../../model/profiles/inference-profile.entity.js';
import { isValidTimezone } from '../../model/time/org-time.js';
import { checkEffectiveConfig, type TenantConfigCache } from './tenant-config.js';
import {
  isPrototypeKey,
  isValidAppId,
  normalizeOrgId,
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
} from '../../model/tenants/tenant.entity.js';

export interface OrgInput {
  orgName: string;
  timezone: string;
  quotaScope: QuotaScope;
  /** Defaults to the config's default ordering. */
  modelOrdering?: string[];
  /** Defaults to the config's default quotas. */
  quotas?: Quotas;
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
  overrides?: {
    tightModeThresholdPct?: number;
    refreshIntervalNormalSecs?: number;
    refreshIntervalTightSecs?: number;
  };
}

export interface IssuedCredentials {
  clientId: string;
  clientSecret: string;
}

export interface PutOrgResult {
  status: 'created' | 'updated';
  org: Org;
  credentials?: IssuedCredentials;
}

export interface PutAppResult {
  status: 'created' | 'updated';
  app: App;
  effective: EffectiveConfig;
  credentials?: IssuedCredentials;
}

export interface RotationResult {
  clientId: string;
  clientSecret: string;
  rotatedAt: string;
  oldSecretExpiresAt: string;
  gracePeriodHours: number;
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

function checkUnknown(p: FieldProblems, obj: object, allowed: string[], prefix = ''): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) p.add(`${prefix}${k}`, 'is not a known field');
}

/** Provisioning: orgs, apps and credential rotation (admin). */
export class Provisioning {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly credentials: CredentialStore,
    private readonly profiles: InferenceProfiles,
    private readonly hasher: SecretHasher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly config: ServiceConfig,
    private readonly cache?: TenantConfigCache,
    /** Called after a rotation so in-process credential caches drop the old credential. */
    private readonly onRotated?: (clientId: string) => void,
  ) {}

  /** Validates org input (INVALID_REQUEST for shapes and formats, INVALID_CONFIG for what cannot work). */
  private orgFromInput(orgId: string, input: OrgInput, existing: Org | undefined, now: string): Org {
    const p = new FieldProblems();
    checkUnknown(p, input, ['orgName', 'timezone', 'quotaScope', 'modelOrdering', 'quotas', 'overrides']);
    if (typeof input.orgName !== 'string' || input.orgName.trim().length < 1 || input.orgName.length > 128) {
      p.add('org_name', 'must be a string of 1 to 128 characters');
    }
    if (!isValidTimezone(input.timezone)) p.add('timezone', 'must be an IANA timezone such as Europe/Paris');
    if (!QUOTA_SCOPES.includes(input.quotaScope)) p.add('quota_scope', "must be 'ORG' or 'APP'");
    const ordering =
      input.modelOrdering === undefined
        ? [...this.config.defaults.modelOrdering]
        : checkOrdering(p, 'model_ordering', input.modelOrdering);
    const quotas =
      input.quotas === undefined
        ? { ...this.config.defaults.quotas }
        : checkQuotas(p, 'quotas', input.quotas);
    const o = input.overrides ?? {};
    if (typeof o !== 'object' || o === null || Array.isArray(o)) p.add('overrides', 'must be an object');
    else {
      checkUnknown(
        p,
        o,
        [
          'tightModeThresholdPct',
          'aggShardCount',
          'stickyFallbackEnabled',
          'refreshIntervalNormalSecs',
          'refreshIntervalTightSecs',
        ],
        'overrides.',
      );
      if (o.tightModeThresholdPct !== undefined && !isInt(o.tightModeThresholdPct, 50, 100))
        p.add('overrides.tight_mode_threshold_pct', 'must be an integer from 50 to 100');
      if (o.aggShardCount !== undefined && !SHARD_COUNTS.includes(o.aggShardCount as ShardCount))
        p.add('overrides.agg_shard_count', 'must be one of 8, 16, 32, 64');
      if (o.stickyFallbackEnabled !== undefined && typeof o.stickyFallbackEnabled !== 'boolean')
        p.add('overrides.sticky_fallback_enabled', 'must be true or false');
      if (o.refreshIntervalNormalSecs !== undefined && !isInt(o.refreshIntervalNormalSecs, 10, 3600))
        p.add('overrides.refresh_interval_secs', 'must be an integer from 10 to 3600');
      if (o.refreshIntervalTightSecs !== undefined && !isInt(o.refreshIntervalTightSecs, 10, 3600))
        p.add('overrides.refresh_interval_tight_secs', 'must be an integer from 10 to 3600');
    }
    p.throwIfAny();

    for (const label of ordering!) {
      if (!Object.hasOwn(this.config.labels, label)) {
        throw new InvalidConfigError(`Label '${label}' in model_ordering is not a configured model label`, {
          label,
          configured_labels: Object.keys(this.config.labels),
        });
      }
      if (!Object.hasOwn(quotas!, label))
        throw new InvalidConfigError(`Label '${label}' has no quota`, { label });
    }
    const d = this.config.defaults.settings;
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
      weekStartsOn: existing?.settings.weekStartsOn ?? d.weekStartsOn,
    };
    return {
      orgId,
      orgName: input.orgName.trim(),
      timezone: input.timezone,
      quotaScope: input.quotaScope,
      modelOrdering: [...ordering!],
      quotas: { ...quotas! },
      budgets: existing?.budgets ?? [],
      settings,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
  }

  private async newCredential(
    clientId: string,
    orgId: string,
    appId?: string,
  ): Promise<{ credential: Credential; secret: string }> {
    const secret = this.ids.newSecret();
    const credential: Credential = {
      clientId,
      orgId,
      secretHash: await this.hasher.hash(secret),
      secretVersion: 1,
      secretIssuedAt: this.clock.now().toISOString(),
    };
    if (appId !== undefined) credential.appId = appId;
    return { credential, secret };
  }

  /** PUT org: creates (with credentials, shown once) or replaces the configuration. */
  async putOrg(rawOrgId: string, input: OrgInput): Promise<PutOrgResult> {
    const orgId = this.orgId(rawOrgId);
    const now = this.clock.now().toISOString();
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.tenants.getOrg(orgId);
      const org = this.orgFromInput(orgId, input, existing, now);
      if (existing) {
        await this.checkAppsStillValid(org);
        if ((await this.tenants.updateOrg(org)) === 'updated') {
          this.cache?.forgetOrg(orgId);
          return { status: 'updated', org };
        }
        continue;
      }
      const { credential, secret } = await this.newCredential(orgClientId(orgId), orgId);
      if ((await this.tenants.createOrg(org, credential)) === 'created') {
        this.cache?.forgetOrg(orgId);
        return {
          status: 'created',
          org,
          credentials: { clientId: credential.clientId, clientSecret: secret },
        };
      }
      // Lost a race with a concurrent create: go round and update instead.
    }
    throw new StorageUnavailableError('The org changed concurrently, try again');
  }

  private async checkAppsStillValid(org: Org): Promise<void> {
    for (const app of await this.tenants.listApps(org.orgId)) {
      if (org.quotaScope === 'ORG' && app.overrides.quotas !== undefined) {
        throw new InvalidConfigError(
          `App '${app.appId}' has its own quotas, which an ORG-scoped org does not allow`,
          {
            app_id: app.appId,
          },
        );
      }
      checkEffectiveConfig(
        resolveEffectiveConfig(org, app),
        this.config,
        await this.profileLabels(org.orgId, app.appId),
      );
    }
  }

  async getOrg(rawOrgId: string): Promise<{ org: Org; apps: App[] }> {
    const orgId = this.orgId(rawOrgId);
    const [org, apps] = await Promise.all([this.tenants.getOrg(orgId), this.tenants.listApps(orgId)]);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    return { org, apps };
  }

  private appFromInput(
    org: Org,
    appId: string,
    input: AppInput,
    existing: App | undefined,
    now: string,
    profileLabels: string[],
  ): App {
    const p = new FieldProblems();
    checkUnknown(p, input, ['appName', 'modelOrdering', 'quotas', 'overrides']);
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
    const o = input.overrides ?? {};
    if (typeof o !== 'object' || o === null || Array.isArray(o)) p.add('overrides', 'must be an object');
    else {
      checkUnknown(
        p,
        o,
        ['tightModeThresholdPct', 'refreshIntervalNormalSecs', 'refreshIntervalTightSecs'],
        'overrides.',
      );
      if (o.tightModeThresholdPct !== undefined) {
        if (!isInt(o.tightModeThresholdPct, 50, 100))
          p.add('overrides.tight_mode_threshold_pct', 'must be an integer from 50 to 100');
        else overrides.tightModeThresholdPct = o.tightModeThresholdPct;
      }
      if (o.refreshIntervalNormalSecs !== undefined) {
        if (!isInt(o.refreshIntervalNormalSecs, 10, 3600))
          p.add('overrides.refresh_interval_secs', 'must be an integer from 10 to 3600');
        else overrides.refreshIntervalNormalSecs = o.refreshIntervalNormalSecs;
      }
      if (o.refreshIntervalTightSecs !== undefined) {
        if (!isInt(o.refreshIntervalTightSecs, 10, 3600))
          p.add('overrides.refresh_interval_tight_secs', 'must be an integer from 10 to 3600');
        else overrides.refreshIntervalTightSecs = o.refreshIntervalTightSecs;
      }
    }
    p.throwIfAny();
    if (overrides.quotas !== undefined && org.quotaScope === 'ORG') {
      throw new InvalidConfigError('Quotas can be set on an app only when the org quota scope is APP', {
        quota_scope: org.quotaScope,
      });
    }
    const app: App = {
      orgId: org.orgId,
      appId,
      appName: input.appName.trim(),
      overrides,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    checkEffectiveConfig(resolveEffectiveConfig(org, app), this.config, profileLabels);
    return app;
  }

  /** PUT app: 404 when the org is unknown; creates (with credentials) or replaces the app. */
  async putApp(rawOrgId: string, appId: string, input: AppInput): Promise<PutAppResult> {
    const orgId = this.orgId(rawOrgId);
    this.appId(appId);
    const now = this.clock.now().toISOString();
    const org = await this.tenants.getOrg(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const profileLabels = await this.profileLabels(orgId, appId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.tenants.getApp(orgId, appId);
      const app = this.appFromInput(org, appId, input, existing, now, profileLabels);
      const effective = resolveEffectiveConfig(org, app);
      if (existing) {
        if ((await this.tenants.updateApp(app)) === 'updated') {
          this.cache?.forgetApp(orgId, appId);
          return { status: 'updated', app, effective };
        }
        continue;
      }
      const { credential, secret } = await this.newCredential(appClientId(orgId, appId), orgId, appId);
      if ((await this.tenants.createApp(app, credential)) === 'created') {
        this.cache?.forgetApp(orgId, appId);
        return {
          status: 'created',
          app,
          effective,
          credentials: { clientId: credential.clientId, clientSecret: secret },
        };
      }
    }
    throw new StorageUnavailableError('The app changed concurrently, try again');
  }

  async getApp(rawOrgId: string, appId: string): Promise<{ app: App; effective: EffectiveConfig }> {
    const orgId = this.orgId(rawOrgId);
    this.appId(appId);
    const [org, app] = await Promise.all([this.tenants.getOrg(orgId), this.tenants.getApp(orgId, appId)]);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    if (!app) throw new NotFoundError(`App ${appId} not found in org ${orgId}`);
    return { app, effective: resolveEffectiveConfig(org, app) };
  }

  /** Issues a new secret; the old one stays valid for the grace period (0..168 h, default 24). */
  async rotateCredentials(
    rawOrgId: string,
    appId: string | undefined,
    graceHours: number = DEFAULT_GRACE_HOURS,
  ): Promise<RotationResult> {
    const orgId = this.orgId(rawOrgId);
    if (appId !== undefined) this.appId(appId);
    if (!isInt(graceHours, 0, MAX_GRACE_HOURS)) {
      const p = new FieldProblems();
      p.add('grace_period_hours', `must be an integer from 0 to ${MAX_GRACE_HOURS}`);
      p.throwIfAny();
    }
    const clientId = appId === undefined ? orgClientId(orgId) : appClientId(orgId, appId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.credentials.get(clientId);
      if (!current)
        throw new NotFoundError(
          appId === undefined ? `Org ${orgId} not found` : `App ${appId} not found in org ${orgId}`,
        );
      const secret = this.ids.newSecret();
      const now = this.clock.now();
      const next = rotatedCredential(current, await this.hasher.hash(secret), now, graceHours);
      if (await this.credentials.replace(next, current.secretVersion)) {
        this.onRotated?.(clientId);
        return {
          clientId,
          clientSecret: secret,
          rotatedAt: next.secretIssuedAt,
          oldSecretExpiresAt: next.previousSecretExpiresAt!,
          gracePeriodHours: graceHours,
        };
      }
    }
    throw new StorageUnavailableError('The credential changed concurrently, try again');
  }

  private async profileLabels(orgId: string, appId: string): Promise<string[]> {
    return (await this.profiles.list(orgId, appId)).map((p) => p.profileLabel);
  }

  private orgId(raw: string): string {
    const id = normalizeOrgId(raw);
    if (!id) {
      const p = new FieldProblems();
      p.add('org_id', 'must be a UUID');
      p.throwIfAny();
    }
    return id!;
  }

  private appId(raw: string): void {
    if (!isValidAppId(raw)) {
      const p = new FieldProblems();
      p.add('app_id', 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
      p.throwIfAny();
    }
  }
}
