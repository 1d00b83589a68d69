import { type LabelPrice } from '../model/money/pricing.js';

export interface PriceQuote {
  bedrockModelId: string;
  region?: string;
  price: LabelPrice;
}

/** Where the daily pricing refresh gets prices from (config by default; AWS Price List when enabled). */
export interface PricingSource {
  readonly origin: 'PRICING_API' | 'CONFIG';
  /** Current prices for these models. Throws when the source is unavailable. */
  quotes(models: Array<{ bedrockModelId: string; region?: string }>): Promise<PriceQuote[]>;
}
export const PRICING_SOURCE = Symbol('PricingSource');
