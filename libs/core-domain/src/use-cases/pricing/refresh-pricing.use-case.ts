import { type ServiceConfig } from '../../model/config/service-config.js';
import { type PricingEntry } from '../../model/money/pricing.js';
import { type Clock } from '../../ports/clock.port.js';
import { type PricingCache } from '../../ports/pricing-cache.port.js';
import { type PricingSource } from '../../ports/pricing-source.port.js';
import { dayKey, epochSecs, previousDay } from '../../model/time/org-time.js';

/** Pricing entries live three days (docs/storage.md). */
export const PRICING_TTL_SECS = 3 * 86400;

export interface PricingRefreshReport {
  day: string;
  written: number;
  /** Entries copied from yesterday because the source failed or had no quote for a model. */
  carriedOver: number;
  sourceFailed: boolean;
}

/**
 * The daily pricing refresh: writes the day's PricingCache entries (UTC day) for every configured
 * model from the PricingSource. If the source fails, or has no quote for a model, yesterday's entry
 * stays in force (copied to today); with no entry at all, pricing falls back to config prices.
 */
export class RefreshPricing {
  constructor(
    private readonly cache: PricingCache,
    private readonly source: PricingSource,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
  ) {}

  /** The models priced: every config label's model, in the config region. */
  private models(): Array<{ bedrockModelId: string; region: string }> {
    const ids = [...new Set(Object.values(this.config.labels).map((d) => d.bedrockModelId))];
    return ids.map((bedrockModelId) => ({ bedrockModelId, region: this.config.region }));
  }

  async run(): Promise<PricingRefreshReport> {
    const now = this.clock.now();
    const today = now.toISOString().slice(0, 10);
    const day = today;
    const expiresAt = epochSecs(now) + PRICING_TTL_SECS;
    const models = this.models();
    const entries: PricingEntry[] = [];
    let sourceFailed = false;
    try {
      for (const q of await this.source.quotes(models)) {
        const e: PricingEntry = {
          day,
          bedrockModelId: q.bedrockModelId,
          price: q.price,
          origin: this.source.origin,
          version: `${this.source.origin.toLowerCase()}-${dayKey(today)}`,
          expiresAt,
        };
        if (q.region !== undefined) e.region = q.region;
        entries.push(e);
      }
    } catch {
      sourceFailed = true;
    }
    let carriedOver = 0;
    const yesterday = previousDay(today);
    for (const m of models) {
      const covered = entries.some(
        (e) => e.bedrockModelId === m.bedrockModelId && (e.region === undefined || e.region === m.region),
      );
      if (covered) continue;
      const old = await this.cache.find(yesterday, m.bedrockModelId, m.region, now);
      for (const prev of [old.regional, old.global]) {
        if (!prev) continue;
        entries.push({ ...prev, day, expiresAt });
        carriedOver++;
      }
    }
    if (entries.length > 0) await this.cache.put(entries);
    return { day, written: entries.length, carriedOver, sourceFailed };
  }
}
