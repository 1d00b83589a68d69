// The only way the dashboard talks to the service: the public API on the page's own origin.
// Tokens live in sessionStorage (gone when the tab closes; never localStorage); the admin key only in
// memory (a reload forgets it).
import type { ErrorBody, TokenAnswer } from './types.js';

const STORE_KEY = 'bck.dashboard.session';
/** Refresh the access token when it has less than this left. */
const REFRESH_MARGIN_MS = 60_000;

interface StoredSession {
  access: string;
  refresh: string;
  expiresAt: number;
  orgId: string;
  clientId: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: Partial<ErrorBody> & Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: (Partial<ErrorBody> & Record<string, unknown>) | undefined;
  try {
    body = (await res.json()) as Partial<ErrorBody> & Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const code = typeof body?.error === 'string' ? body.error : `HTTP_${res.status}`;
  const message = typeof body?.message === 'string' ? body.message : res.statusText || 'Request failed';
  return new ApiError(res.status, code, message, body);
}

export class Api {
  private session: StoredSession | null = null;
  private adminKey: string | null = null;
  private refreshing: Promise<void> | null = null;
  /** Called when the session ends (signed out, or the refresh token no longer works). */
  onSignedOut: () => void = () => undefined;

  constructor(private readonly storage: Storage = sessionStorage) {
    const raw = storage.getItem(STORE_KEY);
    if (raw) {
      try {
        this.session = JSON.parse(raw) as StoredSession;
      } catch {
        storage.removeItem(STORE_KEY);
      }
    }
  }

  get signedIn(): boolean {
    return this.session !== null;
  }
  get orgId(): string {
    if (!this.session) throw new Error('not signed in');
    return this.session.orgId;
  }
  get clientId(): string {
    return this.session?.clientId ?? '';
  }
  get hasAdminKey(): boolean {
    return this.adminKey !== null;
  }

  /** POST /auth/token with the org's client credentials. */
  async signIn(clientId: string, clientSecret: string): Promise<void> {
    const res = await fetch('/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
      cache: 'no-store',
    });
    if (!res.ok) throw await errorOf(res);
    const t = (await res.json()) as TokenAnswer;
    const scopes = t.scope.split(' ');
    const org = scopes.find((s) => s.startsWith('org:'))?.slice(4);
    if (!org) throw new ApiError(400, 'UNEXPECTED_SCOPE', `The token's scope "${t.scope}" names no org`);
    if (scopes.some((s) => s.startsWith('app:'))) {
      throw new ApiError(
        403,
        'APP_CREDENTIAL',
        "These are an app's credentials: sign in with the org's client id and secret",
      );
    }
    this.keep({
      access: t.access_token,
      refresh: t.refresh_token,
      expiresAt: Date.now() + t.expires_in * 1000,
      orgId: org,
      clientId,
    });
  }

  /** Revokes the refresh token (and so the access tokens made from it), then forgets everything. */
  async signOut(): Promise<void> {
    const s = this.session;
    this.forget();
    if (s) {
      await fetch('/auth/revoke', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.access}` },
        body: JSON.stringify({ token: s.refresh, token_type_hint: 'refresh_token' }),
      }).catch(() => undefined);
    }
    this.onSignedOut();
  }

  setAdminKey(key: string | null): void {
    this.adminKey = key;
  }

  /** A call with the org's bearer token; a 401 refreshes the token once and retries. */
  async request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<Answer<T>> {
    return this.call<T>(path, init, false);
  }

  /** A call with the admin key (X-API-Key) instead of the bearer token. */
  async admin<T>(path: string): Promise<Answer<T>> {
    if (!this.adminKey) throw new ApiError(401, 'UNAUTHORIZED', 'No admin key given');
    const res = await fetch(path, {
      headers: { 'X-API-Key': this.adminKey, Accept: 'application/json' },
      cache: 'no-cache',
    });
    if (!res.ok) throw await errorOf(res);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** The raw response (for downloads), with the bearer token. */
  async download(path: string): Promise<Response> {
    await this.fresh();
    const res = await fetch(path, { headers: this.authHeaders(), cache: 'no-store' });
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async call<T>(
    path: string,
    init: { method?: string; body?: unknown },
    retried: boolean,
  ): Promise<Answer<T>> {
    await this.fresh();
    const headers: Record<string, string> = { ...this.authHeaders(), Accept: 'application/json' };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      // Revalidate with the ETag every time: the answers say "private, max-age=..." for SDK clients,
      // but a dashboard shows what is true now.
      cache: 'no-cache',
    });
    if (res.status === 401 && !retried && this.session) {
      await this.refresh(true);
      return this.call<T>(path, init, true);
    }
    if (!res.ok) throw await errorOf(res);
    const text = res.status === 204 ? '' : await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  private authHeaders(): Record<string, string> {
    if (!this.session) throw new ApiError(401, 'UNAUTHORIZED', 'Not signed in');
    return { Authorization: `Bearer ${this.session.access}` };
  }

  private async fresh(): Promise<void> {
    if (this.session && this.session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refresh(false);
  }

  private refresh(force: boolean): Promise<void> {
    this.refreshing ??= this.doRefresh(force).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(_force: boolean): Promise<void> {
    const s = this.session;
    if (!s) return;
    const res = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: s.refresh }),
      cache: 'no-store',
    });
    if (!res.ok) {
      this.forget();
      this.onSignedOut();
      throw new ApiError(401, 'SESSION_EXPIRED', 'The session has expired: sign in again');
    }
    const t = (await res.json()) as { access_token: string; expires_in: number };
    this.keep({ ...s, access: t.access_token, expiresAt: Date.now() + t.expires_in * 1000 });
  }

  private keep(s: StoredSession): void {
    this.session = s;
    this.storage.setItem(STORE_KEY, JSON.stringify(s));
  }

  private forget(): void {
    this.session = null;
    this.adminKey = null;
    this.storage.removeItem(STORE_KEY);
  }
}

/** A message a person can act on, for any failure. */
export function explain(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 429) {
      const wait = e.body?.retry_after;
      return `Too many requests; try again${typeof wait === 'number' ? ` in ${wait} s` : ' shortly'}.`;
    }
    if (e.status === 503) return 'The service cannot reach its storage right now; try again shortly.';
    return e.message;
  }
  if (e instanceof TypeError) return 'The service cannot be reached (offline?).';
  return e instanceof Error ? e.message : String(e);
}
