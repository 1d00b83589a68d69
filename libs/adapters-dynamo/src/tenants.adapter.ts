import { type EntityItem } from 'electrodb';
import {
  type App,
  type AppOverrides,
  DEFAULT_ORG_SETTINGS,
  type Org,
  type OrgSettings,
  type TenantDirectory,
} from '#core-domain';
import { writeWithAudit } from './audit.adapter.js';
import { credentialToItem } from './credentials.adapter.js';
import { type Entities } from './entities.js';
import { type Ctx, defined, sortBy, unlessConditionFails } from './support.js';

type OrgItem = EntityItem<Entities['org']>;
type AppItem = EntityItem<Entities['app']>;

function orgToItem(org: Org): OrgItem {
  return {
    orgId: org.orgId,
    orgName: org.orgName,
    timezone: org.timezone,
    quotaScope: org.quotaScope,
    modelOrdering: [...org.modelOrdering],
    quotas: { ...org.quotas },
    budgets: structuredClone(org.budgets),
    settings: { ...org.settings },
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  };
}

function orgFromItem(item: OrgItem): Org {
  // Items written before budgets, week starts and alert settings existed read with the defaults.
  const settings = item.settings as Partial<OrgSettings>;
  return {
    orgId: item.orgId,
    orgName: item.orgName,
    timezone: item.timezone,
    quotaScope: item.quotaScope,
    modelOrdering: [...(item.modelOrdering ?? [])],
    quotas: { ...(item.quotas as Org['quotas']) },
    budgets: structuredClone((item.budgets ?? []) as Org['budgets']),
    settings: {
      ...settings,
      weekStartsOn: settings.weekStartsOn ?? DEFAULT_ORG_SETTINGS.weekStartsOn,
      alertThresholdsPct: [...(settings.alertThresholdsPct ?? DEFAULT_ORG_SETTINGS.alertThresholdsPct)],
      anomalyFactor: settings.anomalyFactor ?? DEFAULT_ORG_SETTINGS.anomalyFactor,
      rollupTagKeys: [...(settings.rollupTagKeys ?? [])],
    } as OrgSettings,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function appToItem(app: App): AppItem {
  return {
    orgId: app.orgId,
    appId: app.appId,
    appName: app.appName,
    overrides: structuredClone(defined(app.overrides)),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

function appFromItem(item: AppItem): App {
  return {
    orgId: item.orgId,
    appId: item.appId,
    appName: item.appName,
    overrides: structuredClone((item.overrides ?? {}) as AppOverrides),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export function tenantDirectory({ service, e }: Ctx): TenantDirectory {
  return {
    async getOrg(orgId) {
      const { data } = await e.org.get({ orgId }).go();
      return data ? orgFromItem(data) : undefined;
    },
    async createOrg(org, credential, audit = []) {
      const result = await writeWithAudit(
        service,
        (t) => [
          t.org.create(orgToItem(org)).commit(),
          t.credential.create(credentialToItem(credential)).commit(),
        ],
        audit,
      );
      return result === 'written' ? 'created' : 'exists';
    },
    async updateOrg(org, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [
            t.org
              .put(orgToItem(org))
              .where((a, op) => op.exists(a.orgId))
              .commit(),
          ],
          audit,
        );
        return result === 'written' ? 'updated' : 'missing';
      }
      return unlessConditionFails(async () => {
        await e.org
          .put(orgToItem(org))
          .where((a, op) => op.exists(a.orgId))
          .go();
        return 'updated' as const;
      }, 'missing' as const);
    },
    async getApp(orgId, appId) {
      const { data } = await e.app.get({ orgId, appId }).go();
      return data ? appFromItem(data) : undefined;
    },
    async createApp(app, credential, audit = []) {
      const result = await writeWithAudit(
        service,
        (t) => [
          t.app.create(appToItem(app)).commit(),
          t.credential.create(credentialToItem(credential)).commit(),
        ],
        audit,
      );
      return result === 'written' ? 'created' : 'exists';
    },
    async updateApp(app, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [
            t.app
              .put(appToItem(app))
              .where((a, op) => op.exists(a.appId))
              .commit(),
          ],
          audit,
        );
        return result === 'written' ? 'updated' : 'missing';
      }
      return unlessConditionFails(async () => {
        await e.app
          .put(appToItem(app))
          .where((a, op) => op.exists(a.appId))
          .go();
        return 'updated' as const;
      }, 'missing' as const);
    },
    async listApps(orgId) {
      const { data } = await e.app.query.primary({ orgId }).go({ pages: 'all' });
      return sortBy(data.map(appFromItem), (a) => a.appId);
    },
  };
}
