import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addTotals, addTotalsInto, ZERO_TOTALS, type UsageTotals } from './usage.entity.js';

const totals = fc.record(
  {
    costUsdMicros: fc.integer({ min: 0, max: 1e12 }),
    inputTokens: fc.integer({ min: 0, max: 1e9 }),
    outputTokens: fc.integer({ min: 0, max: 1e9 }),
    cacheReadInputTokens: fc.integer({ min: 0, max: 1e9 }),
    cacheWriteInputTokens: fc.integer({ min: 0, max: 1e9 }),
    requests: fc.integer({ min: 0, max: 1e6 }),
  },
  { noNullPrototype: true },
);

describe('usage totals', () => {
  it('addTotalsInto adds in place what addTotals returns as a new object, and leaves the added one alone', () => {
    fc.assert(
      fc.property(totals, totals, (a, b) => {
        const into: UsageTotals = { ...a };
        const bBefore = { ...b };
        addTotalsInto(into, b);
        expect(into).toStrictEqual(addTotals(a, b));
        expect(b).toStrictEqual(bBefore);
      }),
    );
  });

  it('a sum started from a copy of ZERO_TOTALS leaves ZERO_TOTALS at zero', () => {
    const sum = { ...ZERO_TOTALS };
    addTotalsInto(sum, { ...ZERO_TOTALS, costUsdMicros: 5, requests: 1 });
    expect(sum.costUsdMicros).toBe(5);
    expect(ZERO_TOTALS.costUsdMicros).toBe(0);
    expect(ZERO_TOTALS.requests).toBe(0);
  });
});
