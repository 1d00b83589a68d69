import {
  appAuditView,
  diffFields,
  orgAuditView,
  splitAlertChanges,
  type AuditChange,
  type AuditContext,
  type AuditEntry,
} from '../../model/audit/audit-entry.js';
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
import { AuditStamp } from '../audit/audit-trail.use-case.js';
import { type TenantConfigCache } from './tenant-config.js';
import {
  checkEffectiveConfig,
  parseAppInput,
  parseOrgInput,
  type AppInput,
  type OrgInput,
} from '../../model/tenants/tenant-input.js';
import {
  isValidAppId,
  normalizeOrgId,
  resolveEffectiveConfig,
  type App,
  type EffectiveConfig,
  type Org,
} from '../../model/tenants/tenant.entity.js';

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

/** Provisioning: orgs, apps and credential rotation (admin). */
export interface ProvisioningOptions {
  tenants: TenantDirectory;
  credentials: CredentialStore;
  profiles: InferenceProfiles;
  hasher: SecretHasher;
  ids: IdGenerator;
  clock: Clock;
  config: ServiceConfig;
  cache?: TenantConfigCache;
  /** Called after a rotation so in-process credential caches drop the old credential. */
  onRotated?: (clientId: string) => void;
}

export class Provisioning {
  private readonly tenants: TenantDirectory;
  private readonly credentials: CredentialStore;
  private readonly profiles: InferenceProfiles;
  private readonly hasher: SecretHasher;
  private readonly ids: IdGenerator;
  private readonly clock: Clock;
  private readonly config: ServiceConfig;
  private readonly cache: TenantConfigCache | undefined;
  private readonly onRotated: ((clientId: string) => void) | undefined;
  private readonly stamp: AuditStamp;

  constructor(o: ProvisioningOptions) {
    this.tenants = o.tenants;
    this.credentials = o.credentials;
    this.profiles = o.profiles;
    this.hasher = o.hasher;
    this.ids = o.ids;
    this.clock = o.clock;
    this.config = o.config;
    this.cache = o.cache;
    this.onRotated = o.onRotated;
    this.stamp = new AuditStamp(o.ids, o.clock);
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

  /**
   * The audit items of a tenant write: `<kind>.created`, or `<kind>.updated` for the changed fields
   * and `alerts.updated` for changed alert settings (none when nothing changed).
   */
  private tenantAudit(
    context: AuditContext | undefined,
    orgId: string,
    kind: 'org' | 'app',
    target: { type: string; id: string },
    created: boolean,
    changes: Record<string, AuditChange>,
  ): AuditEntry[] {
    if (created) return [this.stamp.entry(context, orgId, `${kind}.created`, target, changes)];
    const { alerts, rest } = splitAlertChanges(changes);
    const out: AuditEntry[] = [];
    if (Object.keys(rest).length > 0)
      out.push(this.stamp.entry(context, orgId, `${kind}.updated`, target, rest));
    if (Object.keys(alerts).length > 0)
      out.push(this.stamp.entry(context, orgId, 'alerts.updated', target, alerts));
    return out;
  }

  /** PUT org: creates (with credentials, shown once) or replaces the configuration. */
  async putOrg(rawOrgId: string, input: OrgInput, context?: AuditContext): Promise<PutOrgResult> {
    const orgId = this.orgId(rawOrgId);
    const now = this.clock.now().toISOString();
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.tenants.getOrg(orgId);
      const org = parseOrgInput(orgId, input, existing, now, this.config);
      const target = { type: 'org', id: orgId };
      const changes = diffFields(existing && orgAuditView(existing), orgAuditView(org));
      const audit = this.tenantAudit(context, orgId, 'org', target, !existing, changes);
      if (existing) {
        await this.checkAppsStillValid(org);
        if ((await this.tenants.updateOrg(org, audit)) === 'updated') {
          this.cache?.forgetOrg(orgId);
          return { status: 'updated', org };
        }
        continue;
      }
      const { credential, secret } = await this.newCredential(orgClientId(orgId), orgId);
      if ((await this.tenants.createOrg(org, credential, audit)) === 'created') {
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

  /** PUT app: 404 when the org is unknown; creates (with credentials) or replaces the app. */
  async putApp(
    rawOrgId: string,
    appId: string,
    input: AppInput,
    context?: AuditContext,
  ): Promise<PutAppResult> {
    const orgId = this.orgId(rawOrgId);
    this.appId(appId);
    const now = this.clock.now().toISOString();
    const org = await this.tenants.getOrg(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const profileLabels = await this.profileLabels(orgId, appId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.tenants.getApp(orgId, appId);
      const app = parseAppInput(org, appId, input, existing, now, this.config, profileLabels);
      const effective = resolveEffectiveConfig(org, app);
      const target = { type: 'app', id: appId };
      const changes = diffFields(existing && appAuditView(existing), appAuditView(app));
      const audit = this.tenantAudit(context, orgId, 'app', target, !existing, changes);
      if (existing) {
        if ((await this.tenants.updateApp(app, audit)) === 'updated') {
          this.cache?.forgetApp(orgId, appId);
          return { status: 'updated', app, effective };
        }
        continue;
      }
      const { credential, secret } = await this.newCredential(appClientId(orgId, appId), orgId, appId);
      if ((await this.tenants.createApp(app, credential, audit)) === 'created') {
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
    context?: AuditContext,
  ): Promise<RotationResult> {
    const orgId = this.orgId(rawOrgId);
    if (appId !== undefined) this.appId(appId);
    if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > MAX_GRACE_HOURS) {
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
      const audit = this.stamp.entry(
        context,
        orgId,
        'credentials.rotated',
        { type: 'client', id: clientId },
        {
          ...diffFields(
            { secretVersion: current.secretVersion, secretIssuedAt: current.secretIssuedAt },
            { secretVersion: next.secretVersion, secretIssuedAt: next.secretIssuedAt },
          ),
          previousSecretExpiresAt: {
            before: current.previousSecretExpiresAt ?? null,
            after: next.previousSecretExpiresAt ?? null,
          },
        },
        now,
      );
      if (await this.credentials.replace(next, current.secretVersion, [audit])) {
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
