import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { InvalidRequestError, type FieldProblem } from '../errors.js';
import { MAX_TAGS, MAX_TOKENS, shardFor, validateUsage, type UsageInput } from './usage-event.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');

function anEvent(overrides: Partial<Record<keyof UsageInput, unknown>> = {}): UsageInput {
  return {
    requestId: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
    modelLabel: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    inputTokens: 1_500,
    outputTokens: 800,
    status: 'OK',
    timestamp: '2026-03-10T11:59:00Z',
    ...overrides,
  } as UsageInput;
}

/** Runs validateUsage and returns the InvalidRequestError it throws. */
function rejection(input: unknown, now = NOW): InvalidRequestError {
  try {
    validateUsage(input as UsageInput, now);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    return e as InvalidRequestError;
  }
  throw new Error('expected validateUsage to throw');
}

function fieldsOf(err: InvalidRequestError): string[] {
  return (err.details!.fields as FieldProblem[]).map((f) => f.field);
}

/** FNV-1a 32-bit, written independently of the module (offset basis 0x811c9dc5, prime 0x01000193). */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5n;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x01000193n) % 0x1_0000_0000n;
  }
  return Number(h);
}

describe('rule: a valid usage event is accepted and normalised', () => {
  it('rule: optional cache token counts default to 0 and the timestamp is parsed', () => {
    expect(validateUsage(anEvent(), NOW)).toEqual({
      requestId: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
      modelLabel: 'premium',
      bedrockModelId: 'amazon.nova-pro-v1:0',
      inputTokens: 1_500,
      outputTokens: 800,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      status: 'OK',
      timestamp: new Date('2026-03-10T11:59:00Z'),
    });
  });

  it('rule: the request id is lower-cased', () => {
    const v = validateUsage(anEvent({ requestId: '3F2B8C1E-9A4D-4E6F-8B7A-1C2D3E4F5A6B' }), NOW);
    expect(v.requestId).toBe('3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b');
  });

  it('rule: calling region, cache tokens, ERROR status and tags are kept', () => {
    const v = validateUsage(
      anEvent({
        callingRegion: 'eu-central-1',
        cacheReadInputTokens: 10,
        cacheWriteInputTokens: 20,
        status: 'ERROR',
        tags: { agent: 'triage', incident: 'INC-1' },
        timestamp: '2026-03-10T07:00:00-05:00',
      }),
      NOW,
    );
    expect(v).toMatchObject({
      callingRegion: 'eu-central-1',
      cacheReadInputTokens: 10,
      cacheWriteInputTokens: 20,
      status: 'ERROR',
      tags: { agent: 'triage', incident: 'INC-1' },
      timestamp: new Date('2026-03-10T12:00:00Z'),
    });
  });

  it('rule: token counts from 0 up to 10^9 are accepted', () => {
    const v = validateUsage(
      anEvent({
        inputTokens: 0,
        outputTokens: MAX_TOKENS,
        cacheReadInputTokens: MAX_TOKENS,
        cacheWriteInputTokens: 0,
      }),
      NOW,
    );
    expect(v.outputTokens).toBe(1_000_000_000);
  });
});

describe('rule: every field problem is reported with its wire field name, all at once, in details.fields', () => {
  it('rule: the error is INVALID_REQUEST', () => {
    const err = rejection(anEvent({ requestId: 'nope' }));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.details!.fields).toEqual([{ field: 'request_id', message: expect.any(String) }]);
  });

  it.each([
    ['request_id', { requestId: 'not-a-uuid' }],
    ['request_id', { requestId: '3f2b8c1e9a4d4e6f8b7a1c2d3e4f5a6b' }],
    ['request_id', { requestId: undefined }],
    ['model_label', { modelLabel: '' }],
    ['model_label', { modelLabel: 'x'.repeat(51) }],
    ['model_label', { modelLabel: 7 }],
    ['bedrock_model_id', { bedrockModelId: '' }],
    ['bedrock_model_id', { bedrockModelId: 'm'.repeat(2049) }],
    ['calling_region', { callingRegion: 'US-EAST-1' }],
    ['calling_region', { callingRegion: 'us-east' }],
    ['calling_region', { callingRegion: 'useast1' }],
    ['calling_region', { callingRegion: '' }],
    ['input_tokens', { inputTokens: -1 }],
    ['input_tokens', { inputTokens: 1.5 }],
    ['input_tokens', { inputTokens: '10' }],
    ['input_tokens', { inputTokens: undefined }],
    ['input_tokens', { inputTokens: MAX_TOKENS + 1 }],
    ['output_tokens', { outputTokens: undefined }],
    ['output_tokens', { outputTokens: Number.NaN }],
    ['cache_read_input_tokens', { cacheReadInputTokens: -5 }],
    ['cache_write_input_tokens', { cacheWriteInputTokens: 2.5 }],
    ['status', { status: 'ok' }],
    ['status', { status: undefined }],
    ['timestamp', { timestamp: '2026-03-10T11:59:00' }],
    ['timestamp', { timestamp: 'yesterday' }],
    ['timestamp', { timestamp: undefined }],
    ['tags', { tags: ['agent'] }],
    ['tags', { tags: 'agent=triage' }],
    ['latency_ms', { latencyMs: -1 }],
    ['latency_ms', { latencyMs: 2.5 }],
    ['latency_ms', { latencyMs: '2500' }],
    ['latency_ms', { latencyMs: 3_600_001 }],
    ['latency_ms', { latencyMs: null }],
  ])('rule: a bad value is reported under the wire name %s', (field, overrides) => {
    expect(fieldsOf(rejection(anEvent(overrides)))).toEqual([field]);
  });

  it('rule: latency_ms is optional, an integer from 0 to one hour, kept when given', () => {
    expect(validateUsage(anEvent({ latencyMs: 2350 }) as UsageInput, NOW).latencyMs).toBe(2350);
    expect(validateUsage(anEvent({ latencyMs: 0 }) as UsageInput, NOW).latencyMs).toBe(0);
    expect(validateUsage(anEvent({ latencyMs: 3_600_000 }) as UsageInput, NOW).latencyMs).toBe(3_600_000);
    expect(validateUsage(anEvent() as UsageInput, NOW)).not.toHaveProperty('latencyMs');
  });

  it('rule: all problems are listed at once', () => {
    const err = rejection({
      requestId: 'x',
      modelLabel: '',
      bedrockModelId: '',
      callingRegion: 'nowhere',
      inputTokens: -1,
      outputTokens: 'many',
      cacheReadInputTokens: -1,
      cacheWriteInputTokens: 0.5,
      status: 'FINE',
      timestamp: 'now',
      tags: { Bad: 'x' },
      costUsdMicros: 1,
    });
    expect(fieldsOf(err).sort()).toEqual(
      [
        'costUsdMicros',
        'request_id',
        'model_label',
        'bedrock_model_id',
        'calling_region',
        'input_tokens',
        'output_tokens',
        'cache_read_input_tokens',
        'cache_write_input_tokens',
        'status',
        'timestamp',
        'tags.Bad',
      ].sort(),
    );
  });

  it('rule: unknown fields are rejected (a client-sent cost is never trusted)', () => {
    const err = rejection({ ...anEvent(), costUsdMicros: 5, extra: true });
    expect(err.details!.fields).toEqual([
      { field: 'costUsdMicros', message: 'is not a known field' },
      { field: 'extra', message: 'is not a known field' },
    ]);
  });

  it('rule: a body that is not an object is rejected', () => {
    expect(fieldsOf(rejection(null))).toEqual(['(body)']);
    expect(fieldsOf(rejection('usage'))).toEqual(['(body)']);
  });
});

describe('rule: calling_region matches ^[a-z]{2}(-[a-z]+)+-\\d$', () => {
  it('rule: real region names are accepted', () => {
    for (const callingRegion of [
      'us-east-1',
      'eu-central-1',
      'ap-southeast-2',
      'us-gov-west-1',
      'ca-central-1',
    ]) {
      expect(validateUsage(anEvent({ callingRegion }), NOW).callingRegion).toBe(callingRegion);
    }
  });
});

describe('rule: tags are at most 10 string pairs, keys ^[a-z][a-z0-9_]{0,31}$, values at most 128 characters', () => {
  const tenTags = Object.fromEntries(Array.from({ length: MAX_TAGS }, (_, i) => [`tag_${i}`, `v${i}`]));

  it('rule: 10 tags are accepted, 11 are not', () => {
    expect(validateUsage(anEvent({ tags: tenTags }), NOW).tags).toEqual(tenTags);
    expect(fieldsOf(rejection(anEvent({ tags: { ...tenTags, tag_10: 'v' } })))).toEqual(['tags']);
  });

  it('rule: keys of 1 and 32 characters matching the pattern are accepted', () => {
    const tags = { a: 'x', ['k' + 'a1_'.repeat(10) + 'z']: 'y' };
    expect(Object.keys(tags)[1]).toHaveLength(32);
    expect(validateUsage(anEvent({ tags }), NOW).tags).toEqual(tags);
  });

  it('rule: keys that break the pattern are reported as tags.<key>', () => {
    for (const key of ['Agent', '1agent', '_agent', 'agent-name', 'agent name', 'k'.repeat(33), '']) {
      expect(fieldsOf(rejection(anEvent({ tags: { [key]: 'v' } })))).toEqual([`tags.${key}`]);
    }
  });

  it('rule: values of up to 128 characters are accepted; longer or non-string values are not', () => {
    expect(validateUsage(anEvent({ tags: { agent: 'v'.repeat(128) } }), NOW).tags).toEqual({
      agent: 'v'.repeat(128),
    });
    expect(fieldsOf(rejection(anEvent({ tags: { agent: 'v'.repeat(129) } })))).toEqual(['tags.agent']);
    expect(fieldsOf(rejection(anEvent({ tags: { agent: 5 } })))).toEqual(['tags.agent']);
  });

  it('rule: the stored tags are a copy of the input', () => {
    const tags = { agent: 'a' };
    const v = validateUsage(anEvent({ tags }), NOW);
    tags.agent = 'mutated';
    expect(v.tags).toEqual({ agent: 'a' });
  });
});

describe('rule: the timestamp must be at most 5 minutes in the future and at most 24 hours old', () => {
  it('rule: the window edges are accepted', () => {
    expect(validateUsage(anEvent({ timestamp: '2026-03-10T12:05:00Z' }), NOW).timestamp).toEqual(
      new Date('2026-03-10T12:05:00Z'),
    );
    expect(validateUsage(anEvent({ timestamp: '2026-03-09T12:00:00Z' }), NOW).timestamp).toEqual(
      new Date('2026-03-09T12:00:00Z'),
    );
  });

  it('rule: a future timestamp is rejected with details.acceptable_range', () => {
    const err = rejection(anEvent({ timestamp: '2026-03-10T12:05:00.001Z' }));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(fieldsOf(err)).toEqual(['timestamp']);
    expect(err.details!.acceptable_range).toEqual({
      earliest: '2026-03-09T12:00:00Z',
      latest: '2026-03-10T12:05:00Z',
    });
  });

  it('rule: an out-of-range timestamp is listed with the other field problems, all at once', () => {
    // details.fields lists each problem: a client must not need a second round trip to learn the
    // timestamp is stale after fixing another field.
    const err = rejection(anEvent({ inputTokens: -1, timestamp: '2026-03-08T12:00:00Z' }));
    expect(fieldsOf(err).sort()).toEqual(['input_tokens', 'timestamp']);
    expect(err.details!.acceptable_range).toEqual({
      earliest: '2026-03-09T12:00:00Z',
      latest: '2026-03-10T12:05:00Z',
    });
  });

  it('rule: a stale timestamp is rejected with details.acceptable_range', () => {
    const err = rejection(anEvent({ timestamp: '2026-03-09T06:59:59-05:00' }));
    expect(fieldsOf(err)).toEqual(['timestamp']);
    expect(err.details!.acceptable_range).toEqual({
      earliest: '2026-03-09T12:00:00Z',
      latest: '2026-03-10T12:05:00Z',
    });
  });
});

describe('rule: shard = FNV-1a 32-bit of the lower-cased UTF-8 request id, modulo the shard count', () => {
  it('rule: the test FNV-1a matches published vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('rule: with a 2^32 modulus shardFor exposes the raw hash, equal to the published vectors', () => {
    expect(shardFor('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardFor('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardFor('foobar', 2 ** 32)).toBe(0xbf9cf968);
  });

  it('rule: documented values for fixed request ids are stable across processes and releases', () => {
    // [id, FNV-1a 32-bit, shard of 8, 16, 32, 64], computed with the independent fnv1a32 above.
    const vectors: [string, number, number, number, number, number][] = [
      ['3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b', 0x0060c576, 6, 6, 22, 54],
      ['00000000-0000-0000-0000-000000000000', 0xbe478ed1, 1, 1, 17, 17],
      ['ffffffff-ffff-ffff-ffff-ffffffffffff', 0x2708ab91, 1, 1, 17, 17],
      ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 0xf108e530, 0, 0, 16, 48],
    ];
    for (const [id, hash, s8, s16, s32, s64] of vectors) {
      expect(fnv1a32(id)).toBe(hash);
      expect(shardFor(id, 2 ** 32)).toBe(hash);
      expect([8, 16, 32, 64].map((n) => shardFor(id, n))).toEqual([s8, s16, s32, s64]);
    }
  });

  it('rule: upper- and lower-case spellings of one id share a shard', () => {
    const lower = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
    for (const n of [8, 16, 32, 64]) expect(shardFor(lower.toUpperCase(), n)).toBe(shardFor(lower, n));
    expect(shardFor('É', 2 ** 32)).toBe(fnv1a32('é'));
  });

  it('rule (property): the shard is in range and equals the independent FNV-1a', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.constantFrom(8, 16, 32, 64), (id, n) => {
        const shard = shardFor(id, n);
        expect(Number.isInteger(shard)).toBe(true);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(n);
        expect(shard).toBe(fnv1a32(id.toLowerCase()) % n);
      }),
      { numRuns: 500, seed: 99 },
    );
  });

  it('rule: 10,000 random UUIDs spread roughly evenly over 8 shards (12.5% +- 2 points each)', () => {
    // An even split over 8 shards is 1/8 = 12.5% (1,250 of 10,000) per shard.
    const ids = fc.sample(fc.uuid(), { numRuns: 10_000, seed: 2026 });
    expect(new Set(ids).size).toBe(10_000);
    const counts = new Array<number>(8).fill(0);
    for (const id of ids) counts[shardFor(id, 8)]! += 1;
    for (const c of counts) {
      expect(c).toBeGreaterThanOrEqual(1_050);
      expect(c).toBeLessThanOrEqual(1_450);
    }
  });
});
