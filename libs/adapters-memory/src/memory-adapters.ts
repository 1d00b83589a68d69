import {
  addTotals,
  addTotalsInto,
  stickyMayAdvance,
  ZERO_TOTALS,
  type App,
  type ChangeFeed,
  type CounterGroup,
  type Credential,
  type CredentialStore,
  type DailyTotal,
  type DailyTotals,
  type PeriodTotal,
  type PeriodTotals,
  periodTotalId,
  type InferenceProfile,
  type InferenceProfiles,
  type Org,
  type PricingCache,
  type PricingEntry,
  type RecordOutcome,
  type RevokedTokens,
  type SpendReader,
  type SpendSnapshot,
  type StickyState,
  type StickyStates,
  type StorageAdapters,
  type TenantDirectory,
  type UsageCounters,
  type UsageRecord,
  type UsageTotals,
  type WorkerLease,
} from '#core-domain';
import { createAlertStores } from './alerts-memory.js';
import { createAuditStore } from './audit-memory.js';
import { createRecordStore } from './records-memory.js';
import { createRollupStore } from './rollups-memory.js';
import { copy, epoch, live } from './copy.js';

/**
 * In-memory implementations of every storage port: plain Maps. Every conditional write checks and
 * writes in one synchronous step after its single await, so concurrent async callers in one
 * process see real compare-and-set semantics. Values are copied in and out, never shared.
 */
export interface MemoryAdapters extends StorageAdapters {
  /** Makes every call fail with the given error until cleared (fault tests). */
  failWith(error: Error | undefined): void;
}

export function createMemoryAdapters(): MemoryAdapters {
  const orgs = new Map<string, Org>();
  const apps = new Map<string, App>(); // `${org}|${app}`
  const credentials = new Map<string, Credential>();
  const profiles = new Map<string, InferenceProfile>(); // `${org}|${app}|${label}`
  const sticky = new Map<string, StickyState>(); // `${scope}|${day}`
  // scope -> request id -> what a duplicate is answered with: the record as the record store keeps
  // it (one object per event, not a second copy), keyed by its own request id string (no key string
  // per event: docs/performance.md, "Lean comparison").
  const records = new Map<
    string,
    Map<string, Pick<UsageRecord, 'costUsdMicros' | 'shard' | 'label' | 'day'>>
  >();
  // Per counter group (`${scope}|${label}|${day}`): its shard counters (by shard number) and when it
  // was last written (the last record's recordedAt, for the change feed: parsed only when the feed is
  // read, not on every event).
  const groups = new Map<
    string,
    { group: CounterGroup; recordedAt: string; shards: (UsageTotals | undefined)[] }
  >();
  const totals = new Map<string, DailyTotal>(); // `${scope}|${day}|${label}`
  const periods = new Map<string, PeriodTotal>(); // periodTotalId
  const pricing = new Map<string, PricingEntry>(); // `${day}|${model}|${region ?? ''}`
  const revoked = new Map<string, number>(); // jti -> expires_at
  const leases = new Map<string, { owner?: string; expiresAt: number; cursor?: string }>();
  let failure: Error | undefined;

  /** The single await every call makes: a real async boundary, then a fault check. */
  const tick = async (): Promise<void> => {
    await Promise.resolve();
    if (failure) throw failure;
  };
  const audit = createAuditStore(tick);
  const recordStore = createRecordStore(tick);

  const tenants: TenantDirectory = {
    async getOrg(orgId) {
      await tick();
      const org = orgs.get(orgId);
      return org && copy(org);
    },
    async createOrg(org, credential, entries) {
      await tick();
      if (orgs.has(org.orgId) || credentials.has(credential.clientId)) return 'exists';
      audit.check(entries);
      orgs.set(org.orgId, copy(org));
      credentials.set(credential.clientId, copy(credential));
      audit.commit(entries);
      return 'created';
    },
    async updateOrg(org, entries) {
      await tick();
      if (!orgs.has(org.orgId)) return 'missing';
      audit.check(entries);
      orgs.set(org.orgId, copy(org));
      audit.commit(entries);
      return 'updated';
    },
    async getApp(orgId, appId) {
      await tick();
      const app = apps.get(`${orgId}|${appId}`);
      return app && copy(app);
    },
    async createApp(app, credential, entries) {
      await tick();
      const key = `${app.orgId}|${app.appId}`;
      if (apps.has(key) || credentials.has(credential.clientId)) return 'exists';
      audit.check(entries);
      apps.set(key, copy(app));
      credentials.set(credential.clientId, copy(credential));
      audit.commit(entries);
      return 'created';
    },
    async updateApp(app, entries) {
      await tick();
      const key = `${app.orgId}|${app.appId}`;
      if (!apps.has(key)) return 'missing';
      audit.check(entries);
      apps.set(key, copy(app));
      audit.commit(entries);
      return 'updated';
    },
    async listApps(orgId) {
      await tick();
      return [...apps.values()]
        .filter((a) => a.orgId === orgId)
        .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0))
        .map(copy);
    },
  };

  const credentialStore: CredentialStore = {
    async get(clientId) {
      await tick();
      const c = credentials.get(clientId);
      return c && copy(c);
    },
    async replace(next, expectedVersion, entries) {
      await tick();
      const current = credentials.get(next.clientId);
      if (!current || current.secretVersion !== expectedVersion) return false;
      audit.check(entries);
      credentials.set(next.clientId, copy(next));
      audit.commit(entries);
      return true;
    },
  };

  const profileStore: InferenceProfiles = {
    async register(profile, entries) {
      await tick();
      const key = `${profile.orgId}|${profile.appId}|${profile.profileLabel}`;
      if (profiles.has(key)) return 'exists';
      audit.check(entries);
      profiles.set(key, copy(profile));
      audit.commit(entries);
      return 'registered';
    },
    async get(orgId, appId, label) {
      await tick();
      const p = profiles.get(`${orgId}|${appId}|${label}`);
      return p && copy(p);
    },
    async list(orgId, appId) {
      await tick();
      return [...profiles.values()]
        .filter((p) => p.orgId === orgId && p.appId === appId)
        .sort((a, b) => (a.profileLabel < b.profileLabel ? -1 : a.profileLabel > b.profileLabel ? 1 : 0))
        .map(copy);
    },
  };

  const stickyStates: StickyStates = {
    async get(scopeKey, day, now) {
      await tick();
      const s = sticky.get(`${scopeKey}|${day}`);
      return s && live(s.expiresAt, now) ? copy(s) : undefined;
    },
    async advance(state, now) {
      await tick();
      const key = `${state.scopeKey}|${state.day}`;
      const current = sticky.get(key);
      const effective = current && live(current.expiresAt, now) ? current : undefined;
      if (!stickyMayAdvance(effective, state)) return false;
      sticky.set(key, copy(state));
      return true;
    },
  };

  const sumShardsNow = (group: CounterGroup, shardCount: number): UsageTotals => {
    const sum: UsageTotals = { ...ZERO_TOTALS };
    const shards = groups.get(`${group.scopeKey}|${group.label}|${group.day}`)?.shards;
    if (!shards) return sum;
    const n = Math.min(shardCount, shards.length);
    for (let shard = 0; shard < n; shard++) {
      const c = shards[shard];
      if (c) addTotalsInto(sum, c);
    }
    return sum;
  };

  const usageCounters: UsageCounters = {
    async recordOnce(record): Promise<RecordOutcome> {
      await tick();
      let seen = records.get(record.scopeKey);
      if (!seen) records.set(record.scopeKey, (seen = new Map()));
      const existing = seen.get(record.requestId);
      if (existing) {
        return {
          duplicate: true,
          costUsdMicros: existing.costUsdMicros,
          shard: existing.shard,
          label: existing.label,
          day: existing.day,
        };
      }
      // The marker is the stored record itself (the record store keeps it anyway for the reads).
      const stored = recordStore.add(record);
      seen.set(stored.requestId, stored);
      const groupKey = `${record.scopeKey}|${record.label}|${record.day}`;
      let g = groups.get(groupKey);
      if (g) g.recordedAt = record.recordedAt;
      else {
        g = {
          group: { scopeKey: record.scopeKey, label: record.label, day: record.day },
          recordedAt: record.recordedAt,
          shards: [],
        };
        groups.set(groupKey, g);
      }
      // The counters never leave this module uncopied (sumShardsNow adds them into a new object), so
      // one is added to in place rather than replaced by a new object per event.
      const counter = g.shards[record.shard];
      if (counter) addTotalsInto(counter, record);
      else g.shards[record.shard] = addTotals(ZERO_TOTALS, record);
      return { duplicate: false };
    },
    async sumShards(group, shardCount) {
      await tick();
      return sumShardsNow(group, shardCount);
    },
  };

  const dailyTotals: DailyTotals = {
    async put(list) {
      await tick();
      for (const t of list) totals.set(`${t.scopeKey}|${t.day}|${t.label}`, copy(t));
    },
    async forScopeDay(scopeKey, day) {
      await tick();
      return [...totals.values()].filter((t) => t.scopeKey === scopeKey && t.day === day).map(copy);
    },
    async forScopesDay(scopeKeys, day) {
      await tick();
      const out = new Map<string, DailyTotal[]>();
      for (const scopeKey of scopeKeys) out.set(scopeKey, []);
      for (const t of totals.values()) {
        if (t.day === day && out.has(t.scopeKey)) out.get(t.scopeKey)!.push(copy(t));
      }
      return out;
    },
  };

  const readPeriods = (
    keys: readonly { scopeKey: string; periodKey: string; label: string }[],
    now: Date,
  ) => {
    const out = new Map<string, PeriodTotal>();
    for (const k of keys) {
      const id = periodTotalId(k);
      const t = periods.get(id);
      if (t && live(t.expiresAt, now)) out.set(id, copy(t));
    }
    return out;
  };

  const periodTotals: PeriodTotals = {
    async put(list) {
      await tick();
      for (const t of list) periods.set(periodTotalId(t), copy(t));
    },
    async get(keys, now) {
      await tick();
      return readPeriods(keys, now);
    },
  };

  const spend: SpendReader = {
    async read(q, now): Promise<SpendSnapshot> {
      await tick();
      const snapshot: SpendSnapshot = {
        totals: new Map(),
        live: new Map(),
        periods: readPeriods(q.periods ?? [], now),
      };
      for (const label of q.totalsFor) {
        const t = totals.get(`${q.scopeKey}|${q.day}|${label}`);
        if (t && live(t.expiresAt, now)) snapshot.totals.set(label, copy(t));
      }
      for (const label of q.liveFor) {
        snapshot.live.set(label, sumShardsNow({ scopeKey: q.scopeKey, label, day: q.day }, q.shardCount));
      }
      if (q.withSticky) {
        const s = sticky.get(`${q.scopeKey}|${q.day}`);
        if (s && live(s.expiresAt, now)) snapshot.sticky = copy(s);
      }
      return snapshot;
    },
  };

  const pricingCache: PricingCache = {
    async find(day, modelId, region, now) {
      await tick();
      const get = (r: string) => {
        const e = pricing.get(`${day}|${modelId}|${r}`);
        return e && live(e.expiresAt, now) ? copy(e) : undefined;
      };
      const out: { regional?: PricingEntry; global?: PricingEntry } = {};
      const regional = region ? get(region) : undefined;
      const global = get('');
      if (regional) out.regional = regional;
      if (global) out.global = global;
      return out;
    },
    async put(entries) {
      await tick();
      for (const e of entries) pricing.set(`${e.day}|${e.bedrockModelId}|${e.region ?? ''}`, copy(e));
    },
  };

  const revocations: RevokedTokens = {
    async revoke(jti, expiresAt, entries) {
      await tick();
      audit.check(entries);
      revoked.set(jti, Math.max(expiresAt, revoked.get(jti) ?? 0));
      audit.commit(entries);
    },
    async anyRevoked(jtis, now) {
      await tick();
      return jtis.some((j) => {
        const exp = revoked.get(j);
        return exp !== undefined && live(exp, now);
      });
    },
  };

  const changeFeed: ChangeFeed = {
    async changedGroups(days, since) {
      await tick();
      const wanted = new Set(days);
      const out: CounterGroup[] = [];
      const from = since?.getTime();
      for (const { group, recordedAt } of groups.values()) {
        if (wanted.has(group.day) && (from === undefined || Date.parse(recordedAt) >= from))
          out.push({ ...group });
      }
      return out;
    },
  };

  const lease: WorkerLease = {
    async tryAcquire(name, owner, now, ttlSecs) {
      await tick();
      const current = leases.get(name);
      const free =
        !current || current.owner === undefined || current.owner === owner || current.expiresAt <= epoch(now);
      if (!free) return { acquired: false };
      const next: { owner?: string; expiresAt: number; cursor?: string } = {
        owner,
        expiresAt: epoch(now) + ttlSecs,
      };
      if (current?.cursor !== undefined) next.cursor = current.cursor;
      leases.set(name, next);
      return current?.cursor !== undefined ? { acquired: true, cursor: current.cursor } : { acquired: true };
    },
    async release(name, owner, cursor) {
      await tick();
      const current = leases.get(name);
      if (!current || current.owner !== owner) return;
      const next: { owner?: string; expiresAt: number; cursor?: string } = { expiresAt: 0 };
      const keep = cursor ?? current.cursor;
      if (keep !== undefined) next.cursor = keep;
      leases.set(name, next);
    },
  };

  return {
    tenants,
    credentials: credentialStore,
    profiles: profileStore,
    sticky: stickyStates,
    counters: usageCounters,
    records: recordStore.records,
    rollups: createRollupStore(tick),
    totals: dailyTotals,
    periodTotals,
    spend,
    pricing: pricingCache,
    revocations,
    changeFeed,
    lease,
    ...createAlertStores(tick, audit),
    audit: audit.audit,
    async ping() {
      await tick();
    },
    failWith(error) {
      failure = error;
    },
  };
}
