import {
  type AuditEntry,
  type AuditFailure,
  type AuditLog,
  type AuditPage,
  StorageUnavailableError,
} from '#core-domain';
import { copy, live } from './copy.js';

/**
 * The audit trail in memory. Change items are written by the other memory ports inside their own
 * synchronous check-and-write: `check` first (throws when an item cannot be written, before anything
 * changed), then the change, then `commit`; so there is no change without its items, as with the
 * DynamoDB transaction. Sort keys are the DynamoDB ones: `{ISO occurredAt}#{eventId}` per org and
 * `{minute}#{source}` for failures, newest first.
 */
export interface AuditStore {
  audit: AuditLog;
  /** Throws (nothing written) when one of the items cannot be written: its event id exists. */
  check(entries: readonly AuditEntry[] | undefined): void;
  commit(entries: readonly AuditEntry[] | undefined): void;
}

function iso(instant: string): string {
  return new Date(Date.parse(instant)).toISOString();
}

function newestFirst<T>(
  items: Array<{ key: string; item: T }>,
  after: string | undefined,
  limit: number,
): AuditPage<T> {
  const sorted = items
    .filter(({ key }) => after === undefined || key < after)
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const taken = sorted.slice(0, Math.max(0, limit));
  const out: AuditPage<T> = { items: taken.map(({ item }) => copy(item)) };
  if (sorted.length > taken.length && taken.length > 0) out.next = taken.at(-1)!.key;
  return out;
}

export function createAuditStore(tick: () => Promise<void>): AuditStore {
  const entries = new Map<string, AuditEntry>(); // `${org}|${ISO occurredAt}#${eventId}`
  const failures = new Map<string, AuditFailure>(); // `${minute}#${source}`
  const keyOf = (e: AuditEntry) => `${e.orgId}|${iso(e.occurredAt)}#${e.eventId}`;

  const audit: AuditLog = {
    async list(orgId, query, now) {
      await tick();
      const from = iso(query.from ?? '0000-01-01T00:00:00Z');
      const to = iso(query.to ?? '9999-12-31T23:59:59Z');
      const actions = query.actions && query.actions.length > 0 ? new Set(query.actions) : undefined;
      const matching = [...entries.values()]
        .filter((e) => {
          if (e.orgId !== orgId || !live(e.expiresAt, now)) return false;
          if (actions && !actions.has(e.action)) return false;
          if (query.actor !== undefined && e.actor.id !== query.actor) return false;
          const at = iso(e.occurredAt);
          return at >= from && at <= to;
        })
        .map((item) => ({ key: `${iso(item.occurredAt)}#${item.eventId}`, item }));
      return newestFirst(matching, query.after, query.limit);
    },
    async recordFailure(failure) {
      await tick();
      const key = `${failure.minute}#${failure.sourceIp}`;
      const current = failures.get(key);
      if (current && live(current.expiresAt, new Date(Date.parse(failure.occurredAt)))) return 'exists';
      failures.set(key, copy(failure));
      return 'recorded';
    },
    async listFailures(query, now) {
      await tick();
      const lo = iso(query.from).slice(0, 16);
      const hi = iso(query.to).slice(0, 16);
      const matching = [...failures.entries()]
        .filter(([, f]) => live(f.expiresAt, now) && f.minute >= lo && f.minute <= hi)
        .map(([key, item]) => ({ key, item }));
      return newestFirst(matching, query.after, query.limit);
    },
  };

  return {
    audit,
    check(list) {
      for (const e of list ?? []) {
        if (entries.has(keyOf(e))) {
          throw new StorageUnavailableError(`The audit item ${e.eventId} could not be written`);
        }
      }
    },
    commit(list) {
      for (const e of list ?? []) entries.set(keyOf(e), copy(e));
    },
  };
}
