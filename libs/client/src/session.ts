// Tokens: the client-credentials grant, refresh before expiry, one re-authentication on a 401.
import { type Clock } from './clock.js';
import { CostKeeperError } from './errors.js';
import { errorBody, retryable, transient } from './client-types.js';
import type { RefreshResponseDto, TokenResponseDto } from './wire.js';

export interface TokenSessionOptions {
  fetch: typeof fetch;
  base: string;
  clock: Clock;
  clientId: string;
  clientSecret: string;
  /** Tokens are renewed this long before they expire. */
  leewayMs: number;
}

/** The client's access and refresh tokens, and authenticated requests with them. */
export class TokenSession {
  private access?: { token: string; until: number };
  private refresh?: { token: string; until: number };
  private tokenPending?: Promise<string>;

  constructor(private readonly o: TokenSessionOptions) {}

  /** An authenticated request; on a 401 the tokens are dropped and it is sent once more with new ones. */
  async call(path: string, init: { method: string; headers?: Record<string, string>; body?: unknown }) {
    const send = async () =>
      this.o.fetch(`${this.o.base}${path}`, {
        method: init.method,
        headers: {
          ...init.headers,
          authorization: `Bearer ${await this.token()}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    const r = await send();
    if (r.status !== 401) return r;
    await r.body?.cancel();
    this.access = undefined;
    this.refresh = undefined;
    return send();
  }

  token(): Promise<string> {
    const now = this.o.clock.now();
    if (this.access && now < this.access.until) return Promise.resolve(this.access.token);
    this.tokenPending ??= this.obtainToken().finally(() => (this.tokenPending = undefined));
    return this.tokenPending;
  }

  private async obtainToken(): Promise<string> {
    const started = this.o.clock.now();
    if (this.refresh && started < this.refresh.until) {
      const r = await this.post('/auth/refresh', {
        grant_type: 'refresh_token',
        refresh_token: this.refresh.token,
      });
      if (r.ok) {
        const b = (await r.json()) as RefreshResponseDto;
        this.access = { token: b.access_token, until: started + b.expires_in * 1000 - this.o.leewayMs };
        return b.access_token;
      }
      if (retryable(r.status)) throw transient('token refresh', r, this.o.clock.now());
      await r.body?.cancel();
      this.refresh = undefined; // revoked or expired: a new grant
    }
    const r = await this.post('/auth/token', {
      grant_type: 'client_credentials',
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
    });
    if (retryable(r.status)) throw transient('token', r, this.o.clock.now());
    if (!r.ok) {
      const err = await errorBody(r);
      throw new CostKeeperError(
        `authentication failed: ${r.status} ${err?.error ?? ''}`,
        r.status,
        err?.error,
      );
    }
    const b = (await r.json()) as TokenResponseDto;
    this.access = { token: b.access_token, until: started + b.expires_in * 1000 - this.o.leewayMs };
    this.refresh = { token: b.refresh_token, until: started + b.refresh_expires_in * 1000 - this.o.leewayMs };
    return b.access_token;
  }

  private post(path: string, body: unknown): Promise<Response> {
    return this.o.fetch(`${this.o.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}
