import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  costMicros,
  costMicrosExact,
  resolvePrice,
  type LabelPrice,
  type PricingEntry,
  type TokenCounts,
} from './pricing.js';

const PREMIUM: LabelPrice = { inputPerMillion: 800_000, outputPerMillion: 3_200_000 };
const STANDARD: LabelPrice = { inputPerMillion: 330_000, outputPerMillion: 2_750_000 };
const ECONOMY: LabelPrice = { inputPerMillion: 35_000, outputPerMillion: 140_000 };

/** The pricing formula (README, "Rules in one paragraph"), written independently with BigInt. */
function expectedCost(t: TokenCounts, p: LabelPrice): bigint {
  const f = (tokens: number | undefined, price: number): bigint =>
    (BigInt(tokens ?? 0) * BigInt(price)) / 1_000_000n;
  return (
    f(t.inputTokens, p.inputPerMillion) +
    f(t.outputTokens, p.outputPerMillion) +
    f(t.cacheReadInputTokens, p.cacheReadPerMillion ?? p.inputPerMillion) +
    f(t.cacheWriteInputTokens, p.cacheWritePerMillion ?? p.inputPerMillion)
  );
}

function entry(overrides: Partial<PricingEntry> = {}): PricingEntry {
  return {
    day: '2026-03-10',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    price: { inputPerMillion: 1, outputPerMillion: 2 },
    origin: 'PRICING_API',
    version: 'v1',
    expiresAt: 1_773_200_000,
    ...overrides,
  };
}

describe('rule: cost = sum of floor(tokens * price / 1e6) per part, in integer micro-USD', () => {
  it('rule: reference value premium 1,500 in / 800 out = 3,760', () => {
    expect(costMicros({ inputTokens: 1_500, outputTokens: 800 }, PREMIUM)).toBe(3_760);
  });

  it('rule: reference value standard 10,000 in / 2,000 out = 8,800', () => {
    expect(costMicros({ inputTokens: 10_000, outputTokens: 2_000 }, STANDARD)).toBe(8_800);
  });

  it('rule: reference value economy 5,000 in / 1,000 out = 315', () => {
    expect(costMicros({ inputTokens: 5_000, outputTokens: 1_000 }, ECONOMY)).toBe(315);
  });

  it('rule: each cost part is floored on its own', () => {
    // 1 token at 999,999 per 1M = 0.999999 -> 0 for each part; summed first it would be 3.999996 -> 3.
    const price: LabelPrice = {
      inputPerMillion: 999_999,
      outputPerMillion: 999_999,
      cacheReadPerMillion: 999_999,
      cacheWritePerMillion: 999_999,
    };
    const tokens = { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 1, cacheWriteInputTokens: 1 };
    expect(costMicros(tokens, price)).toBe(0);
    // 0.6 + 0.6: floored jointly 1, floored per part 0; 1.6 + 1.6: jointly 3, per part 2.
    expect(
      costMicros(
        { inputTokens: 600, outputTokens: 600 },
        { inputPerMillion: 1_000, outputPerMillion: 1_000 },
      ),
    ).toBe(0);
    expect(
      costMicros(
        { inputTokens: 1_600, outputTokens: 1_600 },
        { inputPerMillion: 1_000, outputPerMillion: 1_000 },
      ),
    ).toBe(2);
  });

  it('rule: zero tokens cost nothing', () => {
    expect(costMicros({ inputTokens: 0, outputTokens: 0 }, PREMIUM)).toBe(0);
  });

  it('rule: cache-read and cache-write tokens are priced at the input price when their own price is absent', () => {
    const tokens = {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 1_000_000,
      cacheWriteInputTokens: 2_000_000,
    };
    expect(costMicros(tokens, PREMIUM)).toBe(800_000 + 1_600_000);
  });

  it('rule: cache-read and cache-write tokens use their own price when set', () => {
    const price: LabelPrice = { ...PREMIUM, cacheReadPerMillion: 80_000, cacheWritePerMillion: 1_000_000 };
    expect(costMicros({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 1_000_000 }, price)).toBe(
      80_000,
    );
    expect(costMicros({ inputTokens: 0, outputTokens: 0, cacheWriteInputTokens: 1_000_000 }, price)).toBe(
      1_000_000,
    );
    expect(
      costMicros(
        { inputTokens: 1_500, outputTokens: 800, cacheReadInputTokens: 2_500, cacheWriteInputTokens: 3_333 },
        price,
      ),
    ).toBe(1_200 + 2_560 + 200 + 3_333);
  });

  it('rule: 10^9 tokens x 10^9 price per part keeps full precision (BigInt)', () => {
    const big = 1_000_000_000;
    const price: LabelPrice = {
      inputPerMillion: big - 1,
      outputPerMillion: big,
      cacheReadPerMillion: big - 7,
      cacheWritePerMillion: 999_999_937,
    };
    const tokens = {
      inputTokens: big,
      outputTokens: big - 1,
      cacheReadInputTokens: big - 3,
      cacheWriteInputTokens: 999_999_999,
    };
    // By hand: floor(a * b / 10^6) of each part.
    const byHand =
      (1_000_000_000n * 999_999_999n) / 1_000_000n +
      (999_999_999n * 1_000_000_000n) / 1_000_000n +
      (999_999_997n * 999_999_993n) / 1_000_000n +
      (999_999_999n * 999_999_937n) / 1_000_000n;
    expect(byHand).toBe(999_999_999_000n + 999_999_999_000n + 999_999_990_000n + 999_999_936_000n);
    expect(costMicrosExact(tokens, price)).toBe(byHand);
    expect(costMicros(tokens, price)).toBe(Number(byHand));
    expect(Number.isSafeInteger(costMicros(tokens, price))).toBe(true);
  });

  it('rule: costMicros throws RangeError instead of losing precision beyond the safe integer range', () => {
    const tokens = { inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 0 };
    const price = { inputPerMillion: 2_000_000, outputPerMillion: 0 };
    expect(costMicrosExact(tokens, price)).toBe(BigInt(Number.MAX_SAFE_INTEGER) * 2n);
    expect(() => costMicros(tokens, price)).toThrow(RangeError);
    // exactly MAX_SAFE_INTEGER is still fine
    expect(costMicros(tokens, { inputPerMillion: 1_000_000, outputPerMillion: 0 })).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('rule (property): cost equals the BigInt formula and is monotonic in each token count', () => {
    const count = fc.integer({ min: 0, max: 1_000_000_000 });
    const price = fc.integer({ min: 0, max: 1_000_000_000 });
    fc.assert(
      fc.property(
        fc.record({
          inputTokens: count,
          outputTokens: count,
          cacheReadInputTokens: count,
          cacheWriteInputTokens: count,
        }),
        fc.record(
          {
            inputPerMillion: price,
            outputPerMillion: price,
            cacheReadPerMillion: price,
            cacheWritePerMillion: price,
          },
          { requiredKeys: ['inputPerMillion', 'outputPerMillion'] },
        ),
        fc.constantFrom('inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens'),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        (tokens: TokenCounts, p: LabelPrice, field: keyof TokenCounts, extra: number) => {
          const base = costMicrosExact(tokens, p);
          expect(base).toBe(expectedCost(tokens, p));
          expect(costMicros(tokens, p)).toBe(Number(base));
          const more = { ...tokens, [field]: (tokens[field] ?? 0) + extra };
          expect(costMicrosExact(more, p) >= base).toBe(true);
        },
      ),
      { numRuns: 500, seed: 20260310 },
    );
  });
});

describe('rule: price resolution order is regional entry, then global entry, then config fallback', () => {
  const fallback: LabelPrice = { inputPerMillion: 10, outputPerMillion: 20 };

  it('rule: the regional (model id, region) entry wins over the global one and the fallback', () => {
    const regional = entry({
      region: 'eu-west-1',
      price: { inputPerMillion: 3, outputPerMillion: 4 },
      version: 'r',
    });
    const global = entry({ version: 'g' });
    expect(resolvePrice(regional, global, fallback)).toEqual({
      price: { inputPerMillion: 3, outputPerMillion: 4 },
      source: 'PRICING_API',
      version: 'r',
    });
  });

  it('rule: without a regional entry the global (model id) entry is used', () => {
    const global = entry({ version: 'g', price: { inputPerMillion: 5, outputPerMillion: 6 } });
    expect(resolvePrice(undefined, global, fallback)).toEqual({
      price: { inputPerMillion: 5, outputPerMillion: 6 },
      source: 'PRICING_API',
      version: 'g',
    });
  });

  it('rule: an entry written from the Price List reports source PRICING_API, one written from config reports CACHED', () => {
    expect(resolvePrice(entry({ origin: 'PRICING_API' }), undefined, undefined)?.source).toBe('PRICING_API');
    expect(resolvePrice(entry({ origin: 'CONFIG' }), undefined, undefined)?.source).toBe('CACHED');
    expect(resolvePrice(undefined, entry({ origin: 'CONFIG' }), fallback)?.source).toBe('CACHED');
  });

  it('rule: without any cache entry the config fallback is used with source CONFIG_FALLBACK', () => {
    expect(resolvePrice(undefined, undefined, fallback)).toEqual({
      price: fallback,
      source: 'CONFIG_FALLBACK',
      version: 'config',
    });
  });

  it('rule: nothing to resolve gives undefined', () => {
    expect(resolvePrice(undefined, undefined, undefined)).toBeUndefined();
  });
});
