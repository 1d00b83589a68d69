/**
 * Money is integer micro-USD. Prices are integer micro-USD per 1M tokens.
 * Each part of a cost is floored on its own; BigInt keeps 10^9 tokens x 10^9 price exact.
 */
export interface LabelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** When absent, cache-read tokens are priced at the input price. */
  cacheReadPerMillion?: number;
  /** When absent, cache-write tokens are priced at the input price. */
  cacheWritePerMillion?: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

const MILLION = 1_000_000n;

function part(tokens: number | undefined, pricePerMillion: number): bigint {
  if (!tokens) return 0n;
  return (BigInt(tokens) * BigInt(pricePerMillion)) / MILLION; // BigInt division floors for non-negatives
}

/** Cost in micro-USD as a BigInt (exact for any integer inputs). */
export function costMicrosExact(tokens: TokenCounts, price: LabelPrice): bigint {
  return (
    part(tokens.inputTokens, price.inputPerMillion) +
    part(tokens.outputTokens, price.outputPerMillion) +
    part(tokens.cacheReadInputTokens, price.cacheReadPerMillion ?? price.inputPerMillion) +
    part(tokens.cacheWriteInputTokens, price.cacheWritePerMillion ?? price.inputPerMillion)
  );
}

/**
 * Cost in micro-USD as a number. The largest event the API accepts (4 x 10^9 tokens x 10^9 price)
 * is 4 x 10^12 micro-USD, far inside Number.MAX_SAFE_INTEGER; anything larger throws instead of
 * silently losing precision.
 */
export function costMicros(tokens: TokenCounts, price: LabelPrice): number {
  const exact = costMicrosExact(tokens, price);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('Cost exceeds the safe integer range');
  return Number(exact);
}

/** Where a price came from, as reported by model selection. */
export type PriceSource = 'PRICING_API' | 'CACHED' | 'CONFIG_FALLBACK';

export interface ResolvedPrice {
  price: LabelPrice;
  source: PriceSource;
  version: string;
}

/** A PricingCache entry: the day's price for a model id, optionally for one region. */
export interface PricingEntry {
  day: string; // YYYY-MM-DD (UTC day the entry applies to)
  bedrockModelId: string;
  region?: string;
  price: LabelPrice;
  /** Who wrote the entry: the AWS Price List (`PRICING_API`) or the config (`CONFIG`). */
  origin: 'PRICING_API' | 'CONFIG';
  version: string;
  expiresAt: number; // epoch seconds
}

/**
 * Resolution order (not retroactive, resolved at submission time): the day's entry for
 * (model id, region) when a region is known, then for the model id, then the config fallback.
 */
export function resolvePrice(
  regional: PricingEntry | undefined,
  global: PricingEntry | undefined,
  fallback: LabelPrice | undefined,
): ResolvedPrice | undefined {
  const entry = regional ?? global;
  if (entry) {
    return {
      price: entry.price,
      source: entry.origin === 'PRICING_API' ? 'PRICING_API' : 'CACHED',
      version: entry.version,
    };
  }
  if (fallback) return { price: fallback, source: 'CONFIG_FALLBACK', version: 'config' };
  return undefined;
}
