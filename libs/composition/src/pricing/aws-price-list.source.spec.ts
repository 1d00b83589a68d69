import { describe, expect, it } from '@jest/globals';
import { type GetProductsCommand } from '@aws-sdk/client-pricing';
import { AwsPriceListSource, modelSlug, type PricingLike } from './aws-price-list.source.js';

const product = (usagetype: string, usd: string, unit = '1K tokens') =>
  JSON.stringify({
    product: { attributes: { usagetype, regionCode: 'us-east-1' } },
    terms: { OnDemand: { t1: { priceDimensions: { d1: { unit, pricePerUnit: { USD: usd } } } } } },
  });

/** An in-process stand-in for the Price List API, paging two products per page. */
class FakePricing implements PricingLike {
  calls: Array<{ region?: string; token?: string }> = [];
  constructor(private readonly items: string[]) {}
  async send(command: GetProductsCommand) {
    const token = command.input.NextToken;
    this.calls.push({ region: command.input.Filters?.[0]?.Value, token });
    const start = token ? Number(token) : 0;
    const page = this.items.slice(start, start + 2);
    return { PriceList: page, ...(start + 2 < this.items.length ? { NextToken: String(start + 2) } : {}) };
  }
}

describe('AwsPriceListSource', () => {
  it('names models as the price list does', () => {
    expect(modelSlug('amazon.nova-pro-v1:0')).toBe('nova-pro');
    expect(modelSlug('amazon.nova-2-lite-v1:0')).toBe('nova-2-lite');
  });

  it('turns USD per 1K tokens into micro-USD per 1M, across pages, per region', async () => {
    const fake = new FakePricing([
      product('USE1-Nova-Pro-input-tokens', '0.0008'),
      product('USE1-Nova-Pro-output-tokens', '0.0032'),
      product('USE1-Nova-Pro-cache-read-input-tokens', '0.0002'),
      product('USE1-Nova-Micro-input-tokens', '0.000035'),
    ]);
    const quotes = await new AwsPriceListSource(fake).quotes([
      { bedrockModelId: 'amazon.nova-pro-v1:0', region: 'us-east-1' },
      { bedrockModelId: 'amazon.nova-micro-v1:0', region: 'us-east-1' },
    ]);
    expect(quotes).toEqual([
      {
        bedrockModelId: 'amazon.nova-pro-v1:0',
        region: 'us-east-1',
        price: { inputPerMillion: 800000, outputPerMillion: 3200000, cacheReadPerMillion: 200000 },
      },
    ]); // Nova Micro has no output price in this list: no quote, so the refresh keeps the old one
    expect(fake.calls).toEqual([
      { region: 'us-east-1', token: undefined },
      { region: 'us-east-1', token: '2' },
    ]);
  });
});
