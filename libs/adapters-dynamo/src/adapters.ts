import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import { alertEvents, webhookEndpoints } from './alerts.adapter.js';
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
import { type Ctx, guarded } from './support.js';
import { tenantDirectory } from './tenants.adapter.js';
import { dailyTotals, periodTotals } from './totals.adapter.js';
import { spendReader, usageCounters } from './usage.adapter.js';

export interface DynamoAdapterOptions {
  client: DynamoDBClient;
  tableName: string;
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
    doc,
    tableName,
  };
  return {
    tenants: guarded(tenantDirectory(ctx)),
    credentials: guarded(credentialStore(ctx)),
    profiles: guarded(inferenceProfiles(ctx)),
    sticky: guarded(stickyStates(ctx)),
    counters: guarded(usageCounters(ctx)),
    records: guarded(usageRecords(ctx)),
    rollups: guarded(usageRollups(ctx)),
    totals: guarded(dailyTotals(ctx)),
    periodTotals: guarded(periodTotals(ctx)),
    spend: guarded(spendReader(ctx)),
    pricing: guarded(pricingCache(ctx)),
    revocations: guarded(revokedTokens(ctx)),
    changeFeed: guarded(changeFeed(ctx)),
    lease: guarded(workerLease(ctx)),
    alertEvents: guarded(alertEvents(ctx)),
    webhooks: guarded(webhookEndpoints(ctx)),
    deliveries: guarded(deliveries(ctx)),
    ping: () => ping(ctx),
  };
}
