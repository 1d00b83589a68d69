import { type PricingEntry } from '../model/money/pricing.js';

export interface PricingCache {
  /** The day's entries for a model: the regional one (when a region is given) and the global one. */
  find(
    day: string,
    bedrockModelId: string,
    region: string | undefined,
    now: Date,
  ): Promise<{ regional?: PricingEntry; global?: PricingEntry }>;
  put(entries: PricingEntry[]): Promise<void>;
}
export const PRICING_CACHE = Symbol('PricingCache');
