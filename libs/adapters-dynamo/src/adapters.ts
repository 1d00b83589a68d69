import { randomUUID } from 'node:crypto';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type App,
  type ChangeFeed,
  type CounterGroup,
  type Credential,
  type CredentialStore,
  type DailyTotal,
  type DailyTotals,
  type InferenceProfile,
  type InferenceProfiles,
  type LeaseGrant,
  type Org,
  type OrgSettings,
  DEFAULT_ORG_SETTINGS,
  type PeriodTotal,
  type PeriodTotalKey,
  type PeriodTotals,
  periodTotalId,
  type PricingCache,
  type PricingEntry,
  type RecordOutcome,
  type RevokedTokens,
  type SpendReader,
  type SpendSnapshot,
  type StickyState,
  type StickyStates,
  type StorageAdapters,
  StorageUnavailableError,
  type TenantDirectory,
  type UsageCounters,
  type UsageRecord,
  type UsageTotals,
  type WorkerLease,
  type AppOverrides,
  type LabelPrice,
} from '#core-domain';
import {
  backoff,
  BATCH_WRITE_LIMIT,
  batchGetRaw,
  chunk,
  documentClient,
  type Key,
  MAX_RETRY_ROUNDS,
  type RawItem,
} from './batch.js';
import { createService, type Entities, type StorageService } from './entities.js';
import { guard } from './errors.js';
import { dayFromKey, dayToKey, FEED_PARTITIONS, feedPartition, isExpired, minuteBucket } from './keys.js';

export interface DynamoAdapterOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** How long ping() waits for DynamoDB before declaring it unavailable. */
const PING_TIMEOUT_MS = 3000;
/** The lease item outlives its last hold by a week (so the cursor survives), then TTL removes it. */
const LEASE_RETENTION_SECS = 7 * 24 * 3600;
/** The global (region-less) pricing entry's region key. */
const GLOBAL_REGION = '*';

// ---------------------------------------------------------------------------------------------
// Small helpers

function isConditionalFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { name?: unknown }).name === 'ConditionalCheckFailedException') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Copies `source` without its undefined values (ElectroDB items must not carry explicit undefined). */
function defined<T extends object>(source: T): T {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)) as T;
}

function totalsOf(item: Partial<UsageTotals>): UsageTotals {
  return {
    costUsdMicros: item.costUsdMicros ?? 0,
    inputTokens: item.inputTokens ?? 0,
    outputTokens: item.outputTokens ?? 0,
    cacheReadInputTokens: item.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: item.cacheWriteInputTokens ?? 0,
    requests: item.requests ?? 0,
  };
}

function addInto(target: UsageTotals, item: Partial<UsageTotals>): void {
  const t = totalsOf(item);
  target.costUsdMicros += t.costUsdMicros;
  target.inputTokens += t.inputTokens;
  target.outputTokens += t.outputTokens;
  target.cacheReadInputTokens += t.cacheReadInputTokens;
  target.cacheWriteInputTokens += t.cacheWriteInputTokens;
  target.requests += t.requests;
}

function zero(): UsageTotals {
  return totalsOf({});
}

type TransactionResult = {
  canceled: boolean;
  data: Array<{ rejected: boolean; code?: string; item?: unknown }>;
};

/** Cancellation reasons that mean "try the same transaction again". */
const RETRYABLE_CANCEL_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** A tenant + credential creation: 'exists' when a create condition failed, else an error. */
function createdOrExists(result: TransactionResult): 'created' | 'exists' {
  if (!result.canceled) return 'created';
  if (result.data.some((d) => d.code === 'ConditionalCheckFailed')) return 'exists';
  throw new Error(`Tenant transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  service: StorageService;
  e: Entities;
  raw: (keys: Key[], consistent?: boolean) => Promise<RawItem[]>;
}

/**
 * Runs a write transaction, retrying (with backoff and a fresh ClientRequestToken per attempt) while
 * it is cancelled only by conflicts with concurrent transactions or throttling. Resolves with the
 * final result: `canceled` with per-action codes when a condition failed. A token per attempt keeps
 * the SDK's own retries of one attempt idempotent without merging distinct attempts.
 */
async function writeTransaction(
  run: (token: string) => Promise<TransactionResult>,
): Promise<TransactionResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await run(randomUUID());
    if (!result.canceled) return result;
    const codes = result.data.map((d) => d.code ?? 'None');
    const conditionFailed = codes.includes('ConditionalCheckFailed');
    const retryable = codes.some((c) => RETRYABLE_CANCEL_CODES.has(c));
    if (conditionFailed || !retryable) return result;
    if (attempt >= MAX_RETRY_ROUNDS) {
      throw new StorageUnavailableError(`Transaction kept conflicting (${codes.join(', ')})`);
    }
    await backoff(attempt, 10, 500);
  }
}

function parseAll<T>(
  entity: { parse: (item: { Item: RawItem }) => { data: unknown } | null },
  items: RawItem[],
): T[] {
  return items.map((Item) => entity.parse({ Item })?.data as T).filter((x) => x !== null && x !== undefined);
}

function byEntity(items: RawItem[]): Map<string, RawItem[]> {
  const out = new Map<string, RawItem[]>();
  for (const item of items) {
    const name = String(item.__edb_e__);
    const list = out.get(name) ?? [];
    list.push(item);
    out.set(name, list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mapping between domain objects and stored items

type OrgItem = {
  orgId: string;
  orgName: string;
  timezone: string;
  quotaScope: 'ORG' | 'APP';
  modelOrdering: string[];
  quotas: unknown;
  budgets?: unknown;
  settings: unknown;
  createdAt: string;
  updatedAt: string;
};

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

function withWeekStart(stored: Partial<OrgSettings>): OrgSettings {
  return { ...stored, weekStartsOn: stored.weekStartsOn ?? DEFAULT_ORG_SETTINGS.weekStartsOn } as OrgSettings;
}

function orgFromItem(item: OrgItem): Org {
  return {
    orgId: item.orgId,
    orgName: item.orgName,
    timezone: item.timezone,
    quotaScope: item.quotaScope,
    modelOrdering: [...(item.modelOrdering ?? [])],
    quotas: { ...(item.quotas as Record<string, number>) },
    // Items written before budgets and week starts existed read with the defaults.
    budgets: structuredClone((item.budgets ?? []) as Org['budgets']),
    settings: withWeekStart(item.settings as Partial<OrgSettings>),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

type AppItem = {
  orgId: string;
  appId: string;
  appName: string;
  overrides: unknown;
  createdAt: string;
  updatedAt: string;
};

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

/** The credential entity has exactly the domain fields. */
type CredentialItem = Credential;

function credentialToItem(c: Credential): CredentialItem {
  return defined({
    clientId: c.clientId,
    orgId: c.orgId,
    appId: c.appId,
    secretHash: c.secretHash,
    secretVersion: c.secretVersion,
    secretIssuedAt: c.secretIssuedAt,
    previousSecretHash: c.previousSecretHash,
    previousSecretVersion: c.previousSecretVersion,
    previousSecretExpiresAt: c.previousSecretExpiresAt,
  });
}

function credentialFromItem(item: CredentialItem): Credential {
  return defined({ ...item }) as Credential;
}

/** The profile entity has exactly the domain fields. */
type ProfileItem = InferenceProfile;

function profileFromItem(item: ProfileItem): InferenceProfile {
  return defined({
    orgId: item.orgId,
    appId: item.appId,
    profileLabel: item.profileLabel,
    inferenceProfileArn: item.inferenceProfileArn,
    description: item.description,
    createdAt: item.createdAt,
  });
}

/** The sticky entity has the domain fields; its `day` is stored as YYYYMMDD. */
type StickyItem = StickyState;

function stickyFromItem(item: StickyItem): StickyState {
  return {
    scopeKey: item.scopeKey,
    day: dayFromKey(item.day),
    label: item.label,
    index: item.index,
    previousLabel: item.previousLabel,
    reason: item.reason,
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
}

type TotalItem = Partial<UsageTotals> & {
  scopeKey: string;
  day: string;
  label: string;
  updatedAt: string;
  expiresAt: number;
};

function totalFromItem(item: TotalItem): DailyTotal {
  return {
    scopeKey: item.scopeKey,
    label: item.label,
    day: dayFromKey(item.day),
    ...totalsOf(item),
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
}

type PeriodTotalItem = Partial<UsageTotals> & {
  scopeKey: string;
  periodKey: string;
  label: string;
  samples?: Array<{ at: string; costUsdMicros: number }>;
  updatedAt: string;
  expiresAt: number;
};

function periodTotalToItem(t: PeriodTotal): PeriodTotalItem {
  return defined({
    scopeKey: t.scopeKey,
    periodKey: t.periodKey,
    label: t.label,
    ...totalsOf(t),
    samples: t.samples?.map((x) => ({ at: x.at, costUsdMicros: x.costUsdMicros })),
    updatedAt: t.updatedAt,
    expiresAt: t.expiresAt,
  });
}

function periodTotalFromItem(item: PeriodTotalItem): PeriodTotal {
  const out: PeriodTotal = {
    scopeKey: item.scopeKey,
    periodKey: item.periodKey,
    label: item.label,
    ...totalsOf(item),
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
  if (item.samples) out.samples = item.samples.map((x) => ({ at: x.at, costUsdMicros: x.costUsdMicros }));
  return out;
}

type CounterItem = Partial<UsageTotals> & {
  scopeKey: string;
  day: string;
  label: string;
  shard: number;
  expiresAt?: number;
};

type PricingItem = {
  day: string;
  bedrockModelId: string;
  regionKey: string;
  region?: string;
  price: unknown;
  origin: 'PRICING_API' | 'CONFIG';
  version: string;
  expiresAt: number;
};

function pricingToItem(p: PricingEntry): PricingItem {
  return defined({
    day: p.day,
    bedrockModelId: p.bedrockModelId,
    regionKey: p.region ?? GLOBAL_REGION,
    region: p.region,
    price: defined({ ...p.price }),
    origin: p.origin,
    version: p.version,
    expiresAt: p.expiresAt,
  });
}

function pricingFromItem(item: PricingItem): PricingEntry {
  return defined({
    day: item.day,
    bedrockModelId: item.bedrockModelId,
    region: item.region,
    price: { ...(item.price as LabelPrice) },
    origin: item.origin,
    version: item.version,
    expiresAt: item.expiresAt,
  });
}

// ---------------------------------------------------------------------------------------------
// Ports

function tenantDirectory({ service, e }: Ctx): TenantDirectory {
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
      try {
        await e.org
          .put(orgToItem(org))
          .where((a, op) => op.exists(a.orgId))
          .go();
        return 'updated';
      } catch (error) {
        if (isConditionalFailure(error)) return 'missing';
        throw error;
      }
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
      try {
        await e.app
          .put(appToItem(app))
          .where((a, op) => op.exists(a.appId))
          .go();
        return 'updated';
      } catch (error) {
        if (isConditionalFailure(error)) return 'missing';
        throw error;
      }
    },
    async listApps(orgId) {
      const { data } = await e.app.query.primary({ orgId }).go({ pages: 'all' });
      return data.map(appFromItem).sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
    },
  };
}

function credentialStore({ e }: Ctx): CredentialStore {
  return {
    async get(clientId) {
      const { data } = await e.credential.get({ clientId }).go();
      return data ? credentialFromItem(data) : undefined;
    },
    async replace(next, expectedVersion) {
      try {
        await e.credential
          .put(credentialToItem(next))
          .where((a, op) => op.eq(a.secretVersion, expectedVersion))
          .go();
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },
  };
}

function inferenceProfiles({ e }: Ctx): InferenceProfiles {
  return {
    async register(profile) {
      try {
        await e.profile
          .create(
            defined({
              orgId: profile.orgId,
              appId: profile.appId,
              profileLabel: profile.profileLabel,
              inferenceProfileArn: profile.inferenceProfileArn,
              description: profile.description,
              createdAt: profile.createdAt,
            }),
          )
          .go();
        return 'registered';
      } catch (error) {
        if (isConditionalFailure(error)) return 'exists';
        throw error;
      }
    },
    async get(orgId, appId, profileLabel) {
      const { data } = await e.profile.get({ orgId, appId, profileLabel }).go();
      return data ? profileFromItem(data) : undefined;
    },
    async list(orgId, appId) {
      const { data } = await e.profile.query.primary({ orgId, appId }).go({ pages: 'all' });
      return data
        .filter((p) => p.appId === appId)
        .map(profileFromItem)
        .sort((a, b) => (a.profileLabel < b.profileLabel ? -1 : a.profileLabel > b.profileLabel ? 1 : 0));
    },
  };
}

function stickyStates({ e }: Ctx): StickyStates {
  return {
    async get(scopeKey, day, now) {
      const { data } = await e.sticky.get({ scopeKey, day: dayToKey(day) }).go();
      if (!data || isExpired(data.expiresAt, now.getTime())) return undefined;
      return stickyFromItem(data);
    },
    async advance(state, now) {
      const nowSecs = Math.floor(now.getTime() / 1000);
      try {
        await e.sticky
          .put({
            scopeKey: state.scopeKey,
            day: dayToKey(state.day),
            label: state.label,
            index: state.index,
            previousLabel: state.previousLabel,
            reason: state.reason,
            updatedAt: state.updatedAt,
            expiresAt: state.expiresAt,
          })
          .where(
            (a, op) =>
              `${op.notExists(a.index)} OR ${op.lt(a.index, state.index)} OR ${op.lte(a.expiresAt, nowSecs)}`,
          )
          .go();
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },
  };
}

function counterKey(scopeKey: string, label: string, day: string, shard: number) {
  return { scopeKey, label, day: dayToKey(day), shard };
}

function usageCounters({ service, e, raw }: Ctx): UsageCounters {
  return {
    async recordOnce(record: UsageRecord): Promise<RecordOutcome> {
      const day = dayToKey(record.day);
      const recordItem = defined({
        scopeKey: record.scopeKey,
        requestId: record.requestId,
        orgId: record.orgId,
        appId: record.appId,
        label: record.label,
        bedrockModelId: record.bedrockModelId,
        callingRegion: record.callingRegion,
        day,
        shard: record.shard,
        status: record.status,
        timestamp: record.timestamp,
        recordedAt: record.recordedAt,
        tags: record.tags ? { ...record.tags } : undefined,
        ...totalsOf(record),
        counterExpiresAt: record.counterExpiresAt,
        expiresAt: record.expiresAt,
      });
      const recordedAt = new Date(record.recordedAt);
      const writtenAt = Number.isNaN(recordedAt.getTime()) ? new Date() : recordedAt;
      const increment = totalsOf(record);

      for (let round = 0; ; round++) {
        const result = await writeTransaction((token) =>
          service.transaction
            .write(({ usageRecord, counter }) => [
              // Conditional create (attribute_not_exists): the exactly-once marker. `all_old` makes a
              // cancellation return the stored record, so a duplicate costs no extra read.
              usageRecord.create(recordItem).commit({ response: 'all_old' }),
              // upsert (not update): update().add() would not write the change-feed GSI keys.
              counter
                .upsert(counterKey(record.scopeKey, record.label, record.day, record.shard))
                .add(increment)
                .set({
                  feedPartition: feedPartition(record.scopeKey, record.label),
                  writtenBucket: minuteBucket(writtenAt),
                  updatedAt: record.recordedAt,
                  expiresAt: record.counterExpiresAt,
                })
                .commit(),
            ])
            .go({ token }),
        );
        if (!result.canceled) return { duplicate: false };
        const reason = result.data[0];
        if (reason?.code !== 'ConditionalCheckFailed') {
          throw new Error(`Usage transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`);
        }
        let stored = reason.item as {
          costUsdMicros?: number;
          shard: number;
          label: string;
          day: string;
        } | null;
        if (!stored) {
          // Only when the store does not return the item with the cancellation reason.
          stored = (await e.usageRecord.get({ scopeKey: record.scopeKey, requestId: record.requestId }).go())
            .data;
        }
        if (stored) {
          return {
            duplicate: true,
            costUsdMicros: stored.costUsdMicros ?? 0,
            shard: stored.shard,
            label: stored.label,
            day: dayFromKey(stored.day),
          };
        }
        // The record vanished between the cancellation and the read (TTL deletion): try again.
        if (round >= MAX_RETRY_ROUNDS) throw new StorageUnavailableError('Usage record kept changing');
      }
    },

    async sumShards(group: CounterGroup, shardCount: number): Promise<UsageTotals> {
      const keys: Key[] = [];
      for (let shard = 0; shard < shardCount; shard++) {
        keys.push(
          e.counter.get(counterKey(group.scopeKey, group.label, group.day, shard)).params().Key as Key,
        );
      }
      const sum = zero();
      for (const item of parseAll<CounterItem>(e.counter, await raw(keys))) addInto(sum, item);
      return sum;
    },
  };
}

function dailyTotals({ e }: Ctx): DailyTotals {
  const forScopeDay = async (scopeKey: string, day: string): Promise<DailyTotal[]> => {
    const { data } = await e.dailyTotal.query.primary({ scopeKey, day: dayToKey(day) }).go({ pages: 'all' });
    return data.map(totalFromItem).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  };
  return {
    async put(totals) {
      const unique = new Map<string, DailyTotal>();
      for (const t of totals) unique.set(`${t.scopeKey}\u0000${t.day}\u0000${t.label}`, t);
      const items = [...unique.values()].map((t) => ({
        scopeKey: t.scopeKey,
        day: dayToKey(t.day),
        label: t.label,
        ...totalsOf(t),
        updatedAt: t.updatedAt,
        expiresAt: t.expiresAt,
      }));
      await batchPut(items, (part) => e.dailyTotal.put(part).go());
    },
    forScopeDay,
    async forScopesDay(scopeKeys, day) {
      const unique = [...new Set(scopeKeys)];
      const lists = await Promise.all(unique.map((scopeKey) => forScopeDay(scopeKey, day)));
      return new Map(unique.map((scopeKey, i) => [scopeKey, lists[i]!]));
    },
  };
}

/**
 * BatchWriteItem puts through ElectroDB (which chunks at 25), retrying the unprocessed items it
 * hands back (ElectroDB does not retry them itself).
 */
async function batchPut<T>(
  items: T[],
  put: (part: T[]) => Promise<{ unprocessed: unknown[] }>,
): Promise<void> {
  await Promise.all(
    chunk(items, BATCH_WRITE_LIMIT).map(async (part) => {
      let pending = part;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt > MAX_RETRY_ROUNDS) {
            throw new StorageUnavailableError(
              `BatchWriteItem left ${pending.length} items unprocessed after retries`,
            );
          }
          await backoff(attempt);
        }
        const { unprocessed } = await put(pending);
        pending = unprocessed as T[];
      }
    }),
  );
}

function periodTotalKey(e: Entities, k: PeriodTotalKey): Key {
  return e.periodTotal.get({ scopeKey: k.scopeKey, periodKey: k.periodKey, label: k.label }).params()
    .Key as Key;
}

/** The unexpired period totals among `items`, keyed by periodTotalId. */
function periodsFrom(e: Entities, items: RawItem[], nowMs: number): Map<string, PeriodTotal> {
  const out = new Map<string, PeriodTotal>();
  for (const item of parseAll<PeriodTotalItem>(e.periodTotal, items)) {
    if (isExpired(item.expiresAt, nowMs)) continue;
    const total = periodTotalFromItem(item);
    out.set(periodTotalId(total), total);
  }
  return out;
}

function periodTotals({ e, raw }: Ctx): PeriodTotals {
  return {
    async put(totals) {
      const unique = new Map<string, PeriodTotalItem>();
      for (const t of totals) unique.set(periodTotalId(t), periodTotalToItem(t));
      await batchPut([...unique.values()], (part) => e.periodTotal.put(part).go());
    },
    async get(keys, now) {
      if (keys.length === 0) return new Map();
      const items = await raw(
        keys.map((k) => periodTotalKey(e, k)),
        true,
      );
      return periodsFrom(e, items, now.getTime());
    },
  };
}

function spendReader({ e, raw }: Ctx): SpendReader {
  return {
    async read(query, now): Promise<SpendSnapshot> {
      const day = dayToKey(query.day);
      const keys: Key[] = [];
      for (const label of new Set(query.totalsFor)) {
        keys.push(e.dailyTotal.get({ scopeKey: query.scopeKey, day, label }).params().Key as Key);
      }
      const liveLabels = [...new Set(query.liveFor)];
      for (const label of liveLabels) {
        for (let shard = 0; shard < query.shardCount; shard++) {
          keys.push(e.counter.get(counterKey(query.scopeKey, label, query.day, shard)).params().Key as Key);
        }
      }
      if (query.withSticky) keys.push(e.sticky.get({ scopeKey: query.scopeKey, day }).params().Key as Key);
      for (const period of query.periods ?? []) keys.push(periodTotalKey(e, period));

      const snapshot: SpendSnapshot = { totals: new Map(), live: new Map(), periods: new Map() };
      for (const label of liveLabels) snapshot.live.set(label, zero());
      if (keys.length === 0) return snapshot;

      const nowMs = now.getTime();
      const groups = byEntity(await raw(keys));
      const wanted = new Set(query.totalsFor);
      for (const item of parseAll<TotalItem>(e.dailyTotal, groups.get('dailyTotal') ?? [])) {
        if (isExpired(item.expiresAt, nowMs) || !wanted.has(item.label)) continue;
        snapshot.totals.set(item.label, totalFromItem(item));
      }
      for (const item of parseAll<CounterItem>(e.counter, groups.get('counter') ?? [])) {
        if (isExpired(item.expiresAt, nowMs)) continue;
        const live = snapshot.live.get(item.label);
        if (live) addInto(live, item);
      }
      const [sticky] = parseAll<StickyItem>(e.sticky, groups.get('sticky') ?? []);
      if (sticky && !isExpired(sticky.expiresAt, nowMs)) snapshot.sticky = stickyFromItem(sticky);
      snapshot.periods = periodsFrom(e, groups.get('periodTotal') ?? [], nowMs);
      return snapshot;
    },
  };
}

function pricingCache({ e, raw }: Ctx): PricingCache {
  return {
    async find(day, bedrockModelId, region, now) {
      const keys: Key[] = [
        e.pricing.get({ day, bedrockModelId, regionKey: GLOBAL_REGION }).params().Key as Key,
      ];
      if (region !== undefined)
        keys.push(e.pricing.get({ day, bedrockModelId, regionKey: region }).params().Key as Key);
      const found: { regional?: PricingEntry; global?: PricingEntry } = {};
      for (const item of parseAll<PricingItem>(e.pricing, await raw(keys))) {
        if (isExpired(item.expiresAt, now.getTime())) continue;
        if (item.regionKey === GLOBAL_REGION) found.global = pricingFromItem(item);
        else if (item.regionKey === region) found.regional = pricingFromItem(item);
      }
      return found;
    },
    async put(entries) {
      const unique = new Map<string, PricingItem>();
      for (const entry of entries) {
        const item = pricingToItem(entry);
        unique.set(`${item.day}\u0000${item.bedrockModelId}\u0000${item.regionKey}`, item);
      }
      await batchPut([...unique.values()], (part) => e.pricing.put(part).go());
    },
  };
}

function revokedTokens({ e, raw }: Ctx): RevokedTokens {
  return {
    async revoke(jti, expiresAt) {
      // Idempotent, and a revocation never shortens: the latest expiry wins.
      try {
        await e.revokedToken
          .put({ jti, expiresAt })
          .where((a, op) => `${op.notExists(a.expiresAt)} OR ${op.lt(a.expiresAt, expiresAt)}`)
          .go();
      } catch (error) {
        if (!isConditionalFailure(error)) throw error; // already revoked at least as long
      }
    },
    async anyRevoked(jtis, now) {
      if (jtis.length === 0) return false;
      const keys = [...new Set(jtis)].map((jti) => e.revokedToken.get({ jti }).params().Key as Key);
      const items = parseAll<{ jti: string; expiresAt: number }>(e.revokedToken, await raw(keys));
      return items.some((item) => !isExpired(item.expiresAt, now.getTime()));
    },
  };
}

function changeFeed({ e }: Ctx): ChangeFeed {
  return {
    async changedGroups(days, since) {
      const fromBucket = since ? minuteBucket(since) : undefined;
      const queries: Array<Promise<{ data: Array<{ scopeKey: string; label: string; day: string }> }>> = [];
      for (const day of new Set(days)) {
        for (let k = 0; k < FEED_PARTITIONS; k++) {
          const q = e.counter.query.feed({ day: dayToKey(day), feedPartition: k });
          const page = fromBucket === undefined ? q : q.gte({ writtenBucket: fromBucket });
          queries.push(page.go({ pages: 'all', attributes: ['scopeKey', 'label', 'day'] }));
        }
      }
      const groups = new Map<string, CounterGroup>();
      for (const { data } of await Promise.all(queries)) {
        for (const item of data) {
          const group = { scopeKey: item.scopeKey, label: item.label, day: dayFromKey(item.day) };
          groups.set(`${group.scopeKey}\u0000${group.label}\u0000${group.day}`, group);
        }
      }
      return [...groups.values()];
    },
  };
}

function workerLease({ e }: Ctx): WorkerLease {
  return {
    async tryAcquire(name, owner, now, ttlSecs): Promise<LeaseGrant> {
      const nowMs = now.getTime();
      const heldUntil = nowMs + ttlSecs * 1000;
      try {
        const { data } = await e.lease
          .upsert({ name })
          .set({ owner, heldUntil, expiresAt: Math.ceil(heldUntil / 1000) + LEASE_RETENTION_SECS })
          .where(
            (a, op) =>
              `${op.notExists(a.owner)} OR ${op.eq(a.owner, owner)} OR ${op.lte(a.heldUntil, nowMs)}`,
          )
          .go({ response: 'all_new' });
        const grant: LeaseGrant = { acquired: true };
        if (typeof data?.cursor === 'string') grant.cursor = data.cursor;
        return grant;
      } catch (error) {
        if (isConditionalFailure(error)) return { acquired: false };
        throw error;
      }
    },
    async release(name, owner, cursor) {
      try {
        // Frees the lease (no owner, heldUntil 0); keeps the previous cursor when none is given.
        const update = e.lease
          .patch({ name })
          .set(cursor === undefined ? { heldUntil: 0 } : { heldUntil: 0, cursor });
        await update
          .remove(['owner'])
          .where((a, op) => op.eq(a.owner, owner))
          .go();
      } catch (error) {
        if (isConditionalFailure(error)) return; // not the holder (or no lease): nothing to release
        throw error;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Wraps every method of a port so that unavailability surfaces as StorageUnavailableError. */
function guarded<T extends object>(port: T): T {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(port)) {
    out[name] =
      typeof fn === 'function'
        ? (...args: unknown[]) => guard(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args))
        : fn;
  }
  return out as T;
}

/**
 * Every storage port on one DynamoDB table through ElectroDB. The client is used as given (configure
 * retries on it: adaptive retry mode is recommended); errors meaning "throttled, unreachable or
 * 5xx after retries" are thrown as StorageUnavailableError.
 */
export function createDynamoAdapters({ client, tableName }: DynamoAdapterOptions): StorageAdapters {
  const service = createService(client, tableName);
  const doc = documentClient(client);
  const ctx: Ctx = {
    service,
    e: service.entities,
    raw: (keys, consistent) => batchGetRaw(doc, tableName, keys, consistent),
  };
  return {
    tenants: guarded(tenantDirectory(ctx)),
    credentials: guarded(credentialStore(ctx)),
    profiles: guarded(inferenceProfiles(ctx)),
    sticky: guarded(stickyStates(ctx)),
    counters: guarded(usageCounters(ctx)),
    totals: guarded(dailyTotals(ctx)),
    periodTotals: guarded(periodTotals(ctx)),
    spend: guarded(spendReader(ctx)),
    pricing: guarded(pricingCache(ctx)),
    revocations: guarded(revokedTokens(ctx)),
    changeFeed: guarded(changeFeed(ctx)),
    lease: guarded(workerLease(ctx)),
    async ping() {
      // Bounded: whatever stops the round trip (error, abort, no answer in time) is "unavailable".
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('DynamoDB did not answer the ping in time')),
          PING_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([
          ctx.e.lease.get({ name: '__ping__' }).go({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) }),
          timeout,
        ]);
      } catch (error) {
        throw error instanceof StorageUnavailableError
          ? error
          : new StorageUnavailableError(undefined, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
