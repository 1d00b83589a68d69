import { type EntityItem } from 'electrodb';
import { type InferenceProfile, type InferenceProfiles } from '#core-domain';
import { type Entities } from './entities.js';
import { writeWithAudit } from './audit.adapter.js';
import { type Ctx, defined, sortBy, unlessConditionFails } from './support.js';

type ProfileItem = EntityItem<Entities['profile']>;

/** The profile entity has exactly the domain fields. */
function profileToItem(profile: InferenceProfile): ProfileItem {
  return defined({
    orgId: profile.orgId,
    appId: profile.appId,
    profileLabel: profile.profileLabel,
    inferenceProfileArn: profile.inferenceProfileArn,
    description: profile.description,
    createdAt: profile.createdAt,
  });
}

const profileFromItem = profileToItem;

export function inferenceProfiles({ service, e }: Ctx): InferenceProfiles {
  return {
    async register(profile, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [t.profile.create(profileToItem(profile)).commit()],
          audit,
        );
        return result === 'written' ? 'registered' : 'exists';
      }
      return unlessConditionFails(async () => {
        await e.profile.create(profileToItem(profile)).go();
        return 'registered' as const;
      }, 'exists' as const);
    },
    async get(orgId, appId, profileLabel) {
      const { data } = await e.profile.get({ orgId, appId, profileLabel }).go();
      return data ? profileFromItem(data) : undefined;
    },
    async list(orgId, appId) {
      const { data } = await e.profile.query.primary({ orgId, appId }).go({ pages: 'all' });
      return sortBy(data.filter((p) => p.appId === appId).map(profileFromItem), (p) => p.profileLabel);
    },
  };
}
