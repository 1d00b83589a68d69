import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import { alertEvents, webhookEndpoints } from './alerts.adapter.js';
import { auditLog } from './audit.adapter.js';
import { batchGetRaw, documentClient } from './batch.js';
import { credentialStore } from './credentials.adapter.js';
import { deliveries } from './deliveries.adapter.js';
import { createService } from './entities.js';
import { changeFeed, ping, revokedTokens, workerLease } from './infrastructure.adapter.js';
import { pricingCache } from './pricing.adapter.js';
import { usageRecords } from './records.adapter.js';
import { usageRollups } from './rollups.adapter.js';
import { inferenceProfiles } from './profiles.adapter.js';
import { stickyStates } from './sticky.adapter.js';
import { storageErrorKind, type StorageErrorListener } from './errors.js';
import { type Ctx, guarded } from './support.js';
import { tenantDirectory } from './tenants.adapter.js';
import { dailyTotals, periodTotals } from './totals.adapter.js';
import { spendReader, usageCounters } from './usage.adapter.js';

export interface DynamoAdapterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Told the kind of every failed storage call (metrics: storage_errors_total). */
  onStorageError?: StorageErrorListener;
}

/**
 * Every storage port on one DynamoDB table through ElectroDB. The client is used as given (configure
 * retries on it: adaptive retry mode is recommended); errors meaning "throttled, unreachable or
 * 5xx after retries" are thrown as StorageUnavailableError.
 */
export function createDynamoAdapters({
  client,
  tableName,
  onStorageError: onError,
}: DynamoAdapterOptions): StorageAdapters {
  const service = createService(client, tableName);
  const doc = documentClient(client);
  const ctx: Ctx = {
    service,
    e: service.entities,
    raw: (keys, consistent) => batchGetRaw(doc, tableName, keys, consistent),
    doc,
    tableName,
  };
  return {
    tenants: guarded(tenantDirectory(ctx), onError),
    credentials: guarded(credentialStore(ctx), onError),
    profiles: guarded(inferenceProfiles(ctx), onError),
    sticky: guarded(stickyStates(ctx), onError),
    counters: guarded(usageCounters(ctx), onError),
    records: guarded(usageRecords(ctx), onError),
    rollups: guarded(usageRollups(ctx), onError),
    totals: guarded(dailyTotals(ctx), onError),
    periodTotals: guarded(periodTotals(ctx), onError),
    spend: guarded(spendReader(ctx), onError),
    pricing: guarded(pricingCache(ctx), onError),
    revocations: guarded(revokedTokens(ctx), onError),
    changeFeed: guarded(changeFeed(ctx), onError),
    lease: guarded(workerLease(ctx), onError),
    alertEvents: guarded(alertEvents(ctx), onError),
    webhooks: guarded(webhookEndpoints(ctx), onError),
    deliveries: guarded(deliveries(ctx), onError),
    audit: guarded(auditLog(ctx), onError),
    ping: onError
      ? () =>
          ping(ctx).catch((error: unknown) => {
            onError(storageErrorKind(error));
            throw error;
          })
      : () => ping(ctx),
  };
}
