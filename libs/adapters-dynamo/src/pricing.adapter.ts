import { type EntityItem } from 'electrodb';
import { type LabelPrice, type PricingCache, type PricingEntry } from '#core-domain';
import { type Key } from './batch.js';
import { type Entities } from './entities.js';
import { dayFromKey, dayToKey, isExpired } from './keys.js';
import { batchPut, type Ctx, defined, keyOf, parseAll } from './support.js';

/** The global (region-less) pricing entry's region key. */
const GLOBAL_REGION = '*';

/** Stored with the day as `YYYYMMDD` in its key and `day` attribute (the port's days are `YYYY-MM-DD`). */
type PricingItem = EntityItem<Entities['pricing']>;

function pricingToItem(p: PricingEntry): PricingItem {
  return defined({
    day: dayToKey(p.day),
    bedrockModelId: p.bedrockModelId,
    regionKey: p.region ?? GLOBAL_REGION,
    region: p.region,
    price: defined({ ...p.price }),
    origin: p.origin,
    version: p.version,
    expiresAt: p.expiresAt,
  });
}

function pricingFromItem(item: PricingItem): PricingEntry {
  return defined({
    day: dayFromKey(item.day),
    bedrockModelId: item.bedrockModelId,
    region: item.region,
    price: { ...(item.price as LabelPrice) },
    origin: item.origin,
    version: item.version,
    expiresAt: item.expiresAt,
  });
}

export function pricingCache({ e, raw }: Ctx): PricingCache {
  return {
    async find(isoDay, bedrockModelId, region, now) {
      const day = dayToKey(isoDay);
      const keys: Key[] = [keyOf(e.pricing.get({ day, bedrockModelId, regionKey: GLOBAL_REGION }))];
      if (region !== undefined) keys.push(keyOf(e.pricing.get({ day, bedrockModelId, regionKey: region })));
      const found: { regional?: PricingEntry; global?: PricingEntry } = {};
      for (const item of parseAll(e.pricing, await raw(keys))) {
        if (isExpired(item.expiresAt, now.getTime())) continue;
        if (item.regionKey === GLOBAL_REGION) found.global = pricingFromItem(item);
        else if (item.regionKey === region) found.regional = pricingFromItem(item);
      }
      return found;
    },
    async put(entries) {
      const unique = new Map<string, PricingItem>();
      for (const entry of entries) {
        const item = pricingToItem(entry);
        unique.set(`${item.day}\u0000${item.bedrockModelId}\u0000${item.regionKey}`, item);
      }
      await batchPut([...unique.values()], (part) => e.pricing.put(part).go());
    },
  };
}
