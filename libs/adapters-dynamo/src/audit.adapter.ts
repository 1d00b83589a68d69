import { type EntityItem } from 'electrodb';
import {
  type AuditAction,
  type AuditEntry,
  type AuditFailure,
  type AuditLog,
  type AuditPage,
  StorageUnavailableError,
} from '#core-domain';
import { type RawItem } from './batch.js';
import { type Entities, type StorageService } from './entities.js';
import { dayToKey, isExpired } from './keys.js';
import { decodeCursor, encodeCursor, isoInstant, queryNewestFirst } from './paging.js';
import { type Ctx, defined, keyOf, parseAll, unlessConditionFails, writeTransaction } from './support.js';

type AuditItem = EntityItem<Entities['auditEntry']>;
type FailureItem = EntityItem<Entities['auditFailure']>;

/** Sort-key prefixes (audit-entities.ts). */
const AT = 'AT#';
const MINUTE = 'M#';

export function auditToItem(a: AuditEntry): AuditItem {
  return defined({
    orgId: a.orgId,
    eventId: a.eventId,
    occurredAt: a.occurredAt,
    sortAt: isoInstant(a.occurredAt, 'occurredAt'),
    actorKind: a.actor.kind,
    actorId: a.actor.id,
    sourceIp: a.actor.sourceIp,
    userAgent: a.actor.userAgent,
    action: a.action,
    targetType: a.target.type,
    targetId: a.target.id,
    changes: JSON.parse(JSON.stringify(a.changes)) as Record<string, unknown>,
    requestId: a.requestId,
    outcome: a.outcome,
    expiresAt: a.expiresAt,
  });
}

function auditFromItem(item: AuditItem): AuditEntry {
  const actor: AuditEntry['actor'] = defined({
    kind: item.actorKind,
    id: item.actorId,
    sourceIp: item.sourceIp,
    userAgent: item.userAgent,
  });
  return defined({
    eventId: item.eventId,
    occurredAt: item.occurredAt,
    orgId: item.orgId,
    actor,
    action: item.action as AuditAction,
    target: { type: item.targetType, id: item.targetId },
    changes: (item.changes ?? {}) as AuditEntry['changes'],
    requestId: item.requestId,
    outcome: item.outcome,
    expiresAt: item.expiresAt,
  });
}

function failureToItem(f: AuditFailure): FailureItem {
  return defined({
    day: dayToKey(f.minute.slice(0, 10)),
    minute: f.minute,
    sourceIp: f.sourceIp,
    occurredAt: f.occurredAt,
    attempt: f.attempt,
    userAgent: f.userAgent,
    clientId: f.clientId,
    orgId: f.orgId,
    requestId: f.requestId,
    outcome: f.outcome,
    expiresAt: f.expiresAt,
  });
}

function failureFromItem(item: FailureItem): AuditFailure {
  return defined({
    sourceIp: item.sourceIp,
    minute: item.minute,
    occurredAt: item.occurredAt,
    attempt: item.attempt,
    userAgent: item.userAgent,
    clientId: item.clientId,
    orgId: item.orgId,
    requestId: item.requestId,
    outcome: item.outcome,
    expiresAt: item.expiresAt,
  });
}

type TxEntities = Parameters<Parameters<StorageService['transaction']['write']>[0]>[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TxWrite = any;

/**
 * Writes a change and its audit items in one TransactWriteItems (fail-closed: the change is not
 * written when its items cannot be). `condition` when one of the change's own conditions failed
 * (nothing written); an audit item that cannot be written (its key exists) is a
 * StorageUnavailableError, as is any other cancellation.
 */
export async function writeWithAudit(
  service: StorageService,
  change: (t: TxEntities) => TxWrite[],
  audit: readonly AuditEntry[],
): Promise<'written' | 'condition'> {
  let changeCount = 0;
  const result = await writeTransaction((token) =>
    service.transaction
      .write((t) => {
        const writes = change(t);
        changeCount = writes.length;
        return [...writes, ...audit.map((a) => t.auditEntry.create(auditToItem(a)).commit())] as TxWrite;
      })
      .go({ token }),
  );
  if (!result.canceled) return 'written';
  const failed = result.data.map((d, i) => ({ i, code: d.code }));
  if (failed.some((f) => f.i < changeCount && f.code === 'ConditionalCheckFailed')) return 'condition';
  if (failed.some((f) => f.i >= changeCount && f.code === 'ConditionalCheckFailed')) {
    throw new StorageUnavailableError('The audit item of the change could not be written');
  }
  throw new StorageUnavailableError(
    `Audited transaction cancelled: ${result.data.map((d) => d.code).join(', ')}`,
  );
}

/** Decodes a storage position (a sort key) handed back through the sealed cursor. */
function position(after: string | undefined, prefix: string): string | undefined {
  return after === undefined ? undefined : decodeCursor(after, prefix);
}

export function auditLog(ctx: Ctx): AuditLog {
  const { e } = ctx;
  return {
    async list(orgId, query, now) {
      const below = position(query.after, AT);
      const from = query.from === undefined ? '' : isoInstant(query.from, 'from');
      // `$` sorts right after `#`: the bound takes every id at `to` (inclusive) and nothing later.
      const hi = query.to === undefined ? 'AT$' : `${AT}${isoInstant(query.to, 'to')}$`;
      const actions = query.actions && query.actions.length > 0 ? new Set<string>(query.actions) : undefined;
      const nowMs = now.getTime();
      const pk = String(keyOf(e.auditEntry.get({ orgId, sortAt: '-', eventId: '-' })).pk);
      const { items, nextCursor } = await queryNewestFirst(ctx, {
        pk,
        lo: `${AT}${from}`,
        hi,
        ...(below === undefined ? {} : { below }),
        limit: query.limit,
        accept: (raw: RawItem) =>
          !isExpired(raw.expires_at as number | undefined, nowMs) &&
          (actions === undefined || actions.has(String(raw.action))) &&
          (query.actor === undefined || raw.actor_id === query.actor),
      });
      const out: AuditPage<AuditEntry> = { items: parseAll(e.auditEntry, items).map(auditFromItem) };
      if (nextCursor !== undefined) out.next = nextCursor;
      return out;
    },
    async recordFailure(failure) {
      return unlessConditionFails(async () => {
        await e.auditFailure.create(failureToItem(failure)).go();
        return 'recorded' as const;
      }, 'exists' as const);
    },
    async listFailures(query, now) {
      const lo = isoInstant(query.from, 'from').slice(0, 16);
      const hi = isoInstant(query.to, 'to').slice(0, 16);
      let below = position(query.after, MINUTE);
      const nowMs = now.getTime();
      const found: AuditFailure[] = [];
      // One partition per UTC day, newest day first, until the page is full.
      for (let day = below ? below.slice(2, 12) : hi.slice(0, 10); day >= lo.slice(0, 10);) {
        const pk = String(keyOf(e.auditFailure.get({ day: dayToKey(day), minute: '-', sourceIp: '-' })).pk);
        const { items, nextCursor } = await queryNewestFirst(ctx, {
          pk,
          lo: `${MINUTE}${lo}`,
          hi: `${MINUTE}${hi}$`,
          ...(below === undefined ? {} : { below }),
          limit: query.limit - found.length,
          accept: (raw: RawItem) => !isExpired(raw.expires_at as number | undefined, nowMs),
        });
        found.push(...parseAll(e.auditFailure, items).map(failureFromItem));
        if (nextCursor !== undefined) return { items: found, next: nextCursor };
        below = undefined;
        day = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        // Full at the end of a day: older days may hold more (the next page may then be empty).
        if (found.length >= query.limit) {
          return day >= lo.slice(0, 10) ? { items: found, next: cursorAt(found.at(-1)!) } : { items: found };
        }
      }
      return { items: found };
    },
  };
}

/** The position just below a failure item (its sort key, encoded as queryNewestFirst does). */
function cursorAt(f: AuditFailure): string {
  return encodeCursor(`${MINUTE}${f.minute}#${f.sourceIp}`);
}
