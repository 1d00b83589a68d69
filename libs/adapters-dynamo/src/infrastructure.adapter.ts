import {
  type ChangeFeed,
  type CounterGroup,
  type LeaseGrant,
  type RevokedTokens,
  StorageUnavailableError,
  type WorkerLease,
} from '#core-domain';
import { writeWithAudit } from './audit.adapter.js';
import { dayFromKey, dayToKey, FEED_PARTITIONS, isExpired, minuteBucket } from './keys.js';
import { type Ctx, keyOf, parseAll, unlessConditionFails } from './support.js';

/** How long ping() waits for DynamoDB before declaring it unavailable. */
const PING_TIMEOUT_MS = 3000;
/** The lease item outlives its last hold by a week (so the cursor survives), then TTL removes it. */
const LEASE_RETENTION_SECS = 7 * 24 * 3600;

export function revokedTokens({ service, e, raw }: Ctx): RevokedTokens {
  return {
    async revoke(jti, expiresAt, audit = []) {
      // Idempotent, and a revocation never shortens: the latest expiry wins. A refused condition
      // means it is already revoked at least as long (then no audit item either: nothing changed).
      if (audit.length > 0) {
        await writeWithAudit(
          service,
          (t) => [
            t.revokedToken
              .put({ jti, expiresAt })
              .where((a, op) => `${op.notExists(a.expiresAt)} OR ${op.lt(a.expiresAt, expiresAt)}`)
              .commit(),
          ],
          audit,
        );
        return;
      }
      await unlessConditionFails(
        () =>
          e.revokedToken
            .put({ jti, expiresAt })
            .where((a, op) => `${op.notExists(a.expiresAt)} OR ${op.lt(a.expiresAt, expiresAt)}`)
            .go(),
        undefined,
      );
    },
    async anyRevoked(jtis, now) {
      if (jtis.length === 0) return false;
      const keys = [...new Set(jtis)].map((jti) => keyOf(e.revokedToken.get({ jti })));
      const items = parseAll(e.revokedToken, await raw(keys));
      return items.some((item) => !isExpired(item.expiresAt, now.getTime()));
    },
  };
}

export function changeFeed({ e }: Ctx): ChangeFeed {
  return {
    async changedGroups(days, since) {
      const fromBucket = since ? minuteBucket(since) : undefined;
      const queries: Array<Promise<{ data: Array<{ scopeKey: string; label: string; day: string }> }>> = [];
      for (const day of new Set(days)) {
        for (let k = 0; k < FEED_PARTITIONS; k++) {
          const q = e.counter.query.feed({ day: dayToKey(day), feedPartition: k });
          const page = fromBucket === undefined ? q : q.gte({ writtenBucket: fromBucket });
          queries.push(page.go({ pages: 'all', attributes: ['scopeKey', 'label', 'day'] }));
        }
      }
      const groups = new Map<string, CounterGroup>();
      for (const { data } of await Promise.all(queries)) {
        for (const item of data) {
          const group = { scopeKey: item.scopeKey, label: item.label, day: dayFromKey(item.day) };
          groups.set(`${group.scopeKey}\u0000${group.label}\u0000${group.day}`, group);
        }
      }
      return [...groups.values()];
    },
  };
}

export function workerLease({ e }: Ctx): WorkerLease {
  return {
    async tryAcquire(name, owner, now, ttlSecs): Promise<LeaseGrant> {
      const nowMs = now.getTime();
      const heldUntil = nowMs + ttlSecs * 1000;
      return unlessConditionFails<LeaseGrant, LeaseGrant>(
        async () => {
          const { data } = await e.lease
            .upsert({ name })
            .set({ owner, heldUntil, expiresAt: Math.ceil(heldUntil / 1000) + LEASE_RETENTION_SECS })
            .where(
              (a, op) =>
                `${op.notExists(a.owner)} OR ${op.eq(a.owner, owner)} OR ${op.lte(a.heldUntil, nowMs)}`,
            )
            .go({ response: 'all_new' });
          const grant: LeaseGrant = { acquired: true };
          if (typeof data?.cursor === 'string') grant.cursor = data.cursor;
          return grant;
        },
        { acquired: false },
      );
    },
    async release(name, owner, cursor) {
      // Frees the lease (no owner, heldUntil 0); keeps the previous cursor when none is given. A
      // refused condition: not the holder (or no lease), nothing to release.
      await unlessConditionFails(
        () =>
          e.lease
            .patch({ name })
            .set(cursor === undefined ? { heldUntil: 0 } : { heldUntil: 0, cursor })
            .remove(['owner'])
            .where((a, op) => op.eq(a.owner, owner))
            .go(),
        undefined,
      );
    },
  };
}

/** A bounded round trip: whatever stops it (error, abort, no answer in time) is "unavailable". */
export async function ping({ e }: Ctx): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error('DynamoDB did not answer the ping in time'), { name: 'TimeoutError' }),
        ),
      PING_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([
      e.lease.get({ name: '__ping__' }).go({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) }),
      timeout,
    ]);
  } catch (error) {
    throw error instanceof StorageUnavailableError
      ? error
      : new StorageUnavailableError(undefined, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
