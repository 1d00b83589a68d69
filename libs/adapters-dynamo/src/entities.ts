import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, Service } from 'electrodb';
import { makeAlertEntities } from './alert-entities.js';
import { makeAuditEntities } from './audit-entities.js';
import { makeRecordEntities } from './record-entities.js';
import { makeRollupEntities } from './rollup-entities.js';
import { FEED_INDEX, TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entities of the single table. Every key is an explicit template with
 * `casing: 'none'` (ElectroDB lower-cases keys by default), so docs/storage.md lists them as stored.
 * Days in keys are `YYYYMMDD`.
 */
const SERVICE = 'bck';

const ttl = { type: 'number', field: TTL_ATTRIBUTE } as const;

function makeEntities() {
  const org = new Entity({
    model: { entity: 'org', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      orgName: { type: 'string', required: true, field: 'org_name' },
      timezone: { type: 'string', required: true },
      quotaScope: { type: ['ORG', 'APP'] as const, required: true, field: 'quota_scope' },
      modelOrdering: { type: 'list', items: { type: 'string' }, required: true, field: 'model_ordering' },
      quotas: { type: 'any', required: true },
      /** Absent on items written before budgets existed: read as []. */
      budgets: { type: 'any' },
      settings: { type: 'any', required: true },
      createdAt: { type: 'string', required: true, field: 'created_at' },
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'TENANT#${orgId}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'ORG', casing: 'none' },
      },
    },
  });

  const app = new Entity({
    model: { entity: 'app', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      appId: { type: 'string', required: true, field: 'app_id' },
      appName: { type: 'string', required: true, field: 'app_name' },
      overrides: { type: 'any', required: true },
      createdAt: { type: 'string', required: true, field: 'created_at' },
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'TENANT#${orgId}', casing: 'none' },
        sk: { field: 'sk', composite: ['appId'], template: 'APP#${appId}', casing: 'none' },
      },
    },
  });

  const profile = new Entity({
    model: { entity: 'profile', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      appId: { type: 'string', required: true, field: 'app_id' },
      profileLabel: { type: 'string', required: true, field: 'profile_label' },
      inferenceProfileArn: { type: 'string', required: true, field: 'inference_profile_arn' },
      description: { type: 'string' },
      createdAt: { type: 'string', required: true, field: 'created_at' },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'TENANT#${orgId}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['appId', 'profileLabel'],
          template: 'PROFILE#${appId}#${profileLabel}',
          casing: 'none',
        },
      },
    },
  });

  const credential = new Entity({
    model: { entity: 'credential', version: '1', service: SERVICE },
    attributes: {
      clientId: { type: 'string', required: true, field: 'client_id' },
      orgId: { type: 'string', required: true, field: 'org_id' },
      appId: { type: 'string', field: 'app_id' },
      secretHash: { type: 'string', required: true, field: 'secret_hash' },
      secretVersion: { type: 'number', required: true, field: 'secret_version' },
      secretIssuedAt: { type: 'string', required: true, field: 'secret_issued_at' },
      previousSecretHash: { type: 'string', field: 'previous_secret_hash' },
      previousSecretVersion: { type: 'number', field: 'previous_secret_version' },
      previousSecretExpiresAt: { type: 'string', field: 'previous_secret_expires_at' },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['clientId'], template: 'CRED#${clientId}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'CRED', casing: 'none' },
      },
    },
  });

  const sticky = new Entity({
    model: { entity: 'sticky', version: '1', service: SERVICE },
    attributes: {
      scopeKey: { type: 'string', required: true, field: 'scope_key' },
      day: { type: 'string', required: true },
      label: { type: 'string', required: true },
      index: { type: 'number', required: true, field: 'idx' },
      previousLabel: { type: 'string', required: true, field: 'previous_label' },
      reason: { type: ['QUOTA_EXCEEDED'] as const, required: true },
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['scopeKey', 'day'],
          template: 'SCOPE#${scopeKey}#DAY#${day}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: 'STICKY', casing: 'none' },
      },
    },
  });

  const totals = {
    costUsdMicros: { type: 'number', field: 'cost_usd_micros' },
    inputTokens: { type: 'number', field: 'input_tokens' },
    outputTokens: { type: 'number', field: 'output_tokens' },
    cacheReadInputTokens: { type: 'number', field: 'cache_read_input_tokens' },
    cacheWriteInputTokens: { type: 'number', field: 'cache_write_input_tokens' },
    requests: { type: 'number' },
  } as const;

  const dailyTotal = new Entity({
    model: { entity: 'dailyTotal', version: '1', service: SERVICE },
    attributes: {
      scopeKey: { type: 'string', required: true, field: 'scope_key' },
      day: { type: 'string', required: true },
      label: { type: 'string', required: true },
      ...totals,
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['scopeKey', 'day'],
          template: 'SCOPE#${scopeKey}#DAY#${day}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: ['label'], template: 'TOTAL#${label}', casing: 'none' },
      },
    },
  });

  /**
   * The spend of one (scope, period, label | `*`), overwritten by the aggregator. `periodKey` is the
   * window module's (`D#2026-12-01`, `W#2026-11-30`, `M#2026-12`), stored as given.
   */
  const periodTotal = new Entity({
    model: { entity: 'periodTotal', version: '1', service: SERVICE },
    attributes: {
      scopeKey: { type: 'string', required: true, field: 'scope_key' },
      periodKey: { type: 'string', required: true, field: 'period_key' },
      label: { type: 'string', required: true },
      ...totals,
      /** Day periods only: recent values of the total, oldest first. */
      samples: {
        type: 'list',
        items: {
          type: 'map',
          properties: {
            at: { type: 'string', required: true },
            costUsdMicros: { type: 'number', required: true, field: 'cost_usd_micros' },
          },
        },
      },
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['scopeKey', 'periodKey'],
          template: 'PTOTAL#${scopeKey}#${periodKey}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: ['label'], template: 'LABEL#${label}', casing: 'none' },
      },
    },
  });

  /**
   * One shard of a (scope, label, day) counter. Also indexed in the change feed (gsi1): pk
   * `FEED#<day>#<k>` with k = feedPartition(scope, label), sk `B#<minute bucket of the last write>`.
   */
  const counter = new Entity({
    model: { entity: 'counter', version: '1', service: SERVICE },
    attributes: {
      scopeKey: { type: 'string', required: true, field: 'scope_key' },
      label: { type: 'string', required: true },
      day: { type: 'string', required: true },
      shard: { type: 'number', required: true },
      ...totals,
      feedPartition: { type: 'number', field: 'feed_k' },
      writtenBucket: { type: 'string', field: 'written_bucket' },
      updatedAt: { type: 'string', field: 'updated_at' },
      expiresAt: ttl,
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['scopeKey', 'day', 'label', 'shard'],
          template: 'CTR#${scopeKey}#DAY#${day}#LABEL#${label}#SHARD#${shard}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: 'CTR', casing: 'none' },
      },
      feed: {
        index: FEED_INDEX,
        pk: {
          field: 'gsi1pk',
          composite: ['day', 'feedPartition'],
          template: 'FEED#${day}#${feedPartition}',
          casing: 'none',
        },
        sk: { field: 'gsi1sk', composite: ['writtenBucket'], template: 'B#${writtenBucket}', casing: 'none' },
      },
    },
  });

  const pricing = new Entity({
    model: { entity: 'pricing', version: '1', service: SERVICE },
    attributes: {
      day: { type: 'string', required: true },
      bedrockModelId: { type: 'string', required: true, field: 'bedrock_model_id' },
      /** The region, or `*` for the model's global entry (composites cannot be absent). */
      regionKey: { type: 'string', required: true, field: 'region_key' },
      region: { type: 'string' },
      price: { type: 'any', required: true },
      origin: { type: ['PRICING_API', 'CONFIG'] as const, required: true },
      version: { type: 'string', required: true },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['day', 'bedrockModelId'],
          template: 'PRICE#${day}#${bedrockModelId}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: ['regionKey'], template: 'REGION#${regionKey}', casing: 'none' },
      },
    },
  });

  const revokedToken = new Entity({
    model: { entity: 'revokedToken', version: '1', service: SERVICE },
    attributes: {
      jti: { type: 'string', required: true },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['jti'], template: 'JTI#${jti}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'JTI', casing: 'none' },
      },
    },
  });

  const lease = new Entity({
    model: { entity: 'lease', version: '1', service: SERVICE },
    attributes: {
      name: { type: 'string', required: true },
      owner: { type: 'string' },
      /** Epoch milliseconds until which `owner` holds the lease (0 after a release). */
      heldUntil: { type: 'number', field: 'held_until' },
      cursor: { type: 'string' },
      /** Cleanup only (a week after the last hold): the lease logic reads `heldUntil`. */
      expiresAt: ttl,
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['name'], template: 'LEASE#${name}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'LEASE', casing: 'none' },
      },
    },
  });

  return {
    org,
    app,
    profile,
    credential,
    sticky,
    dailyTotal,
    periodTotal,
    counter,
    pricing,
    revokedToken,
    lease,
    ...makeAlertEntities(),
    ...makeAuditEntities(),
    ...makeRecordEntities(),
    ...makeRollupEntities(),
  };
}

/** The ElectroDB service over one client and table. */
export function createService(client: DynamoDBClient, table: string) {
  return new Service(makeEntities(), { client, table });
}

export type StorageService = ReturnType<typeof createService>;
export type Entities = StorageService['entities'];
