import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../testing/fake-clock.js';
import { mapLimit } from './map-limit.js';
import { TtlCache } from './ttl-cache.js';

/** A promise whose resolution the test controls. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('rule: cached values live for the TTL, timed by the Clock port', () => {
  it('rule: a value is returned until the TTL has passed', () => {
    const clock = new FakeClock('2026-03-10T12:00:00Z');
    const cache = new TtlCache<string>(clock, 60_000);
    cache.set('k', 'v');
    expect(cache.get('k')).toBe('v');
    clock.advance(59_999);
    expect(cache.get('k')).toBe('v');
  });

  it('rule: a value expires exactly at set time + TTL', () => {
    const clock = new FakeClock('2026-03-10T12:00:00Z');
    const cache = new TtlCache<string>(clock, 60_000);
    cache.set('k', 'v');
    clock.advanceSecs(60);
    expect(cache.get('k')).toBeUndefined();
    clock.set('2026-03-10T11:00:00Z'); // even if the clock goes back, the expired entry is gone
    expect(cache.get('k')).toBeUndefined();
  });

  it('rule: setting a key again restarts its TTL', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<number>(clock, 1_000);
    cache.set('k', 1);
    clock.advance(900);
    cache.set('k', 2);
    clock.advance(900);
    expect(cache.get('k')).toBe(2);
  });

  it('rule: unknown and deleted keys miss', () => {
    const cache = new TtlCache<number>(new FakeClock(), 1_000);
    expect(cache.get('nope')).toBeUndefined();
    cache.set('k', 1);
    cache.delete('k');
    expect(cache.get('k')).toBeUndefined();
  });

  it('rule: falsy values such as 0, empty string and null are cached', () => {
    const cache = new TtlCache<number | string | null>(new FakeClock(), 1_000);
    cache.set('zero', 0);
    cache.set('empty', '');
    cache.set('null', null);
    expect(cache.get('zero')).toBe(0);
    expect(cache.get('empty')).toBe('');
    expect(cache.get('null')).toBeNull();
  });
});

describe('rule: the cache is bounded; the oldest entries go first past maxEntries', () => {
  it('rule: adding a new key beyond maxEntries evicts the oldest one', () => {
    const cache = new TtlCache<number>(new FakeClock(), 60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    expect(cache.get('c')).toBe(3);
  });

  it('rule: updating an existing key at the bound evicts nothing', () => {
    const cache = new TtlCache<number>(new FakeClock(), 60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBe(2);
  });
});

describe('rule: getOrLoad returns the cached value or loads it; concurrent misses share one load', () => {
  it('rule: a miss loads and caches; a hit does not load again until the TTL passes', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>(clock, 60_000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(loads).toBe(1);
    clock.advanceSecs(60);
    expect(await cache.getOrLoad('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('rule: concurrent misses for one key share a single load', async () => {
    const cache = new TtlCache<string>(new FakeClock(), 60_000);
    const d = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return d.promise;
    };
    const p1 = cache.getOrLoad('k', load);
    const p2 = cache.getOrLoad('k', load);
    d.resolve('shared');
    expect(await Promise.all([p1, p2])).toEqual(['shared', 'shared']);
    expect(loads).toBe(1);
    expect(cache.get('k')).toBe('shared');
  });

  it('rule: misses for different keys load separately', async () => {
    const cache = new TtlCache<string>(new FakeClock(), 60_000);
    const seen: string[] = [];
    await Promise.all(['a', 'b'].map((k) => cache.getOrLoad(k, async () => (seen.push(k), k.toUpperCase()))));
    expect(seen.sort()).toEqual(['a', 'b']);
    expect([cache.get('a'), cache.get('b')]).toEqual(['A', 'B']);
  });

  it('rule: a value that shouldCache refuses is returned but not cached', async () => {
    const cache = new TtlCache<string | null>(new FakeClock(), 60_000);
    let loads = 0;
    const load = async () => (++loads, null);
    const notNull = (v: string | null) => v !== null;
    expect(await cache.getOrLoad('k', load, notNull)).toBeNull();
    expect(await cache.getOrLoad('k', load, notNull)).toBeNull();
    expect(loads).toBe(2);
  });

  it('rule: a failed load is not cached and the next call loads again', async () => {
    const cache = new TtlCache<string>(new FakeClock(), 60_000);
    await expect(cache.getOrLoad('k', async () => Promise.reject(new Error('storage down')))).rejects.toThrow(
      'storage down',
    );
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.getOrLoad('k', async () => 'ok')).toBe('ok');
  });

  it('rule: concurrent callers of a failing shared load all see the failure', async () => {
    const cache = new TtlCache<string>(new FakeClock(), 60_000);
    const d = deferred<string>();
    const p1 = cache.getOrLoad('k', () => d.promise);
    const p2 = cache.getOrLoad('k', () => Promise.resolve('never used'));
    d.reject(new Error('boom'));
    await expect(p1).rejects.toThrow('boom');
    await expect(p2).rejects.toThrow('boom');
  });
});

describe('rule: mapLimit runs at most `limit` tasks at once and keeps the input order', () => {
  it('rule: results keep the input order whatever the completion order', async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const p = mapLimit([0, 1, 2], 3, async (x, i) => {
      await gates[x]!.promise;
      return `${x}@${i}`;
    });
    gates[2]!.resolve();
    gates[0]!.resolve();
    gates[1]!.resolve();
    expect(await p).toEqual(['0@0', '1@1', '2@2']);
  });

  it('rule: never more than `limit` tasks are in flight, and every item is processed once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const items = Array.from({ length: 25 }, (_, i) => i);
    const out = await mapLimit(items, 4, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(x);
      await Promise.resolve();
      await Promise.resolve();
      inFlight--;
      return x * 2;
    });
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    expect(out).toEqual(items.map((x) => x * 2));
  });

  it('rule: an empty input gives an empty result', async () => {
    expect(await mapLimit([], 8, async () => 1)).toEqual([]);
  });
});
