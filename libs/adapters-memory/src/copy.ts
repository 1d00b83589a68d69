// Helpers shared by the memory adapters: deep copies in and out, and TTL checks.

/**
 * A deep copy, so that callers never share an object with the store. Records here are plain objects,
 * arrays, Dates and primitives, copied directly (cheaper than structuredClone: docs/performance.md, "What changed the figures");
 * anything else still goes through structuredClone.
 */
export function copy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (Array.isArray(v)) return v.map(copy) as T;
  if (Object.getPrototypeOf(v) !== Object.prototype) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
  return out as T;
}
export const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
export const live = (expiresAt: number | undefined, now: Date) =>
  expiresAt === undefined || expiresAt > epoch(now);
