import { Entity } from 'electrodb';
import { TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entities of the audit trail, in the same table and service as entities.ts (which
 * spreads them in). Keys are templates with `casing: 'none'`; docs/storage.md lists them.
 */
const SERVICE = 'bck';
const ttl = { type: 'number', field: TTL_ATTRIBUTE, required: true } as const;

export function makeAuditEntities() {
  /**
   * One change of an org, in the org's partition `AUDIT#{orgId}` sorted by time
   * (`AT#{ISO occurredAt}#{eventId}`), written by the transaction that makes the change (a create:
   * an item at its key fails the whole transaction). Kept 400 days.
   */
  const auditEntry = new Entity({
    model: { entity: 'auditEntry', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      eventId: { type: 'string', required: true, field: 'event_id' },
      occurredAt: { type: 'string', required: true, field: 'occurred_at' },
      /** `occurredAt` in its `toISOString` form, so that the sort key orders by time. */
      sortAt: { type: 'string', required: true, field: 'sort_at' },
      actorKind: { type: ['admin', 'client'] as const, required: true, field: 'actor_kind' },
      actorId: { type: 'string', required: true, field: 'actor_id' },
      sourceIp: { type: 'string', field: 'source_ip' },
      userAgent: { type: 'string', field: 'user_agent' },
      action: { type: 'string', required: true },
      targetType: { type: 'string', required: true, field: 'target_type' },
      targetId: { type: 'string', required: true, field: 'target_id' },
      changes: { type: 'any', required: true },
      requestId: { type: 'string', field: 'request_id' },
      outcome: { type: ['success'] as const, required: true },
      expiresAt: ttl,
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'AUDIT#${orgId}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['sortAt', 'eventId'],
          template: 'AT#${sortAt}#${eventId}',
          casing: 'none',
        },
      },
    },
  });

  /**
   * A failed admin-key or token attempt, apart from the org trails: one partition per UTC day
   * `AUDITFAIL#{YYYYMMDD}`, at most one item per source and minute (`M#{YYYY-MM-DDTHH:mm}#{source}`,
   * a conditional create). Kept 7 days.
   */
  const auditFailure = new Entity({
    model: { entity: 'auditFailure', version: '1', service: SERVICE },
    attributes: {
      day: { type: 'string', required: true },
      minute: { type: 'string', required: true },
      sourceIp: { type: 'string', required: true, field: 'source_ip' },
      occurredAt: { type: 'string', required: true, field: 'occurred_at' },
      attempt: { type: ['admin_key', 'token'] as const, required: true },
      userAgent: { type: 'string', field: 'user_agent' },
      clientId: { type: 'string', field: 'client_id' },
      orgId: { type: 'string', field: 'org_id' },
      requestId: { type: 'string', field: 'request_id' },
      outcome: { type: ['failure'] as const, required: true },
      expiresAt: ttl,
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['day'], template: 'AUDITFAIL#${day}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['minute', 'sourceIp'],
          template: 'M#${minute}#${sourceIp}',
          casing: 'none',
        },
      },
    },
  });

  return { auditEntry, auditFailure };
}
