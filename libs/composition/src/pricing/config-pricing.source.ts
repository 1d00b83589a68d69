import { type PriceQuote, type PricingSource, type ServiceConfig } from '#core-domain';

/** Prices from the config file: the default PricingSource of the daily refresh. */
export class ConfigPricingSource implements PricingSource {
  readonly origin = 'CONFIG' as const;
  constructor(private readonly config: ServiceConfig) {}
  async quotes(models: Array<{ bedrockModelId: string; region?: string }>): Promise<PriceQuote[]> {
    const out: PriceQuote[] = [];
    for (const m of models) {
      const def = Object.values(this.config.labels).find((d) => d.bedrockModelId === m.bedrockModelId);
      if (def)
        out.push(
          m.region
            ? { bedrockModelId: m.bedrockModelId, region: m.region, price: def.price }
            : { bedrockModelId: m.bedrockModelId, price: def.price },
        );
    }
    return out;
  }
}
