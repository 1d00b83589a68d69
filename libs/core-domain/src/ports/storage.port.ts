import { type AuditLog } from './audit-log.port.js';
import { type AlertEvents } from './alert-events.port.js';
import { type ChangeFeed } from './change-feed.port.js';
import { type CredentialStore } from './credential-store.port.js';
import { type DailyTotals } from './daily-totals.port.js';
import { type Deliveries } from './deliveries.port.js';
import { type InferenceProfiles } from './inference-profiles.port.js';
import { type PeriodTotals } from './period-totals.port.js';
import { type PricingCache } from './pricing-cache.port.js';
import { type RevokedTokens } from './revoked-tokens.port.js';
import { type SpendReader } from './spend-reader.port.js';
import { type StickyStates } from './sticky-states.port.js';
import { type TenantDirectory } from './tenant-directory.port.js';
import { type UsageCounters } from './usage-counters.port.js';
import { type UsageRecords } from './usage-records.port.js';
import { type UsageRollups } from './usage-rollups.port.js';
import { type WebhookEndpoints } from './webhook-endpoints.port.js';
import { type WorkerLease } from './worker-lease.port.js';

/** Everything a storage adapter provides: one object per adapter factory. */
export interface StorageAdapters {
  tenants: TenantDirectory;
  credentials: CredentialStore;
  profiles: InferenceProfiles;
  sticky: StickyStates;
  counters: UsageCounters;
  records: UsageRecords;
  rollups: UsageRollups;
  totals: DailyTotals;
  periodTotals: PeriodTotals;
  spend: SpendReader;
  pricing: PricingCache;
  revocations: RevokedTokens;
  changeFeed: ChangeFeed;
  lease: WorkerLease;
  alertEvents: AlertEvents;
  webhooks: WebhookEndpoints;
  deliveries: Deliveries;
  audit: AuditLog;
  /** Cheap round trip for health checks; throws StorageUnavailableError when storage does not answer. */
  ping(): Promise<void>;
}
export const STORAGE_ADAPTERS = Symbol('StorageAdapters');
