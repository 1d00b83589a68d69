/**
 * Small pure helpers for keys. They must give the same answer in every process and release:
 * changing them moves items to other keys.
 */

/** Number of write shards of the change-feed GSI partition key per day. Fixed: changing it loses items. */
export const FEED_PARTITIONS = 16;

/** FNV-1a, 32 bits, over the UTF-16 code units of `text` (stable, no dependencies). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The change-feed partition `k` of a (scope, label) counter group: fnv1a32(`${scope}|${label}`) % 16. */
export function feedPartition(scopeKey: string, label: string): number {
  return fnv1a32(`${scopeKey}|${label}`) % FEED_PARTITIONS;
}

/** Number of write shards of the due index (deliveries by next attempt). Fixed: changing it loses items. */
export const DUE_PARTITIONS = 16;

/** The due-index partition `k` of a delivery: fnv1a32(deliveryId) % 16. */
export function duePartition(deliveryId: string): number {
  return fnv1a32(deliveryId) % DUE_PARTITIONS;
}

/** The minute bucket (UTC, `YYYYMMDDHHmm`) of an instant: the change-feed GSI sort key. */
export function minuteBucket(instant: Date): string {
  return instant.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** `YYYY-MM-DD` -> `YYYYMMDD`. */
export function dayToKey(day: string): string {
  return day.replaceAll('-', '');
}

/** `YYYYMMDD` -> `YYYY-MM-DD` (a day already in `YYYY-MM-DD` form is returned as is). */
export function dayFromKey(key: string): string {
  if (key.length !== 8) return key;
  return `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`;
}

/** Whether an item whose TTL is `expiresAt` (epoch seconds) has expired at `nowMs`. */
export function isExpired(expiresAt: number | undefined, nowMs: number): boolean {
  return typeof expiresAt === 'number' && expiresAt * 1000 <= nowMs;
}
