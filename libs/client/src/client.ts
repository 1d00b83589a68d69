// The client: the guidance loop over HTTP, batched usage with retries, a circuit breaker (tokens:
// session.ts; option and result types: client-types.ts).
// Only fetch and the injected clock: it runs on Node 20+, in browsers and on edge runtimes.
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { systemClock, type Clock } from './clock.js';
import { CostKeeperError, CostKeeperUnavailableError, QuotaExhaustedError } from './errors.js';
import { SelectionGuidance, type CachedSelection, type Decision } from './guidance.js';
import { backoffMs, maxAgeSecs, parseRetryAfter } from './retry.js';
import {
  errorBody,
  exhausted,
  retryable,
  Transient,
  TRANSIENT_ITEM_CODES,
  type ClientStats,
  type CostKeeperClientOptions,
  type ModelChoice,
  type SelectModelResult,
  type SendOutcome,
  type UsageEvent,
  usageDto,
} from './client-types.js';
import { TokenSession } from './session.js';
import type { ModelSelectionDto, UsageAcceptedDto, UsageBatchResultDto, UsageDto } from './wire.js';

export type {
  ClientStats,
  CostKeeperClientOptions,
  ModelChoice,
  QuotaExhausted,
  SelectModelResult,
  UsageEvent,
} from './client-types.js';

export class CostKeeperClient {
  readonly stats: ClientStats = {
    selections: 0,
    forcedSelections: 0,
    notModified: 0,
    staleAnswers: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    unattributed: 0,
    retries: 0,
    usageRequests: 0,
  };
  readonly guidance: SelectionGuidance;
  private readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;
  private readonly appPath: string;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly labels = new Map<string, string>();
  private readonly session: TokenSession;
  private selecting?: Promise<SelectModelResult>;
  private lastSelection?: ModelSelectionDto;
  private queue: UsageDto[] = [];
  private timer?: unknown;
  private timerAt = Infinity;
  private retryAt = 0;
  private attempt = 0;
  private sending?: Promise<void>;
  private rerun?: { drain: boolean; ignoreBackoff: boolean };
  private closed = false;

  constructor(private readonly o: CostKeeperClientOptions) {
    this.clock = o.clock ?? systemClock;
    const f = o.fetch ?? globalThis.fetch;
    this.fetchImpl = (input, init) => f(input, init);
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.appPath = `/api/v1/orgs/${encodeURIComponent(o.orgId)}/apps/${encodeURIComponent(o.appId)}`;
    this.flushMs = o.flushMs ?? 1000;
    this.batchSize = Math.min(100, Math.max(1, o.batchSize ?? 100));
    this.maxQueue = o.maxQueue ?? 10_000;
    this.session = new TokenSession({
      fetch: this.fetchImpl,
      base: this.base,
      clock: this.clock,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      leewayMs: (o.tokenLeewaySecs ?? 60) * 1000,
    });
    this.guidance = new SelectionGuidance(o.guidance);
    this.breaker = new CircuitBreaker(o.breaker);
    if (o.defaultModel) this.labels.set(o.defaultModel.bedrockModelId, o.defaultModel.label);
  }

  /** The injected clock's time (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /** The circuit breaker's state. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Events queued and not yet delivered. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * The model to call now: the cached answer while it holds, else the service's (revalidated with
   * If-None-Match; forced after an EXCEEDED usage answer). Never throws for quota exhaustion (a
   * `kind: 'exhausted'` result) nor for an unreachable service when an answer to fall back on exists
   * (`stale: true`).
   */
  selectModel(): Promise<SelectModelResult> {
    const d = this.guidance.decide(this.clock.now());
    if (d.action === 'use') return Promise.resolve(this.choice(d.selection, false));
    if (d.action === 'wait') return Promise.resolve(exhausted(d.until));
    this.selecting ??= this.fetchSelection(d).finally(() => (this.selecting = undefined));
    return this.selecting;
  }

  /** The `modelId` to call Bedrock with; throws QuotaExhaustedError when every label is exhausted. */
  async currentModel(): Promise<string> {
    const r = await this.selectModel();
    if (r.kind === 'exhausted') throw new QuotaExhaustedError(r.retryAfter);
    return r.bedrockModelId;
  }

  /** The label of a model id this client was told to use (for reporting usage by model id). */
  labelFor(bedrockModelId: string): string | undefined {
    return this.labels.get(bedrockModelId);
  }

  /**
   * Queues one usage event (sent within `flushMs`, or at once when a batch is full). Returns its
   * request id, or undefined when it was dropped (queue full, client closed, unknown label).
   */
  reportUsage(e: UsageEvent): string | undefined {
    if (this.closed) {
      this.stats.dropped++;
      return undefined;
    }
    const label = e.modelLabel ?? this.labels.get(e.bedrockModelId);
    if (!label) {
      this.stats.unattributed++;
      return undefined;
    }
    if (this.queue.length >= this.maxQueue) {
      this.stats.dropped++;
      return undefined;
    }
    const requestId = e.requestId ?? (this.o.requestId ? this.o.requestId() : crypto.randomUUID());
    const at = e.timestamp ?? this.clock.now();
    this.queue.push(usageDto(e, label, requestId, new Date(at).toISOString()));
    if (this.queue.length >= this.batchSize) void this.pump(false, false);
    else this.arm(this.flushMs);
    return requestId;
  }

  /** Sends everything queued now (not waiting out a retry delay; an open breaker still holds it). */
  async flush(): Promise<void> {
    await this.idle();
    await this.pump(true, true);
  }

  /** Stops the timers, refuses new events, and makes one last attempt to send what is queued. */
  async close(): Promise<{ pending: number }> {
    this.closed = true;
    this.disarm();
    await this.flush();
    this.disarm();
    return { pending: this.queue.length };
  }

  /** Resolves when no send is in flight (for tests driving a manual clock). */
  async idle(): Promise<void> {
    while (this.sending || this.selecting) {
      await this.sending;
      await this.selecting?.catch(() => undefined);
    }
  }

  // --- selection -------------------------------------------------------------------------------

  private choice(c: CachedSelection, stale: boolean): ModelChoice {
    return {
      kind: 'model',
      label: c.label,
      bedrockModelId: c.bedrockModelId,
      mode: c.mode,
      stale,
      expiresAt: new Date(c.expiresAt),
      ...(this.lastSelection ? { selection: this.lastSelection } : {}),
    };
  }

  private stale(): SelectModelResult {
    const now = this.clock.now();
    this.stats.staleAnswers++;
    const c = this.guidance.current;
    if (c) return this.choice(c, true);
    if (this.guidance.exhaustedUntil > now) return exhausted(this.guidance.exhaustedUntil);
    const d = this.o.defaultModel;
    if (d) {
      return { kind: 'model', ...d, mode: 'NORMAL', stale: true, expiresAt: new Date(now) };
    }
    throw new CostKeeperUnavailableError();
  }

  private async fetchSelection(d: Extract<Decision, { action: 'select' }>): Promise<SelectModelResult> {
    if (!this.breaker.allow(this.clock.now())) return this.stale();
    let r: Response;
    try {
      r = await this.session.call(`${this.appPath}/model-selection${d.force ? '?force_check=true' : ''}`, {
        method: 'GET',
        headers: d.ifNoneMatch ? { 'if-none-match': d.ifNoneMatch } : {},
      });
    } catch (e) {
      if (e instanceof CostKeeperError) {
        this.breaker.success();
        throw e;
      }
      this.failed(e);
      return this.stale();
    }
    this.stats.selections++;
    if (d.force) this.stats.forcedSelections++;
    const now = this.clock.now();
    if (r.status === 304) {
      this.breaker.success();
      this.stats.notModified++;
      const c = this.guidance.notModified(now, maxAgeSecs(r.headers.get('cache-control')));
      if (c) return this.choice(c, false);
      throw new CostKeeperError('model selection answered 304 without a cached answer', 304);
    }
    if (r.ok) {
      const body = (await r.json()) as ModelSelectionDto;
      this.breaker.success();
      this.lastSelection = body;
      const m = body.recommended_model;
      this.labels.set(m.bedrock_model_id, m.label);
      const etag = r.headers.get('etag');
      const c = this.guidance.selected(
        {
          label: m.label,
          bedrockModelId: m.bedrock_model_id,
          mode: body.quota_status.mode,
          cacheDurationSecs: body.client_guidance.cache_duration_secs,
          ...(etag ? { etag } : {}),
        },
        now,
      );
      return this.choice(c, false);
    }
    const err = await errorBody(r);
    if (r.status === 429 && err?.error === 'QUOTA_EXCEEDED') {
      this.breaker.success();
      const ra = err.retry_after;
      const until =
        typeof ra === 'string' && !Number.isNaN(Date.parse(ra))
          ? Date.parse(ra)
          : now + (typeof ra === 'number' ? ra * 1000 : 60_000);
      this.guidance.exhausted(until);
      return exhausted(until);
    }
    if (retryable(r.status)) {
      if (r.status === 429) this.breaker.success();
      else this.failed(new Error(`model selection: ${r.status}`));
      return this.stale();
    }
    this.breaker.success();
    throw new CostKeeperError(
      `model selection failed: ${r.status} ${err?.error ?? ''}`,
      r.status,
      err?.error,
    );
  }

  private failed(e: unknown): void {
    this.breaker.failure(this.clock.now());
    this.o.onError?.(e);
  }

  // --- usage -----------------------------------------------------------------------------------

  private arm(ms: number): void {
    if (this.closed) return;
    const at = this.clock.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.disarm();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.pump(true, false);
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Runs the send loop; a trigger that comes while it runs (a timer, a full batch) runs it once more after. */
  private pump(drain: boolean, ignoreBackoff: boolean): Promise<void> {
    if (this.sending) {
      this.rerun = {
        drain: drain || !!this.rerun?.drain,
        ignoreBackoff: ignoreBackoff || !!this.rerun?.ignoreBackoff,
      };
      return this.sending;
    }
    this.sending = (async () => {
      let next: { drain: boolean; ignoreBackoff: boolean } | undefined = { drain, ignoreBackoff };
      while (next) {
        this.rerun = undefined;
        try {
          await this.sendLoop(next.drain, next.ignoreBackoff);
        } catch (e) {
          this.o.onError?.(e);
        }
        next = this.rerun;
      }
    })().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendLoop(drain: boolean, ignoreBackoff: boolean): Promise<void> {
    let probed = !(this.o.usageStatusProbe ?? true);
    while (this.queue.length > 0 && (drain || this.queue.length >= this.batchSize)) {
      const now = this.clock.now();
      if (!ignoreBackoff && now < this.retryAt) return this.arm(this.retryAt - now);
      if (!this.breaker.allow(now)) {
        // Open: wait out the cool-down; half-open with another probe in flight: look again later.
        return this.arm(Math.max(this.breaker.reopensAt - now, this.flushMs));
      }
      let items = this.queue.slice(0, this.batchSize);
      const label = this.guidance.current?.label;
      if (items.length > 1 && !probed && label !== undefined) {
        const probe = items.findLast((x) => x.model_label === label);
        if (probe) items = [probe];
      }
      if (items.length === 1) probed = true;
      const out = await this.send(items);
      if (out.kind === 'retry') {
        if (out.serviceDown) this.breaker.failure(this.clock.now());
        else this.breaker.success();
        this.attempt++;
        this.stats.retries++;
        const delay =
          out.retryAfterMs ?? backoffMs(this.attempt, this.o.retryBaseMs ?? 500, this.o.retryMaxMs ?? 30_000);
        this.retryAt = this.clock.now() + delay;
        this.arm(delay);
        return;
      }
      this.breaker.success();
      this.attempt = 0;
      this.retryAt = 0;
      if (out.reselect) {
        try {
          await this.selectModel();
        } catch (e) {
          this.o.onError?.(e);
        }
      }
    }
    if (this.queue.length > 0) this.arm(this.flushMs);
  }

  private remove(items: UsageDto[]): void {
    const gone = new Set(items);
    this.queue = this.queue.filter((x) => !gone.has(x));
  }

  private async send(items: UsageDto[]): Promise<SendOutcome> {
    const single = items.length === 1;
    this.stats.usageRequests++;
    let r: Response;
    try {
      r = await this.session.call(`${this.appPath}/usage${single ? '' : '/batch'}`, {
        method: 'POST',
        body: single ? items[0] : { requests: items },
      });
    } catch (e) {
      this.o.onError?.(e);
      if (e instanceof Transient)
        return { kind: 'retry', retryAfterMs: e.retryAfterMs, serviceDown: e.serviceDown };
      return { kind: 'retry', serviceDown: !(e instanceof CostKeeperError) };
    }
    if (retryable(r.status)) {
      await r.body?.cancel();
      return {
        kind: 'retry',
        retryAfterMs: parseRetryAfter(r.headers.get('retry-after'), this.clock.now()),
        serviceDown: r.status !== 429,
      };
    }
    if (single && r.ok) {
      const body = (await r.json()) as UsageAcceptedDto;
      this.remove(items);
      if (body.duplicate) this.stats.duplicates++;
      else this.stats.accepted++;
      const q = body.quota_status;
      const reaction = q ? this.guidance.usage(q.model_label, q.mode) : { action: 'none' as const };
      return { kind: 'done', reselect: reaction.action === 'reselect' };
    }
    if (r.status === 207) {
      const body = (await r.json()) as UsageBatchResultDto;
      const keep = new Set<string>();
      for (const x of body.results) {
        if (x.status === 'accepted') this.stats.accepted++;
        else if (x.status === 'duplicate') this.stats.duplicates++;
        else if (x.error && TRANSIENT_ITEM_CODES.has(x.error.code)) keep.add(x.request_id);
        else {
          this.stats.rejected++;
          this.o.onError?.(
            new CostKeeperError(`usage ${x.request_id} rejected: ${x.error?.message}`, 207, x.error?.code),
          );
        }
      }
      this.remove(items.filter((x) => !keep.has(x.request_id)));
      if (keep.size > 0) return { kind: 'retry', serviceDown: true };
      return { kind: 'done', reselect: false };
    }
    // A 4xx for the request itself: resending cannot help.
    const err = await errorBody(r);
    this.remove(items);
    this.stats.rejected += items.length;
    this.o.onError?.(
      new CostKeeperError(`usage rejected: ${r.status} ${err?.error ?? ''}`, r.status, err?.error),
    );
    return { kind: 'done', reselect: false };
  }
}
