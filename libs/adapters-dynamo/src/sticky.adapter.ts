import { type EntityItem } from 'electrodb';
import { type StickyState, type StickyStates } from '#core-domain';
import { type Entities } from './entities.js';
import { dayFromKey, dayToKey, isExpired } from './keys.js';
import { type Ctx, unlessConditionFails } from './support.js';

type StickyItem = EntityItem<Entities['sticky']>;

/** The sticky entity has the domain fields; its `day` is stored as YYYYMMDD. */
export function stickyFromItem(item: StickyItem): StickyState {
  return {
    scopeKey: item.scopeKey,
    day: dayFromKey(item.day),
    label: item.label,
    index: item.index,
    previousLabel: item.previousLabel,
    reason: item.reason,
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
}

function stickyToItem(state: StickyState): StickyItem {
  return {
    scopeKey: state.scopeKey,
    day: dayToKey(state.day),
    label: state.label,
    index: state.index,
    previousLabel: state.previousLabel,
    reason: state.reason,
    updatedAt: state.updatedAt,
    expiresAt: state.expiresAt,
  };
}

export function stickyStates({ e }: Ctx): StickyStates {
  return {
    async get(scopeKey, day, now) {
      const { data } = await e.sticky.get({ scopeKey, day: dayToKey(day) }).go();
      if (!data || isExpired(data.expiresAt, now.getTime())) return undefined;
      return stickyFromItem(data);
    },
    async advance(state, now) {
      const nowSecs = Math.floor(now.getTime() / 1000);
      // Forward only: a later index, or over an absent or expired state.
      return unlessConditionFails(async () => {
        await e.sticky
          .put(stickyToItem(state))
          .where(
            (a, op) =>
              `${op.notExists(a.index)} OR ${op.lt(a.index, state.index)} OR ${op.lte(a.expiresAt, nowSecs)}`,
          )
          .go();
        return true;
      }, false);
    },
  };
}
