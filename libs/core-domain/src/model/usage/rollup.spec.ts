import { describe, expect, it } from '@jest/globals';
import { aUsageRecord } from '../../testing/builders.js';
import {
  applyRecords,
  emptyRollup,
  MAX_ROLLUP_VALUES_PER_DAY,
  parseTagEntryKey,
  ROLLUP_NONE,
  ROLLUP_OTHER,
  tagBucket,
  type DayRollup,
} from './rollup.js';
import { type UsageRecord } from './usage.entity.js';

const ORG = 'org-1';
const rec = (i: number, tags?: Record<string, string>, over: Partial<UsageRecord> = {}) =>
  aUsageRecord({
    orgId: ORG,
    requestId: `r${String(i).padStart(5, '0')}`,
    recordedAt: new Date(Date.UTC(2026, 2, 10, 10, 0, i)).toISOString(),
    costUsdMicros: 10 + i,
    ...(tags ? { tags } : {}),
    ...over,
  });

/** value -> (requests, cost) over all apps. */
function byValue(r: DayRollup): Map<string, { requests: number; cost: number }> {
  const out = new Map<string, { requests: number; cost: number }>();
  for (const [k, t] of r.entries) {
    const { value } = parseTagEntryKey(k);
    const v = out.get(value) ?? { requests: 0, cost: 0 };
    out.set(value, { requests: v.requests + t.requests, cost: v.cost + t.costUsdMicros });
  }
  return out;
}
const sum = (m: Map<string, { requests: number; cost: number }>) =>
  [...m.values()].reduce((a, v) => ({ requests: a.requests + v.requests, cost: a.cost + v.cost }), {
    requests: 0,
    cost: 0,
  });

describe('tag rollup partition rule', () => {
  it('tagBucket: no key -> __none__, a seen value stays itself, new values beyond 100 -> __other__', () => {
    const seen = new Set(Array.from({ length: MAX_ROLLUP_VALUES_PER_DAY }, (_, i) => `v${i}`));
    expect(tagBucket(seen, undefined)).toBe(ROLLUP_NONE);
    expect(tagBucket(seen, 'v7')).toBe('v7');
    expect(tagBucket(seen, 'new')).toBe(ROLLUP_OTHER);
    expect(tagBucket(new Set(['a']), 'b')).toBe('b');
  });

  it('a request with two declared keys counts once under each key, never twice under one', () => {
    const records = [
      rec(1, { team: 'search', agent: 'bot' }),
      rec(2, { team: 'search' }),
      rec(3, { agent: 'bot' }),
      rec(4),
    ];
    const total = records.reduce((a, r) => a + r.costUsdMicros, 0);
    const team = byValue(applyRecords(emptyRollup(ORG, 'tag:team', '2026-03-10'), records, 'w'));
    const agent = byValue(applyRecords(emptyRollup(ORG, 'tag:agent', '2026-03-10'), records, 'w'));
    expect(team).toEqual(
      new Map([
        ['search', { requests: 2, cost: 11 + 12 }],
        [ROLLUP_NONE, { requests: 2, cost: 13 + 14 }],
      ]),
    );
    expect(agent).toEqual(
      new Map([
        ['bot', { requests: 2, cost: 11 + 13 }],
        [ROLLUP_NONE, { requests: 2, cost: 12 + 14 }],
      ]),
    );
    expect(sum(team)).toEqual({ requests: 4, cost: total });
    expect(sum(agent)).toEqual({ requests: 4, cost: total });
  });

  it('values past the first 100 of a day go to __other__; a value first seen the same day stays itself', () => {
    const records = [
      ...Array.from({ length: 100 }, (_, i) => rec(i, { team: `t${i}` })),
      rec(100, { team: 'late-1' }),
      rec(101, { team: 't5' }),
      rec(102, { team: 'late-2' }),
      rec(103),
    ];
    // Applied in two windows (as two passes would), the figures are the same as in one.
    const one = applyRecords(emptyRollup(ORG, 'tag:team', '2026-03-10'), records, 'w');
    const two = applyRecords(
      applyRecords(emptyRollup(ORG, 'tag:team', '2026-03-10'), records.slice(0, 60), 'w1'),
      records.slice(60),
      'w2',
    );
    const m = byValue(one);
    expect(byValue(two)).toEqual(m);
    expect(m.size).toBe(102); // 100 values, __other__, __none__
    expect(m.get(ROLLUP_OTHER)).toEqual({ requests: 2, cost: 110 + 112 });
    expect(m.get('t5')).toEqual({ requests: 2, cost: 15 + 111 });
    expect(m.get(ROLLUP_NONE)).toEqual({ requests: 1, cost: 113 });
    expect(m.has('late-1')).toBe(false);
    expect(sum(m)).toEqual({ requests: 104, cost: records.reduce((a, r) => a + r.costUsdMicros, 0) });
  });

  it('the cap counts values across apps; entries keep the app; applyRecords does not change its input', () => {
    const base = emptyRollup(ORG, 'tag:team', '2026-03-10');
    const out = applyRecords(
      base,
      [rec(1, { team: 'a' }, { appId: 'x' }), rec(2, { team: 'a' }, { appId: 'y' })],
      'w',
    );
    expect(base.entries.size).toBe(0);
    expect([...out.entries.keys()].sort()).toEqual(['x\ta', 'y\ta']);
    expect(out.window).toBe('w');
  });

  it('dims: (scope, app, label, model) entries with errors counted', () => {
    const out = applyRecords(
      emptyRollup(ORG, 'dims', '2026-03-10'),
      [rec(1), rec(2, undefined, { status: 'ERROR' }), rec(3, undefined, { label: 'fast' })],
      'w',
    );
    expect(out.entries.get('ORG\tapp1\tpremium\tamazon.nova-pro-v1:0')).toMatchObject({
      requests: 2,
      errors: 1,
      costUsdMicros: 23,
    });
    expect(out.entries.get('ORG\tapp1\tfast\tamazon.nova-pro-v1:0')).toMatchObject({
      requests: 1,
      errors: 0,
    });
  });
});
