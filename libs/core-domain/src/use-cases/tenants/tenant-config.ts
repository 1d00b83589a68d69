import { NotFoundError } from '../../model/errors.js';
import { type Clock } from '../../ports/clock.port.js';
import { type InferenceProfiles } from '../../ports/inference-profiles.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { type InferenceProfile } from '../../model/profiles/inference-profile.entity.js';
import { TtlCache } from '../shared/ttl-cache.js';
import {
  resolveEffectiveConfig,
  type App,
  type EffectiveConfig,
  type Org,
} from '../../model/tenants/tenant.entity.js';

/** Config changes reach running instances within this time. */
export const CONFIG_CACHE_TTL_MS = 60_000;
const MAX_CONTEXTS = 10_000;

export interface AppContext {
  org: Org;
  app: App;
  effective: EffectiveConfig;
  profiles: InferenceProfile[];
}

/** Org, app and profile reads for the hot paths, cached in process for 60 s. */
export class TenantConfigCache {
  private readonly orgs: TtlCache<Org | null>;
  private readonly apps: TtlCache<App | null>;
  private readonly profileLists: TtlCache<InferenceProfile[]>;
  /** The last context built per `${org}|${app}`, reused while built from the same cache entries. */
  private readonly contexts = new Map<string, AppContext>();

  constructor(
    private readonly tenants: TenantDirectory,
    private readonly profiles: InferenceProfiles,
    clock: Clock,
    ttlMs = CONFIG_CACHE_TTL_MS,
  ) {
    this.orgs = new TtlCache(clock, ttlMs);
    this.apps = new TtlCache(clock, ttlMs);
    this.profileLists = new TtlCache(clock, ttlMs);
  }

  async org(orgId: string): Promise<Org | undefined> {
    return (
      (await this.orgs.getOrLoad(orgId, async () => (await this.tenants.getOrg(orgId)) ?? null)) ?? undefined
    );
  }

  async app(orgId: string, appId: string): Promise<App | undefined> {
    const key = `${orgId}|${appId}`;
    return (
      (await this.apps.getOrLoad(key, async () => (await this.tenants.getApp(orgId, appId)) ?? null)) ??
      undefined
    );
  }

  async profilesOf(orgId: string, appId: string): Promise<InferenceProfile[]> {
    return this.profileLists.getOrLoad(`${orgId}|${appId}`, () => this.profiles.list(orgId, appId));
  }

  /**
   * Everything a runtime request needs about one app. 404 when the org or the app is unknown.
   * While the org, the app and its profiles are all cached, it is answered from those entries without
   * a load, and the context built from the same three entries is reused (it is read-only), so the
   * effective config is resolved once per config change or expiry, not once per request.
   */
  async appContext(orgId: string, appId: string): Promise<AppContext> {
    const key = `${orgId}|${appId}`;
    let org = this.orgs.get(orgId);
    let app = this.apps.get(key);
    let profiles = this.profileLists.get(key);
    if (org === undefined || app === undefined || profiles === undefined) {
      [org, app, profiles] = await Promise.all([
        this.orgs.getOrLoad(orgId, async () => (await this.tenants.getOrg(orgId)) ?? null),
        this.apps.getOrLoad(key, async () => (await this.tenants.getApp(orgId, appId)) ?? null),
        this.profileLists.getOrLoad(key, () => this.profiles.list(orgId, appId)),
      ]);
    }
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    if (!app) throw new NotFoundError(`App ${appId} not found in org ${orgId}`);
    const built = this.contexts.get(key);
    if (built && built.org === org && built.app === app && built.profiles === profiles) return built;
    const context: AppContext = { org, app, effective: resolveEffectiveConfig(org, app), profiles };
    this.contexts.delete(key);
    if (this.contexts.size >= MAX_CONTEXTS) {
      const oldest = this.contexts.keys().next();
      if (!oldest.done) this.contexts.delete(oldest.value);
    }
    this.contexts.set(key, context);
    return context;
  }

  /** Forgets what this process cached about an org (after a write through this process). */
  forgetOrg(orgId: string): void {
    this.orgs.delete(orgId);
  }

  forgetApp(orgId: string, appId: string): void {
    this.apps.delete(`${orgId}|${appId}`);
    this.profileLists.delete(`${orgId}|${appId}`);
  }
}
