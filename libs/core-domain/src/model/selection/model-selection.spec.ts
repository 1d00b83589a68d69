import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type LabelStatus } from '../quota/quota-status.js';
import { decideModel, stickyMayAdvance } from './model-selection.js';

const ORDERING = ['premium', 'standard', 'economy'];

function statuses(...s: LabelStatus[]): Record<string, LabelStatus> {
  return Object.fromEntries(ORDERING.map((label, i) => [label, s[i] ?? 'NORMAL']));
}

describe('rule: without a sticky state the walk starts at position 0 and recommends the first non-EXCEEDED label', () => {
  it('rule: the first label when nothing is exceeded, reason NORMAL, no sticky write', () => {
    expect(decideModel({ ordering: ORDERING, statuses: statuses(), stickyEnabled: true })).toEqual({
      kind: 'recommend',
      index: 0,
      label: 'premium',
      reason: 'NORMAL',
      stickyActive: false,
    });
  });

  it('rule: a TIGHT label is still recommended (only EXCEEDED is skipped)', () => {
    const d = decideModel({ ordering: ORDERING, statuses: statuses('TIGHT'), stickyEnabled: true });
    expect(d).toMatchObject({ kind: 'recommend', index: 0, label: 'premium', reason: 'NORMAL' });
  });

  it('rule: reason is QUOTA_EXCEEDED_<LABEL> naming the label just before the recommendation, upper-cased', () => {
    const d = decideModel({ ordering: ORDERING, statuses: statuses('EXCEEDED'), stickyEnabled: true });
    expect(d).toMatchObject({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
    });
    const d2 = decideModel({
      ordering: ORDERING,
      statuses: statuses('EXCEEDED', 'EXCEEDED'),
      stickyEnabled: true,
    });
    expect(d2).toMatchObject({
      kind: 'recommend',
      index: 2,
      label: 'economy',
      reason: 'QUOTA_EXCEEDED_STANDARD',
    });
  });

  it('rule: mixed-case labels are upper-cased in the reason', () => {
    const d = decideModel({
      ordering: ['my-Profile_1', 'economy'],
      statuses: { 'my-Profile_1': 'EXCEEDED', economy: 'NORMAL' },
      stickyEnabled: false,
    });
    expect(d).toMatchObject({ label: 'economy', reason: 'QUOTA_EXCEEDED_MY-PROFILE_1' });
  });

  it('rule: a label without a known status counts as not EXCEEDED', () => {
    const d = decideModel({ ordering: ORDERING, statuses: {}, stickyEnabled: true });
    expect(d).toMatchObject({ index: 0, label: 'premium', reason: 'NORMAL' });
  });
});

describe('rule: with stickiness on, falling past an EXCEEDED label records a forward-only sticky state', () => {
  it('rule: advanceStickyTo names the recommendation and the label before it', () => {
    const d = decideModel({ ordering: ORDERING, statuses: statuses('EXCEEDED'), stickyEnabled: true });
    expect(d).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'QUOTA_EXCEEDED_PREMIUM',
      advanceStickyTo: { index: 1, label: 'standard', previousLabel: 'premium' },
      stickyActive: true,
    });
  });

  it('rule: no sticky write when the first label is recommended', () => {
    const d = decideModel({ ordering: ORDERING, statuses: statuses(), stickyEnabled: true });
    expect(d.kind === 'recommend' && d.advanceStickyTo).toBeFalsy();
  });

  it('rule: with stickiness off there is never a sticky write', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses('EXCEEDED', 'EXCEEDED'),
      stickyEnabled: false,
    });
    expect(d).toMatchObject({
      kind: 'recommend',
      index: 2,
      label: 'economy',
      reason: 'QUOTA_EXCEEDED_STANDARD',
    });
    expect(d.kind === 'recommend' && d.advanceStickyTo).toBeFalsy();
    expect(d.kind === 'recommend' && d.stickyActive).toBe(false);
  });
});

describe('rule: a sticky state for the day sets the start position', () => {
  it('rule: the walk starts at the sticky label even when earlier labels look healthy again (STICKY_FALLBACK)', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses(),
      stickyEnabled: true,
      sticky: { label: 'standard', index: 1 },
    });
    expect(d).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'STICKY_FALLBACK',
      stickyActive: true,
    });
  });

  it('rule: from the sticky position the walk continues forward past EXCEEDED labels and advances the state', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses('NORMAL', 'EXCEEDED'),
      stickyEnabled: true,
      sticky: { label: 'standard', index: 1 },
    });
    expect(d).toEqual({
      kind: 'recommend',
      index: 2,
      label: 'economy',
      reason: 'QUOTA_EXCEEDED_STANDARD',
      advanceStickyTo: { index: 2, label: 'economy', previousLabel: 'standard' },
      stickyActive: true,
    });
  });

  it("rule: the sticky label's position in the current ordering wins over the stored index", () => {
    const d = decideModel({
      ordering: ['economy', 'premium', 'standard'],
      statuses: { economy: 'NORMAL', premium: 'NORMAL', standard: 'NORMAL' },
      stickyEnabled: true,
      sticky: { label: 'standard', index: 1 },
    });
    expect(d).toMatchObject({ index: 2, label: 'standard', reason: 'STICKY_FALLBACK' });
  });

  it('rule: a sticky label no longer in the ordering keeps the stored index', () => {
    const d = decideModel({
      ordering: ['premium', 'economy', 'standard'],
      statuses: { premium: 'NORMAL', economy: 'NORMAL', standard: 'NORMAL' },
      stickyEnabled: true,
      sticky: { label: 'removed', index: 1 },
    });
    expect(d).toMatchObject({ index: 1, label: 'economy', reason: 'STICKY_FALLBACK' });
  });

  it('rule: a removed sticky label whose index is past a shortened ordering starts at the last label (never earlier)', () => {
    // The ordering was [premium, standard, economy] with the sticky state on economy (index 2); an
    // update removed economy. Nothing is EXCEEDED, so "every quota exhausted" (429) would be wrong,
    // and going back to premium would break forward-only stickiness.
    const shortened = ['premium', 'standard'];
    const sticky = { label: 'economy', index: 2 };
    expect(
      decideModel({
        ordering: shortened,
        statuses: { premium: 'NORMAL', standard: 'NORMAL' },
        stickyEnabled: true,
        sticky,
      }),
    ).toEqual({
      kind: 'recommend',
      index: 1,
      label: 'standard',
      reason: 'STICKY_FALLBACK',
      stickyActive: true,
    });
    expect(
      decideModel({
        ordering: shortened,
        statuses: { premium: 'NORMAL', standard: 'EXCEEDED' },
        stickyEnabled: true,
        sticky,
      }),
    ).toEqual({ kind: 'all-exceeded' });
  });

  it('rule: a sticky state on the first label behaves like no fallback (NORMAL)', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses(),
      stickyEnabled: true,
      sticky: { label: 'premium', index: 0 },
    });
    expect(d).toMatchObject({ index: 0, label: 'premium', reason: 'NORMAL', stickyActive: false });
  });

  it('rule: with stickiness off the walk starts at 0 even when a sticky state exists', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses(),
      stickyEnabled: false,
      sticky: { label: 'economy', index: 2 },
    });
    expect(d).toEqual({
      kind: 'recommend',
      index: 0,
      label: 'premium',
      reason: 'NORMAL',
      stickyActive: false,
    });
  });
});

describe('rule: when every label is EXCEEDED there is no recommendation', () => {
  it('rule: all labels EXCEEDED -> all-exceeded', () => {
    expect(
      decideModel({
        ordering: ORDERING,
        statuses: statuses('EXCEEDED', 'EXCEEDED', 'EXCEEDED'),
        stickyEnabled: true,
      }),
    ).toEqual({ kind: 'all-exceeded' });
    expect(
      decideModel({
        ordering: ORDERING,
        statuses: statuses('EXCEEDED', 'EXCEEDED', 'EXCEEDED'),
        stickyEnabled: false,
      }),
    ).toEqual({ kind: 'all-exceeded' });
  });

  it('rule: every label from the sticky position on EXCEEDED -> all-exceeded (no return to an earlier model)', () => {
    const d = decideModel({
      ordering: ORDERING,
      statuses: statuses('NORMAL', 'NORMAL', 'EXCEEDED'),
      stickyEnabled: true,
      sticky: { label: 'economy', index: 2 },
    });
    expect(d).toEqual({ kind: 'all-exceeded' });
  });
});

describe('rule: sticky state only ever moves forward within a day', () => {
  it('rule: a state may be written when none exists', () => {
    expect(stickyMayAdvance(undefined, { index: 1 })).toBe(true);
  });

  it('rule: a state may replace one with a lower index', () => {
    expect(stickyMayAdvance({ index: 1 }, { index: 2 })).toBe(true);
  });

  it('rule: a state may not replace one with the same or a higher index', () => {
    expect(stickyMayAdvance({ index: 2 }, { index: 2 })).toBe(false);
    expect(stickyMayAdvance({ index: 2 }, { index: 1 })).toBe(false);
  });

  it('rule (property): with stickiness on, the recommendation is never before the sticky position', () => {
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    const status = fc.constantFrom<LabelStatus>('NORMAL', 'TIGHT', 'EXCEEDED');
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: labels.length })
          .chain((n) =>
            fc.tuple(
              fc.constant(labels.slice(0, n)),
              fc.array(status, { minLength: n, maxLength: n }),
              fc.nat(n - 1),
            ),
          ),
        ([ordering, st, stickyIndex]) => {
          const statusMap = Object.fromEntries(ordering.map((l, i) => [l, st[i]!]));
          const sticky = { label: ordering[stickyIndex]!, index: stickyIndex };
          const d = decideModel({ ordering, statuses: statusMap, stickyEnabled: true, sticky });
          if (d.kind === 'all-exceeded') {
            expect(st.slice(stickyIndex).every((s) => s === 'EXCEEDED')).toBe(true);
            return;
          }
          expect(d.index).toBeGreaterThanOrEqual(stickyIndex);
          expect(statusMap[d.label]).not.toBe('EXCEEDED');
          expect(st.slice(stickyIndex, d.index).every((s) => s === 'EXCEEDED')).toBe(true);
          if (d.advanceStickyTo) expect(stickyMayAdvance(sticky, d.advanceStickyTo)).toBe(true);
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });
});
