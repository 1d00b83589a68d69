import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, Service } from 'electrodb';
import { makeAlertEntities } from './alert-entities.js';
import { makeAuditEntities } from './audit-entities.js';
import { makeRollupEntities } from './rollup-entities.js';
import { FEED_INDEX, RECORDS_INDEX, TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entities of the single table. Every key is an explicit template with
 * `casing: 'none'` (ElectroDB lower-cases keys by default), so docs/storage.md lists them as stored.
 * Days in keys are `YYYYMMDD`.
 */
const SERVICE = 'bck';

const ttl = { type: 'number', field: TTL_ATTRIBUTE } as const;

/**
 * The stored attribute name of each usage record attribute (short: a record is written once per
 * event, with its `gsi2` entry, and each started KB is a write unit), and the name it had before
 * (items written until 2026-12-02, still read). `expires_at` is the table's TTL attribute and keeps
 * its name. docs/storage.md lists them.
 */
export const RECORD_FIELDS = {
  scopeKey: 's',
  requestId: 'r',
  orgId: 'o',
  appId: 'a',
  label: 'l',
  bedrockModelId: 'm',
  callingRegion: 'rg',
  profileArn: 'pa',
  priceSource: 'ps',
  priceVersion: 'pv',
  day: 'd',
  shard: 'h',
  status: 'st',
  timestamp: 't',
  recordedAt: 'ra',
  recordedDay: 'rd',
  feedK: 'k',
  retainUntil: 'ru',
  tags: 'tg',
  costUsdMicros: 'c',
  inputTokens: 'ti',
  outputTokens: 'to',
  cacheReadInputTokens: 'tr',
  cacheWriteInputTokens: 'tw',
  requests: 'n',
  counterExpiresAt: 'ce',
} as const;

/** The long attribute names of usage records written before RECORD_FIELDS (by attribute). */
const LEGACY_RECORD_FIELDS: Record<keyof typeof RECORD_FIELDS, string> = {
  scopeKey: 'scope_key',
  requestId: 'request_id',
  orgId: 'org_id',
  appId: 'app_id',
  label: 'label',
  bedrockModelId: 'bedrock_model_id',
  callingRegion: 'calling_region',
  profileArn: 'profile_arn',
  priceSource: 'price_source',
  priceVersion: 'price_version',
  day: 'day',
  shard: 'shard',
  status: 'status',
  timestamp: 'ts',
  recordedAt: 'recorded_at',
  recordedDay: 'recorded_day',
  feedK: 'feed_k',
  retainUntil: 'retain_until',
  tags: 'tags',
  costUsdMicros: 'cost_usd_micros',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadInputTokens: 'cache_read_input_tokens',
  cacheWriteInputTokens: 'cache_write_input_tokens',
  requests: 'requests',
  counterExpiresAt: 'counter_expires_at',
};

/**
 * The record attributes that its keys already carry: ElectroDB needs them to build the keys, but they
 * are not stored (`withoutKeyCopies`) and are read back from the keys (`upgradeRecordItem`). `day`
 * stays stored: a duplicate's answer needs it and comes from the cancellation's item, parsed by
 * ElectroDB without the keys.
 */
const KEY_COPIES = {
  // pk `REQ#{scopeKey}#{requestId}` (request ids are UUIDs, no `#`)
  scopeKey: (i: Record<string, unknown>) => between(i.pk, 'REQ#', (v) => v.slice(0, v.lastIndexOf('#'))),
  requestId: (i: Record<string, unknown>) => between(i.pk, 'REQ#', (v) => v.slice(v.lastIndexOf('#') + 1)),
  // gsi2pk `REC#{orgId}#{YYYYMMDD}`, gsi2sk `{timestamp}#{scopeKey}#{requestId}`
  orgId: (i: Record<string, unknown>) => between(i.gsi2pk, 'REC#', (v) => v.slice(0, v.lastIndexOf('#'))),
  timestamp: (i: Record<string, unknown>) => between(i.gsi2sk, '', (v) => v.slice(0, v.indexOf('#'))),
  // gsi1pk `RECFEED#{YYYYMMDD}#{k}`, gsi1sk `R#{recordedAt}#{scopeKey}#{requestId}`
  recordedDay: (i: Record<string, unknown>) =>
    between(i.gsi1pk, 'RECFEED#', (v) => v.slice(0, v.lastIndexOf('#'))),
  feedK: (i: Record<string, unknown>) =>
    between(i.gsi1pk, 'RECFEED#', (v) => Number(v.slice(v.lastIndexOf('#') + 1))),
  recordedAt: (i: Record<string, unknown>) => between(i.gsi1sk, 'R#', (v) => v.slice(0, v.indexOf('#'))),
} satisfies Partial<Record<keyof typeof RECORD_FIELDS, (item: Record<string, unknown>) => unknown>>;

function between<T>(key: unknown, prefix: string, take: (rest: string) => T): T | undefined {
  if (typeof key !== 'string' || !key.startsWith(prefix)) return undefined;
  return take(key.slice(prefix.length));
}

/** A record item (table form, from ElectroDB's put params) without the attributes its keys carry. */
export function withoutKeyCopies<T extends Record<string, unknown>>(item: T): T {
  const out: Record<string, unknown> = { ...item };
  for (const name of Object.keys(KEY_COPIES)) delete out[RECORD_FIELDS[name as keyof typeof KEY_COPIES]];
  return out as T;
}

/**
 * A raw usage record item with its attributes under RECORD_FIELDS names, the ones its keys carry
 * filled in from the keys: items written with the long
 * names (before 2026-12-02; exactly-once markers live `request_ttl_days`, records their retention)
 * are renamed, current items are returned as they are.
 */
export function upgradeRecordItem<T extends Record<string, unknown>>(item: T): T {
  const out: Record<string, unknown> = { ...item };
  if (item[RECORD_FIELDS.shard] === undefined && item[LEGACY_RECORD_FIELDS.shard] !== undefined) {
    for (const [name, legacy] of Object.entries(LEGACY_RECORD_FIELDS)) {
      if (!(legacy in out)) continue;
      out[RECORD_FIELDS[name as keyof typeof RECORD_FIELDS]] = out[legacy];
      delete out[legacy];
    }
  }
  for (const [name, fromKeys] of Object.entries(KEY_COPIES)) {
    const field = RECORD_FIELDS[name as keyof typeof KEY_COPIES];
    if (out[field] !== undefined) continue;
    const value = fromKeys(out);
    if (value !== undefined) out[field] = value;
  }
  return out as T;
}

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

  /**
   * The exactly-once marker of one usage event, carrying the whole record. Stored attribute names
   * are short (`RECORD_FIELDS`): a typical record stays under 1 KB, so the item and its `gsi2` entry
   * (all attributes) are one write unit each. Items written before (long names) are read through
   * `upgradeRecordItem`.
   */
  const f = RECORD_FIELDS;
  const usageRecord = new Entity({
    model: { entity: 'usageRecord', version: '1', service: SERVICE },
    attributes: {
      scopeKey: { type: 'string', required: true, field: f.scopeKey },
      requestId: { type: 'string', required: true, field: f.requestId },
      orgId: { type: 'string', required: true, field: f.orgId },
      appId: { type: 'string', required: true, field: f.appId },
      label: { type: 'string', required: true, field: f.label },
      bedrockModelId: { type: 'string', required: true, field: f.bedrockModelId },
      callingRegion: { type: 'string', field: f.callingRegion },
      profileArn: { type: 'string', field: f.profileArn },
      priceSource: { type: ['PRICING_API', 'CACHED', 'CONFIG_FALLBACK'] as const, field: f.priceSource },
      priceVersion: { type: 'string', field: f.priceVersion },
      day: { type: 'string', required: true, field: f.day },
      shard: { type: 'number', required: true, field: f.shard },
      status: { type: ['OK', 'ERROR'] as const, required: true, field: f.status },
      timestamp: { type: 'string', required: true, field: f.timestamp },
      recordedAt: { type: 'string', required: true, field: f.recordedAt },
      /** The record feed's partition: UTC day of recordedAt (`YYYYMMDD`) and fnv1a32(request id) % 16. */
      recordedDay: { type: 'string', field: f.recordedDay },
      feedK: { type: 'number', field: f.feedK },
      retainUntil: { type: 'number', field: f.retainUntil },
      tags: { type: 'any', field: f.tags },
      costUsdMicros: { type: 'number', required: true, field: f.costUsdMicros },
      inputTokens: { type: 'number', required: true, field: f.inputTokens },
      outputTokens: { type: 'number', required: true, field: f.outputTokens },
      cacheReadInputTokens: { type: 'number', required: true, field: f.cacheReadInputTokens },
      cacheWriteInputTokens: { type: 'number', required: true, field: f.cacheWriteInputTokens },
      requests: { type: 'number', required: true, field: f.requests },
      counterExpiresAt: { type: 'number', required: true, field: f.counterExpiresAt },
      expiresAt: { ...ttl, required: true },
    },
    indexes: {
      primary: {
        pk: {
          field: 'pk',
          composite: ['scopeKey', 'requestId'],
          template: 'REQ#${scopeKey}#${requestId}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: 'REQ', casing: 'none' },
      },
      /** GET .../usage/records and export: one partition per (org, org day), timestamp order. */
      byOrgDay: {
        index: RECORDS_INDEX,
        pk: { field: 'gsi2pk', composite: ['orgId', 'day'], template: 'REC#${orgId}#${day}', casing: 'none' },
        sk: {
          field: 'gsi2sk',
          composite: ['timestamp', 'scopeKey', 'requestId'],
          template: '${timestamp}#${scopeKey}#${requestId}',
          casing: 'none',
        },
      },
      /** The worker's rollups: records by the minute they were written, 16 partitions per UTC day. */
      recordFeed: {
        index: FEED_INDEX,
        pk: {
          field: 'gsi1pk',
          composite: ['recordedDay', 'feedK'],
          template: 'RECFEED#${recordedDay}#${feedK}',
          casing: 'none',
        },
        sk: {
          field: 'gsi1sk',
          composite: ['recordedAt', 'scopeKey', 'requestId'],
          template: 'R#${recordedAt}#${scopeKey}#${requestId}',
          casing: 'none',
        },
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
    usageRecord,
    pricing,
    revokedToken,
    lease,
    ...makeAlertEntities(),
    ...makeAuditEntities(),
    ...makeRollupEntities(),
  };
}

/** The ElectroDB service over one client and table. */
export function createService(client: DynamoDBClient, table: string) {
  return new Service(makeEntities(), { client, table });
}

export type StorageService = ReturnType<typeof createService>;
export type Entities = StorageService['entities'];
