/**
 * Makes paging cursors tamper-proof: `seal` returns an opaque token carrying `payload`, `open` gives the
 * payload back only for a token this service sealed (HMAC-SHA256 in adapters-node), else undefined.
 */
export interface CursorSealer {
  seal(payload: string): string;
  open(token: string): string | undefined;
}
export const CURSOR_SEALER = Symbol('CursorSealer');
