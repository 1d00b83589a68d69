import { diffFields, type AuditContext } from '../../model/audit/audit-entry.js';
import { type ServiceConfig } from '../../model/config/service-config.js';
import { AlreadyExistsError, NotFoundError } from '../../model/errors.js';
import { type Clock } from '../../ports/clock.port.js';
import { type IdGenerator } from '../../ports/id-generator.port.js';
import { type InferenceProfiles } from '../../ports/inference-profiles.port.js';
import { AuditStamp } from '../audit/audit-trail.use-case.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import {
  validateProfileInput,
  type InferenceProfile,
} from '../../model/profiles/inference-profile.entity.js';

/** Register, list and read an app's inference profiles. */
export class ManageInferenceProfiles {
  private readonly stamp: AuditStamp;

  constructor(
    private readonly profiles: InferenceProfiles,
    private readonly configs: TenantConfigCache,
    private readonly clock: Clock,
    private readonly config: ServiceConfig,
    ids: IdGenerator,
  ) {
    this.stamp = new AuditStamp(ids, clock);
  }

  /** 400 for a bad ARN or a label clashing with a config label; 409 when already registered. */
  async register(
    orgId: string,
    appId: string,
    input: { profileLabel: unknown; inferenceProfileArn: unknown; description?: unknown },
    context?: AuditContext,
  ): Promise<InferenceProfile> {
    await this.configs.appContext(orgId, appId); // 404 for an unknown org or app
    const valid = validateProfileInput(input, Object.keys(this.config.labels));
    const profile: InferenceProfile = { orgId, appId, ...valid, createdAt: this.clock.now().toISOString() };
    const audit = this.stamp.entry(
      context,
      orgId,
      'profile.registered',
      { type: 'profile', id: `${appId}/${valid.profileLabel}` },
      diffFields(undefined, {
        appId,
        profileLabel: valid.profileLabel,
        inferenceProfileArn: valid.inferenceProfileArn,
        description: valid.description,
      }),
    );
    if ((await this.profiles.register(profile, [audit])) === 'exists') {
      throw new AlreadyExistsError(
        `Profile label '${valid.profileLabel}' is already registered for app ${appId}`,
      );
    }
    this.configs.forgetApp(orgId, appId);
    return profile;
  }

  async list(orgId: string, appId: string): Promise<InferenceProfile[]> {
    await this.configs.appContext(orgId, appId);
    return this.profiles.list(orgId, appId);
  }

  async get(orgId: string, appId: string, profileLabel: string): Promise<InferenceProfile> {
    await this.configs.appContext(orgId, appId);
    const p = await this.profiles.get(orgId, appId, profileLabel);
    if (!p) throw new NotFoundError(`Profile '${profileLabel}' not found for app ${appId}`);
    return p;
  }
}
