import { describe, expect, it } from '@jest/globals';
import { DomainError, FieldProblems, InvalidConfigError } from '../errors.js';
import {
  type Budget,
  checkBudgetsDistinct,
  MAX_BUDGET_LIMIT,
  MAX_BUDGETS,
  parseBudgets,
} from './budget.entity.js';

function parse(raw: unknown, field = 'budgets') {
  const p = new FieldProblems();
  const budgets = parseBudgets(p, field, raw);
  return { budgets, problems: p.list };
}

function fieldsOf(raw: unknown): string[] {
  return parse(raw).problems.map((x) => x.field);
}

describe('rule: a budget is { window, limit_usd_micros, label? } (domain field names on input)', () => {
  it('rule: accepts labelled and all-label budgets of every window', () => {
    const { budgets, problems } = parse([
      { window: 'DAY', limitUsdMicros: 1_000_000, label: 'premium' },
      { window: 'WEEK', limitUsdMicros: 5_000_000, label: 'nova.pro-v1_0' },
      { window: 'MONTH', limitUsdMicros: 20_000_000 },
    ]);
    expect(problems).toEqual([]);
    expect(budgets).toEqual([
      { window: 'DAY', limitUsdMicros: 1_000_000, label: 'premium' },
      { window: 'WEEK', limitUsdMicros: 5_000_000, label: 'nova.pro-v1_0' },
      { window: 'MONTH', limitUsdMicros: 20_000_000 },
    ]);
    // Without a label the budget has no label key at all (all labels together).
    expect(budgets![2]).not.toHaveProperty('label');
  });

  it('rule: an empty list is no budgets', () => {
    expect(parse([])).toEqual({ budgets: [], problems: [] });
  });

  it('rule: limits are integers from 0 to 10^15', () => {
    expect(MAX_BUDGET_LIMIT).toBe(10 ** 15);
    expect(parse([{ window: 'MONTH', limitUsdMicros: 0 }]).problems).toEqual([]);
    expect(parse([{ window: 'MONTH', limitUsdMicros: 10 ** 15 }])).toEqual({
      budgets: [{ window: 'MONTH', limitUsdMicros: 10 ** 15 }],
      problems: [],
    });
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -1],
    ['more than 10^15', 10 ** 15 + 1],
    ['a string', '1000'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['missing', undefined],
  ])('rule: a limit that is %s is refused at budgets[i].limit_usd_micros', (_name, limit) => {
    const { budgets, problems } = parse([
      { window: 'WEEK', limitUsdMicros: 1 },
      { window: 'WEEK', limitUsdMicros: limit, label: 'x' },
    ]);
    expect(problems).toEqual([
      { field: 'budgets[1].limit_usd_micros', message: expect.stringContaining('integer') },
    ]);
    expect(budgets).toEqual([{ window: 'WEEK', limitUsdMicros: 1 }]);
  });

  it.each([['YEAR'], ['week'], ['30d'], [''], [7], [null], [undefined]])(
    'rule: the window %p is refused (DAY, WEEK or MONTH only)',
    (window) => {
      const { problems } = parse([{ window, limitUsdMicros: 1 }]);
      expect(problems).toEqual([{ field: 'budgets[0].window', message: 'must be one of DAY, WEEK, MONTH' }]);
    },
  );

  it.each([
    ['empty', ''],
    ['starting with a dash', '-premium'],
    ['with a space', 'pre mium'],
    ['with a #', 'pre#mium'],
    ['51 characters', 'a'.repeat(51)],
    ['a prototype key', 'constructor'],
    ['another prototype key', 'toString'],
    ['a number', 5],
    ['null', null],
  ])('rule: a label that is %s is refused', (_name, label) => {
    expect(parse([{ window: 'DAY', limitUsdMicros: 1, label }]).problems).toEqual([
      { field: 'budgets[0].label', message: 'must be a label name' },
    ]);
  });

  it('rule: a 50-character label is accepted', () => {
    expect(parse([{ window: 'DAY', limitUsdMicros: 1, label: 'a'.repeat(50) }]).problems).toEqual([]);
  });

  it('rule: unknown fields are refused, reported by their wire names', () => {
    const { problems, budgets } = parse([{ window: 'WEEK', limit_usd_micros: 5 }]);
    expect(problems).toEqual(
      expect.arrayContaining([{ field: 'budgets[0].limit_usd_micros', message: 'is not a known field' }]),
    );
    // The limit itself is then missing, also reported under its wire name.
    expect(problems.map((x) => x.field)).toEqual([
      'budgets[0].limit_usd_micros',
      'budgets[0].limit_usd_micros',
    ]);
    expect(budgets).toEqual([]);
    expect(fieldsOf([{ window: 'WEEK', limitUsdMicros: 5, scope: 'ORG' }])).toEqual(['budgets[0].scope']);
  });

  it('rule: unknown fields named like Object.prototype members are reported by their own names', () => {
    // An own __proto__ key, as JSON.parse makes it.
    const raw = JSON.parse('[{"window":"DAY","limitUsdMicros":1,"__proto__":{"label":"x"}}]') as unknown;
    expect(fieldsOf(raw)).toEqual(['budgets[0].__proto__']);
    expect(fieldsOf([{ window: 'DAY', limitUsdMicros: 1, constructor: 1 }])).toEqual([
      'budgets[0].constructor',
    ]);
    expect(fieldsOf([{ window: 'DAY', limitUsdMicros: 1, toString: 'x' }])).toEqual(['budgets[0].toString']);
  });

  it('rule: every problem of every budget is reported at once, under the given field', () => {
    const { problems } = parse(
      [
        { window: 'WEEK', limitUsdMicros: 1 },
        { window: 'YEAR', limitUsdMicros: -1, label: '' },
        'MONTH',
        null,
        [],
      ],
      'apps.budgets',
    );
    expect(problems.map((x) => x.field)).toEqual([
      'apps.budgets[1].window',
      'apps.budgets[1].limit_usd_micros',
      'apps.budgets[1].label',
      'apps.budgets[2]',
      'apps.budgets[3]',
      'apps.budgets[4]',
    ]);
  });

  it(`rule: up to ${MAX_BUDGETS} budgets; more, or not a list, is refused at the field`, () => {
    const budget = (i: number) => ({ window: 'DAY', limitUsdMicros: i, label: `l${i}` });
    const ten = Array.from({ length: 10 }, (_, i) => budget(i));
    expect(MAX_BUDGETS).toBe(10);
    expect(parse(ten).budgets).toHaveLength(10);
    const eleven = parse([...ten, budget(10)]);
    expect(eleven.budgets).toBeUndefined();
    expect(eleven.problems).toEqual([{ field: 'budgets', message: 'must be a list of at most 10 budgets' }]);
    for (const notAList of [{ window: 'DAY', limitUsdMicros: 1 }, 'DAY', null, undefined, 3]) {
      expect(parse(notAList).problems).toEqual([{ field: 'budgets', message: expect.any(String) }]);
    }
  });
});

describe('rule: two budgets with the same window and label are INVALID_CONFIG', () => {
  function thrown(budgets: Budget[], field = 'budgets'): unknown {
    try {
      checkBudgetsDistinct(budgets, field);
    } catch (e) {
      return e;
    }
    return undefined;
  }

  it('rule: the same window and label twice throws InvalidConfigError (code INVALID_CONFIG)', () => {
    const e = thrown([
      { window: 'WEEK', limitUsdMicros: 1, label: 'premium' },
      { window: 'MONTH', limitUsdMicros: 1, label: 'premium' },
      { window: 'WEEK', limitUsdMicros: 2, label: 'premium' },
    ]);
    expect(e).toBeInstanceOf(InvalidConfigError);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'budgets', window: 'WEEK', label: 'premium' },
    });
    expect((e as Error).message).toContain("label 'premium'");
  });

  it('rule: two all-label budgets of one window throw too (label null in the details)', () => {
    const e = thrown(
      [
        { window: 'MONTH', limitUsdMicros: 1 },
        { window: 'MONTH', limitUsdMicros: 5 },
      ],
      'app.budgets',
    );
    expect(e).toBeInstanceOf(InvalidConfigError);
    expect(e).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'app.budgets', window: 'MONTH', label: null },
    });
  });

  it('rule: the same window with different labels, or an all-label and a labelled one, is accepted', () => {
    expect(
      thrown([
        { window: 'WEEK', limitUsdMicros: 1, label: 'premium' },
        { window: 'WEEK', limitUsdMicros: 1, label: 'standard' },
        { window: 'WEEK', limitUsdMicros: 1 },
        { window: 'MONTH', limitUsdMicros: 1 },
        { window: 'DAY', limitUsdMicros: 1 },
        { window: 'MONTH', limitUsdMicros: 1, label: 'premium' },
      ]),
    ).toBeUndefined();
    expect(thrown([])).toBeUndefined();
  });
});
