/**
 * A complete Bedrock Cost Keeper client: tokens (refreshed before they expire), the recommended model
 * cached as `client_guidance` says, usage reported asynchronously in batches with retries (a retry
 * reuses the request_id, so it is counted once), and re-selection as soon as a usage response says
 * the model is near (TIGHT) or past (EXCEEDED) its quota.
 */
export interface CostKeeperClientOptions {
  baseUrl: string;
  orgId: string;
  appId: string;
  clientId: string;
  clientSecret: string;
  /** How often queued usage is sent (ms). */
  flushEveryMs?: number;
}

export interface Model {
  label: string;
  bedrockModelId: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  status?: 'OK' | 'ERROR';
}

/** Every label is exhausted until `retryAfter` (the earliest reset that frees a label: the org's next local midnight, or a budget's period end). */
export class AllQuotasExceeded extends Error {
  constructor(readonly retryAfter: Date) {
    super(`every model quota is exhausted until ${retryAfter.toISOString()}`);
  }
}

interface Cached extends Model {
  mode: 'NORMAL' | 'TIGHT';
  until: number;
  etag?: string;
}

export class CostKeeperClient {
  private access?: { token: string; until: number };
  private refreshToken?: { token: string; until: number };
  private cached?: Cached;
  private forceNext = false;
  private readonly queue: Array<Record<string, unknown>> = [];
  private timer?: ReturnType<typeof setInterval>;
  /** Counters, for logs and tests. */
  readonly stats = { selections: 0, notModified: 0, reported: 0, retries: 0 };

  constructor(private readonly o: CostKeeperClientOptions) {}

  /** Starts the background usage sender. */
  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => undefined), this.o.flushEveryMs ?? 1000);
  }

  /** Sends what is queued and stops the sender. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Calls Bedrock through `invoke` with the recommended model, then queues the usage report. */
  async call<T>(invoke: (model: Model) => Promise<{ result: T; usage: Usage }>): Promise<T> {
    const model = await this.model();
    const started = new Date();
    const { result, usage } = await invoke(model);
    this.report(model, usage, started);
    return result;
  }

  /** The recommended model, from cache while `client_guidance` says it holds. */
  async model(): Promise<Model> {
    const now = Date.now();
    if (this.cached && now < this.cached.until && !this.forceNext) return this.cached;
    const query = this.forceNext ? '?force_check=true' : '';
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    if (this.cached?.etag && !this.forceNext) headers['if-none-match'] = this.cached.etag;
    const r = await fetch(`${this.appUrl()}/model-selection${query}`, { headers });
    this.stats.selections++;
    this.forceNext = false;
    if (r.status === 304 && this.cached) {
      this.stats.notModified++;
      const maxAge = Number(/max-age=(\d+)/.exec(r.headers.get('cache-control') ?? '')?.[1] ?? 60);
      this.cached.until = now + maxAge * 1000;
      return this.cached;
    }
    const body = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (r.status === 429 && body.error === 'QUOTA_EXCEEDED')
      throw new AllQuotasExceeded(new Date(body.retry_after));
    if (!r.ok) throw new Error(`model selection failed: ${r.status} ${body.error}`);
    this.cached = {
      label: body.recommended_model.label,
      bedrockModelId: body.recommended_model.bedrock_model_id,
      mode: body.quota_status.mode,
      until: now + body.client_guidance.cache_duration_secs * 1000,
      etag: r.headers.get('etag') ?? undefined,
    };
    return this.cached;
  }

  /** Queues one usage event; the background sender delivers it. */
  report(model: Model, usage: Usage, at: Date = new Date()): void {
    this.queue.push({
      request_id: crypto.randomUUID(),
      model_label: model.label,
      bedrock_model_id: model.bedrockModelId,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      status: usage.status ?? 'OK',
      timestamp: at.toISOString(),
    });
  }

  /** Sends queued events (up to 100 per request); failed sends stay queued with the same request_id. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, 100);
      const single = batch.length === 1;
      let r: Response;
      try {
        r = await fetch(single ? `${this.appUrl()}/usage` : `${this.appUrl()}/usage/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json' },
          body: JSON.stringify(single ? batch[0] : { requests: batch }),
        });
      } catch {
        this.stats.retries++;
        return; // network: retry on the next flush, same request_ids
      }
      if (r.status === 429 || r.status >= 500) {
        this.stats.retries++;
        return; // throttled or storage unavailable: retry later, same request_ids
      }
      this.queue.splice(0, batch.length);
      this.stats.reported += batch.length;
      const body = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (single && r.status === 202) this.react(body.quota_status?.model_label, body.quota_status?.mode);
    }
  }

  /** A usage response near or past the quota of the cached model: re-select now. */
  private react(label: string | undefined, mode: string | undefined): void {
    if (!this.cached || label !== this.cached.label) return;
    if (mode === 'EXCEEDED') {
      this.forceNext = true; // live spend for every label
      this.cached.until = 0;
    } else if (mode === 'TIGHT' && this.cached.mode === 'NORMAL') {
      this.cached.until = 0; // switch to the tight interval now
    }
  }

  /** A valid access token: refreshed with the refresh token, or a new client-credentials grant. */
  private async token(): Promise<string> {
    const now = Date.now();
    if (this.access && now < this.access.until) return this.access.token;
    if (this.refreshToken && now < this.refreshToken.until) {
      const r = await this.post('/auth/refresh', {
        grant_type: 'refresh_token',
        refresh_token: this.refreshToken.token,
      });
      if (r.ok) {
        const b = (await r.json()) as { access_token: string; expires_in: number };
        this.access = { token: b.access_token, until: now + (b.expires_in - 60) * 1000 };
        return b.access_token;
      }
    }
    const r = await this.post('/auth/token', {
      grant_type: 'client_credentials',
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
    });
    if (!r.ok) throw new Error(`authentication failed: ${r.status}`);
    const b = (await r.json()) as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
      refresh_expires_in: number;
    };
    this.access = { token: b.access_token, until: now + (b.expires_in - 60) * 1000 };
    this.refreshToken = { token: b.refresh_token, until: now + (b.refresh_expires_in - 300) * 1000 };
    return b.access_token;
  }

  private post(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.o.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private appUrl(): string {
    return `${this.o.baseUrl}/api/v1/orgs/${this.o.orgId}/apps/${this.o.appId}`;
  }
}
