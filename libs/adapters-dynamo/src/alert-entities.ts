import { Entity } from 'electrodb';
import { FEED_INDEX, TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entities of alerts (events, webhook endpoints, deliveries), in the same table and
 * service as entities.ts (which spreads them in). Keys are templates with `casing: 'none'`;
 * `sortAt` attributes are the ISO (`toISOString`) form of a `createdAt`, so that sort keys order by
 * time whatever ISO spelling the caller used. docs/storage.md lists every key.
 */
const SERVICE = 'bck';
const ttl = { type: 'number', field: TTL_ATTRIBUTE, required: true } as const;

const eventAttributes = {
  orgId: { type: 'string', required: true, field: 'org_id' },
  eventId: { type: 'string', required: true, field: 'event_id' },
  eventType: { type: 'string', required: true, field: 'event_type' },
  createdAt: { type: 'string', required: true, field: 'created_at' },
  sortAt: { type: 'string', required: true, field: 'sort_at' },
  data: { type: 'any', required: true },
  expiresAt: ttl,
} as const;

const deliveryKeyAttributes = {
  orgId: { type: 'string', required: true, field: 'org_id' },
  webhookId: { type: 'string', required: true, field: 'webhook_id' },
  deliveryId: { type: 'string', required: true, field: 'delivery_id' },
  createdAt: { type: 'string', required: true, field: 'created_at' },
  sortAt: { type: 'string', required: true, field: 'sort_at' },
  expiresAt: ttl,
} as const;

const deliveryPk = {
  field: 'pk',
  composite: ['orgId', 'webhookId'],
  template: 'DLV#${orgId}#${webhookId}',
  casing: 'none',
} as const;

export function makeAlertEntities() {
  /** An alert event under its id: the create-once marker and the get. */
  const alertEvent = new Entity({
    model: { entity: 'alertEvent', version: '1', service: SERVICE },
    attributes: eventAttributes,
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'EVENTS#${orgId}', casing: 'none' },
        sk: { field: 'sk', composite: ['eventId'], template: 'ID#${eventId}', casing: 'none' },
      },
    },
  });

  /** The same event under its time: the newest-first listing (written with `alertEvent`, never alone). */
  const alertEventAt = new Entity({
    model: { entity: 'alertEventAt', version: '1', service: SERVICE },
    attributes: eventAttributes,
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'EVENTS#${orgId}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['sortAt', 'eventId'],
          template: 'AT#${sortAt}#${eventId}',
          casing: 'none',
        },
      },
    },
  });

  const webhook = new Entity({
    model: { entity: 'webhook', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      webhookId: { type: 'string', required: true, field: 'webhook_id' },
      kind: { type: ['webhook', 'sns'] as const, required: true },
      url: { type: 'string' },
      topicArn: { type: 'string', field: 'topic_arn' },
      description: { type: 'string' },
      /** Absent: every type. */
      eventTypes: { type: 'list', items: { type: 'string' }, field: 'event_types' },
      format: { type: ['standard', 'slack'] as const, required: true },
      enabled: { type: 'boolean', required: true },
      disabledReason: { type: 'string', field: 'disabled_reason' },
      secret: { type: 'string', required: true },
      previousSecret: { type: 'string', field: 'previous_secret' },
      previousSecretExpiresAt: { type: 'string', field: 'previous_secret_expires_at' },
      failingSince: { type: 'string', field: 'failing_since' },
      createdAt: { type: 'string', required: true, field: 'created_at' },
      updatedAt: { type: 'string', required: true, field: 'updated_at' },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'HOOKS#${orgId}', casing: 'none' },
        sk: { field: 'sk', composite: ['webhookId'], template: 'HOOK#${webhookId}', casing: 'none' },
      },
    },
  });

  /**
   * One delivery, sorted by creation time inside its endpoint's partition. Pending deliveries with a
   * next attempt are also in the due index (gsi1, sparse): pk `DUE#{k}` (k = duePartition(deliveryId)),
   * sk = the next attempt's ISO instant. Others carry neither `due_k` nor `due_at`, so no gsi1 keys:
   * it is always written with a full put (ElectroDB updates do not maintain these keys).
   */
  const delivery = new Entity({
    model: { entity: 'delivery', version: '1', service: SERVICE },
    attributes: {
      ...deliveryKeyAttributes,
      eventId: { type: 'string', required: true, field: 'event_id' },
      status: { type: ['pending', 'succeeded', 'failed'] as const, required: true },
      attempts: { type: 'any', required: true },
      nextAttemptAt: { type: 'string', field: 'next_attempt_at' },
      claimedBy: { type: 'string', field: 'claimed_by' },
      claimedUntil: { type: 'string', field: 'claimed_until' },
      version: { type: 'number', required: true },
      dueShard: { type: 'number', field: 'due_k' },
      dueAt: { type: 'string', field: 'due_at' },
    },
    indexes: {
      primary: {
        pk: deliveryPk,
        sk: {
          field: 'sk',
          composite: ['sortAt', 'deliveryId'],
          template: 'DLV#${sortAt}#${deliveryId}',
          casing: 'none',
        },
      },
      due: {
        index: FEED_INDEX,
        pk: { field: 'gsi1pk', composite: ['dueShard'], template: 'DUE#${dueShard}', casing: 'none' },
        sk: { field: 'gsi1sk', composite: ['dueAt'], template: '${dueAt}', casing: 'none' },
      },
    },
  });

  /** Where a delivery is (its `sortAt`), by id: the create-once marker and the way to `get` by id. */
  const deliveryRef = new Entity({
    model: { entity: 'deliveryRef', version: '1', service: SERVICE },
    attributes: deliveryKeyAttributes,
    indexes: {
      primary: {
        pk: deliveryPk,
        sk: { field: 'sk', composite: ['deliveryId'], template: 'ID#${deliveryId}', casing: 'none' },
      },
    },
  });

  return { alertEvent, alertEventAt, webhook, delivery, deliveryRef };
}
