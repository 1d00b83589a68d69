import { Entity } from 'electrodb';
import { FEED_INDEX, RECORDS_INDEX, TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entity of the usage records (the exactly-once marker of each event, kept for the
 * records routes, the export and the worker's rollups), in the same table and service as
 * entities.ts (which spreads it in), with its stored attribute names. docs/storage.md lists them.
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

export function makeRecordEntities() {
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

  return { usageRecord };
}
