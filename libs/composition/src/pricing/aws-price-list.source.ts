import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { type LabelPrice, type PriceQuote, type PricingSource, type ServiceConfig } from '#core-domain';

/** The part of the Pricing client this adapter uses (a fake stands in for it in tests). */
export interface PricingLike {
  send(
    command: GetProductsCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ PriceList?: string[]; NextToken?: string }>;
}

interface PriceListProduct {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }
    >;
  };
}

/** `amazon.nova-pro-v1:0` -> `nova-pro`: how the model appears in the price list's usage types. */
export function modelSlug(bedrockModelId: string): string {
  const name = bedrockModelId.split('.').slice(1).join('.') || bedrockModelId;
  return name
    .replace(/-v\d+(:\d+)?$/, '')
    .replace(/:\d+$/, '')
    .toLowerCase();
}

/** USD per unit (`1K tokens` or `1M tokens`) -> integer micro-USD per 1M tokens. */
function microsPerMillion(usd: string, unit: string | undefined): number | undefined {
  const value = Number(usd);
  if (!Number.isFinite(value) || value < 0) return undefined;
  const perUnitTokens = /1k/i.test(unit ?? '') ? 1_000 : /1m/i.test(unit ?? '') ? 1_000_000 : undefined;
  if (!perUnitTokens) return undefined;
  return Math.round(value * 1_000_000 * (1_000_000 / perUnitTokens));
}

/**
 * Daily prices from the AWS Price List API (service AmazonBedrock, on-demand). A product matches a
 * model when its usage type names the model (see modelSlug) and says input or output tokens. Best
 * effort: models without both prices get no quote, and the refresh keeps yesterday's entry or the
 * config price for them. Enabled with PRICING_SOURCE=aws (the task role needs pricing:GetProducts).
 */
export class AwsPriceListSource implements PricingSource {
  readonly origin = 'PRICING_API' as const;

  constructor(
    private readonly client: PricingLike,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The Price List API is served from us-east-1 (and a few others), whatever the service region. */
  static create(_config: ServiceConfig): AwsPriceListSource {
    return new AwsPriceListSource(new PricingClient({ region: 'us-east-1', maxAttempts: 3 }));
  }

  async quotes(models: Array<{ bedrockModelId: string; region?: string }>): Promise<PriceQuote[]> {
    const out: PriceQuote[] = [];
    for (const region of new Set(models.map((m) => m.region ?? 'us-east-1'))) {
      const products = await this.products(region);
      for (const m of models.filter((x) => (x.region ?? 'us-east-1') === region)) {
        const slug = modelSlug(m.bedrockModelId);
        const price: Partial<LabelPrice> = {};
        for (const p of products) {
          const usage = (p.product?.attributes?.usagetype ?? '').toLowerCase();
          if (!usage.includes(slug)) continue;
          const dim = Object.values(p.terms?.OnDemand ?? {}).flatMap((t) =>
            Object.values(t.priceDimensions ?? {}),
          )[0];
          const micros =
            dim?.pricePerUnit?.USD !== undefined
              ? microsPerMillion(dim.pricePerUnit.USD, dim.unit)
              : undefined;
          if (micros === undefined) continue;
          if (/cache-?read/.test(usage)) price.cacheReadPerMillion = micros;
          else if (/cache-?write/.test(usage)) price.cacheWritePerMillion = micros;
          else if (/input/.test(usage)) price.inputPerMillion = micros;
          else if (/output/.test(usage)) price.outputPerMillion = micros;
        }
        if (price.inputPerMillion !== undefined && price.outputPerMillion !== undefined) {
          out.push({ bedrockModelId: m.bedrockModelId, region, price: price as LabelPrice });
        }
      }
    }
    return out;
  }

  private async products(region: string): Promise<PriceListProduct[]> {
    const all: PriceListProduct[] = [];
    let next: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await this.client.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonBedrock',
          Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
          ...(next ? { NextToken: next } : {}),
        }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
      for (const item of r.PriceList ?? []) all.push(JSON.parse(item) as PriceListProduct);
      next = r.NextToken;
      if (!next) break;
    }
    return all;
  }
}
