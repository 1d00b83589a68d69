/**
 * Claims of bearer tokens whose HS256 signature and issuer passport-jwt has already checked, keyed by
 * the whole `Authorization` header. A token's string fixes its claims and its signature check, and a
 * client reuses one access token for up to an hour, so checking the signature again on every request
 * is wasted work (docs/performance.md, "What changed the figures", step 4). What can change over a
 * token's life, expiry by the clock, revocation and the credential's secret version, is still checked
 * on every request by the domain (`keeper.auth.authenticate`).
 *
 * Bounded: the map is emptied when it reaches `max` entries (a forged token is never stored: it fails
 * the signature check first).
 */
export class VerifiedTokens {
  private readonly claims = new Map<string, Record<string, unknown>>();

  constructor(private readonly max = 10_000) {}

  get(header: unknown): Record<string, unknown> | undefined {
    return typeof header === 'string' ? this.claims.get(header) : undefined;
  }

  remember(header: unknown, claims: Record<string, unknown>): void {
    if (typeof header !== 'string') return;
    if (this.claims.size >= this.max) this.claims.clear();
    this.claims.set(header, claims);
  }

  get size(): number {
    return this.claims.size;
  }
}
