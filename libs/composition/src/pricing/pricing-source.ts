import { type PricingSource, type ServiceConfig } from '#core-domain';
import { type Settings } from '../settings.js';
import { AwsPriceListSource } from './aws-price-list.source.js';
import { ConfigPricingSource } from './config-pricing.source.js';

/** The daily pricing refresh's source for the settings (PRICING_SOURCE): config prices, or AWS Price List. */
export function pricingSourceFor(
  settings: Pick<Settings, 'pricingSource'>,
  config: ServiceConfig,
): PricingSource {
  return settings.pricingSource === 'aws'
    ? AwsPriceListSource.create(config)
    : new ConfigPricingSource(config);
}
