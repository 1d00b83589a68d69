import { Entity } from 'electrodb';
import { TTL_ATTRIBUTE } from './table.js';

/**
 * The ElectroDB entities of the daily rollups (analytics summary), in the same table and service as
 * entities.ts (which spreads them in). docs/storage.md lists the keys.
 */
const SERVICE = 'bck';

export function makeRollupEntities() {
  /**
   * One org day of one rollup set (`dims` or `tag:<key>`): its entries, deflated JSON in `body`.
   * Part 0 carries the part count and the last pass window; an oversized day is split over parts
   * 1..n-1 written in the same transaction (400 KB item limit).
   */
  const rollup = new Entity({
    model: { entity: 'rollup', version: '1', service: SERVICE },
    attributes: {
      orgId: { type: 'string', required: true, field: 'org_id' },
      set: { type: 'string', required: true, field: 'rollup_set' },
      day: { type: 'string', required: true }, // YYYYMMDD
      part: { type: 'string', required: true }, // two digits
      parts: { type: 'number', required: true },
      window: { type: 'string', required: true, field: 'applied_window' },
      entryCount: { type: 'number', required: true, field: 'entry_count' },
      body: { type: 'any', required: true },
      expiresAt: { type: 'number', field: TTL_ATTRIBUTE, required: true },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['orgId'], template: 'ROLLUP#${orgId}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['set', 'day', 'part'],
          template: '${set}#${day}#${part}',
          casing: 'none',
        },
      },
    },
  });

  /** The worker's rollup pass checkpoint (one item). */
  const rollupCheckpoint = new Entity({
    model: { entity: 'rollupCheckpoint', version: '1', service: SERVICE },
    attributes: {
      name: { type: 'string', required: true },
      state: { type: 'any', required: true },
    },
    indexes: {
      primary: {
        pk: { field: 'pk', composite: ['name'], template: 'ROLLUPPASS#${name}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'CHECKPOINT', casing: 'none' },
      },
    },
  });

  return { rollup, rollupCheckpoint };
}
