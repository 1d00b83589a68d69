import { type DayRollup, type RollupCheckpoint, type UsageRollups } from '#core-domain';
import { copy } from './copy.js';

function copyRollup(r: DayRollup): DayRollup {
  const out: DayRollup = {
    orgId: r.orgId,
    set: r.set,
    day: r.day,
    entries: new Map([...r.entries].map(([k, t]) => [k, { ...t }])),
    expiresAt: r.expiresAt,
  };
  if (r.window !== undefined) out.window = r.window;
  return out;
}

/** The daily rollups and the pass checkpoint, in memory (TTL not enforced: rollups live 400 days). */
export function createRollupStore(tick: () => Promise<void>): UsageRollups {
  const rollups = new Map<string, DayRollup>(); // `${org}|${set}|${day}`
  let checkpoint: RollupCheckpoint | undefined;
  return {
    async readRange(orgId, set, fromDay, toDay) {
      await tick();
      const out: DayRollup[] = [];
      for (const r of rollups.values()) {
        if (r.orgId === orgId && r.set === set && r.day >= fromDay && r.day <= toDay) out.push(copyRollup(r));
      }
      return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    },
    async write(rollup, expectedWindow) {
      await tick();
      const key = `${rollup.orgId}|${rollup.set}|${rollup.day}`;
      const current = rollups.get(key);
      if (
        current
          ? current.window !== expectedWindow || expectedWindow === undefined
          : expectedWindow !== undefined
      )
        return false;
      rollups.set(key, copyRollup(rollup));
      return true;
    },
    async readCheckpoint() {
      await tick();
      return checkpoint ? copy(checkpoint) : undefined;
    },
    async writeCheckpoint(c) {
      await tick();
      checkpoint = copy(c);
    },
  };
}
