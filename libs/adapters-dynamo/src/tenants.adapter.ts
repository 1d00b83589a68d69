import { type EntityItem } from 'electrodb';
import {
  type App,
  type AppOverrides,
  DEFAULT_ORG_SETTINGS,
  type Org,
  type OrgSettings,
  type TenantDirectory,
} from '#core-domain';
import { credentialToItem } from './credentials.adapter.js';
import { type Entities } from './entities.js';
import {
  type Ctx,
  defined,
  sortBy,
  type TransactionResult,
  unlessConditionFails,
  writeTransaction,
} from './support.js';

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

/** A tenant + credential creation: 'exists' when a create condition failed, else an error. */
function createdOrExists(result: TransactionResult): 'created' | 'exists' {
  if (!result.canceled) return 'created';
  if (result.data.some((d) => d.code === 'ConditionalCheckFailed')) return 'exists';
  throw new Error(`Tenant transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`);
}

export function tenantDirectory({ service, e }: Ctx): TenantDirectory {
  return {
    async getOrg(orgId) {
      const { data } = await e.org.get({ orgId }).go();
      return data ? orgFromItem(data) : undefined;
    },
    async createOrg(org, credential) {
      const result = await writeTransaction((token) =>
        service.transaction
          .write(({ org: o, credential: c }) => [
            o.create(orgToItem(org)).commit(),
            c.create(credentialToItem(credential)).commit(),
          ])
          .go({ token }),
      );
      return createdOrExists(result);
    },
    async updateOrg(org) {
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
    async createApp(app, credential) {
      const result = await writeTransaction((token) =>
        service.transaction
          .write(({ app: a, credential: c }) => [
            a.create(appToItem(app)).commit(),
            c.create(credentialToItem(credential)).commit(),
          ])
          .go({ token }),
      );
      return createdOrExists(result);
    },
    async updateApp(app) {
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
