import { type ServiceConfig } from '../../model/config/service-config.js';
import {
  resolvePrice,
  type LabelPrice,
  type PricingEntry,
  type ResolvedPrice,
} from '../../model/money/pricing.js';
import { type Clock } from '../../ports/clock.port.js';
import { type PricingCache } from '../../ports/pricing-cache.port.js';
import { TtlCache } from '../shared/ttl-cache.js';

export const PRICE_CACHE_TTL_MS = 60_000;

/**
 * Prices at submission time: the day's PricingCache entry for (model, region), then for the model,
 * then the config's fallback. PricingCache reads are cached in process, so hot paths pay nothing.
 */
export class PriceBook {
  private readonly cache: TtlCache<{ regional?: PricingEntry; global?: PricingEntry }>;

  constructor(
    private readonly pricing: PricingCache,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    ttlMs = PRICE_CACHE_TTL_MS,
  ) {
    this.cache = new TtlCache(clock, ttlMs);
  }

  /** The config's price for a model id: the first config label with that model. */
  configPriceForModel(bedrockModelId: string): LabelPrice | undefined {
    for (const def of Object.values(this.config.labels))
      if (def.bedrockModelId === bedrockModelId) return def.price;
    return undefined;
  }

  async priceFor(
    bedrockModelId: string,
    region: string | undefined,
    fallback: LabelPrice | undefined,
  ): Promise<ResolvedPrice | undefined> {
    const now = this.clock.now();
    const day = now.toISOString().slice(0, 10);
    const key = `${day}|${bedrockModelId}|${region ?? ''}`;
    const found = await this.cache.getOrLoad(key, () => this.pricing.find(day, bedrockModelId, region, now));
    return resolvePrice(found.regional, found.global, fallback);
  }

  /** Forget cached lookups (after the pricing refresh wrote new entries in this process). */
  forget(bedrockModelId: string, region: string | undefined): void {
    const day = this.clock.now().toISOString().slice(0, 10);
    this.cache.delete(`${day}|${bedrockModelId}|${region ?? ''}`);
  }
}
