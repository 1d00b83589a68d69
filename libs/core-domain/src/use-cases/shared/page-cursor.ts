import { InvalidRequestError } from '../../model/errors.js';
import { type CursorSealer } from '../../ports/cursor-sealer.port.js';

/**
 * A listing's cursor: the storage position of the next page, bound to the org, the listing and the
 * filters it was issued for, and sealed. A forged cursor, one of another org or listing, or one reused
 * with other filters is a 400 (field `cursor`), never a read elsewhere.
 */
export interface CursorScope {
  orgId: string;
  listing: string;
  /** Every filter of the request, in a fixed order. */
  filters: readonly unknown[];
}

interface CursorBody {
  o: string;
  l: string;
  f: readonly unknown[];
  p: string;
}

export function sealCursor(sealer: CursorSealer, scope: CursorScope, position: string): string {
  const body: CursorBody = { o: scope.orgId, l: scope.listing, f: scope.filters, p: position };
  return sealer.seal(JSON.stringify(body));
}

/** The position of a cursor issued for exactly this scope; InvalidRequestError otherwise. */
export function openCursor(
  sealer: CursorSealer,
  scope: CursorScope,
  cursor: string | undefined,
): string | undefined {
  if (cursor === undefined) return undefined;
  const text = sealer.open(cursor);
  if (text !== undefined) {
    try {
      const body = JSON.parse(text) as Partial<CursorBody>;
      if (
        body.o === scope.orgId &&
        body.l === scope.listing &&
        JSON.stringify(body.f) === JSON.stringify(scope.filters) &&
        typeof body.p === 'string'
      ) {
        return body.p;
      }
    } catch {
      // reported below
    }
  }
  throw new InvalidRequestError([{ field: 'cursor', message: 'is not a cursor of this listing' }]);
}

/**
 * The sealer of an embedded core without one: cursors are random ids of payloads kept in this process
 * (the newest 10,000), so they cannot be forged but do not survive a restart or cross processes. The
 * composition passes the HMAC sealer of adapters-node instead.
 */
export function inProcessCursorSealer(newId: () => string, capacity = 10_000): CursorSealer {
  const issued = new Map<string, string>();
  return {
    seal(payload) {
      const token = newId();
      issued.set(token, payload);
      if (issued.size > capacity) issued.delete(issued.keys().next().value as string);
      return token;
    },
    open: (token) => issued.get(token),
  };
}
