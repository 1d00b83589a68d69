import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, type FieldProblem } from '../errors.js';
import { validateProfileInput } from './inference-profile.entity.js';

const CONFIG_LABELS = ['premium', 'standard', 'economy'];
const APP_ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
const SYSTEM_ARN = 'arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0';

function problems(input: {
  profileLabel: unknown;
  inferenceProfileArn: unknown;
  description?: unknown;
}): FieldProblem[] {
  try {
    validateProfileInput(input, CONFIG_LABELS);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect((e as InvalidRequestError).code).toBe('INVALID_REQUEST');
    return (e as InvalidRequestError).fields;
  }
  throw new Error('expected validateProfileInput to throw');
}

const fieldsOf = (input: Parameters<typeof problems>[0]): string[] => problems(input).map((p) => p.field);

describe('rule: a profile points at an application inference profile or inference profile ARN', () => {
  it('rule: an application-inference-profile ARN is accepted', () => {
    expect(
      validateProfileInput({ profileLabel: 'team-a', inferenceProfileArn: APP_ARN }, CONFIG_LABELS),
    ).toEqual({
      profileLabel: 'team-a',
      inferenceProfileArn: APP_ARN,
    });
  });

  it('rule: an inference-profile ARN is accepted', () => {
    expect(
      validateProfileInput(
        { profileLabel: 'eu-pro', inferenceProfileArn: SYSTEM_ARN, description: 'EU Nova Pro' },
        CONFIG_LABELS,
      ),
    ).toEqual({ profileLabel: 'eu-pro', inferenceProfileArn: SYSTEM_ARN, description: 'EU Nova Pro' });
  });

  it('rule: regions with several parts are accepted', () => {
    const arn = 'arn:aws:bedrock:us-gov-west-1:123456789012:application-inference-profile/x';
    expect(
      validateProfileInput({ profileLabel: 'gov', inferenceProfileArn: arn }, CONFIG_LABELS)
        .inferenceProfileArn,
    ).toBe(arn);
  });

  it.each([
    ['an 11-digit account', 'arn:aws:bedrock:us-east-1:12345678901:application-inference-profile/abc'],
    ['a 13-digit account', 'arn:aws:bedrock:us-east-1:1234567890123:application-inference-profile/abc'],
    ['a non-numeric account', 'arn:aws:bedrock:us-east-1:12345678901x:application-inference-profile/abc'],
    ['another service', 'arn:aws:sagemaker:us-east-1:123456789012:application-inference-profile/abc'],
    ['another resource type', 'arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.nova-pro-v1:0'],
    ['a missing id', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/'],
    ['a bad region', 'arn:aws:bedrock:US-EAST-1:123456789012:application-inference-profile/abc'],
    ['a missing region', 'arn:aws:bedrock::123456789012:application-inference-profile/abc'],
    ['another partition', 'arn:aws-cn:bedrock:cn-north-1:123456789012:application-inference-profile/abc'],
    ['an id with a slash', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a/b'],
    [
      'an over-long id',
      `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/${'a'.repeat(129)}`,
    ],
    ['trailing text', `${APP_ARN} `],
    ['not a string', 42],
    ['nothing', undefined],
  ])('rule: an ARN with %s is refused under inference_profile_arn', (_what, arn) => {
    expect(fieldsOf({ profileLabel: 'team-a', inferenceProfileArn: arn })).toEqual(['inference_profile_arn']);
  });
});

describe('rule: the profile label is 1..50 characters and must not clash with a config label', () => {
  it('rule: labels of 1 and 50 characters are accepted', () => {
    expect(
      validateProfileInput({ profileLabel: 'x', inferenceProfileArn: APP_ARN }, CONFIG_LABELS).profileLabel,
    ).toBe('x');
    const fifty = 'L' + 'a.b_c-'.repeat(8) + 'z';
    expect(fifty).toHaveLength(50);
    expect(
      validateProfileInput({ profileLabel: fifty, inferenceProfileArn: APP_ARN }, CONFIG_LABELS).profileLabel,
    ).toBe(fifty);
  });

  it('rule: a label of 51 characters is refused', () => {
    expect(fieldsOf({ profileLabel: 'a'.repeat(51), inferenceProfileArn: APP_ARN })).toEqual([
      'profile_label',
    ]);
  });

  it('rule: empty labels, bad characters and a leading punctuation mark are refused', () => {
    for (const label of ['', '-a', '.a', '_a', 'a b', 'a#b', 'a/b', 'a:b', 7, undefined]) {
      expect(fieldsOf({ profileLabel: label, inferenceProfileArn: APP_ARN })).toEqual(['profile_label']);
    }
  });

  it('rule: a label that clashes with a config label is refused, naming the label', () => {
    const p = problems({ profileLabel: 'premium', inferenceProfileArn: APP_ARN });
    expect(p).toEqual([{ field: 'profile_label', message: expect.stringContaining("'premium'") }]);
  });

  it('rule: a description is optional and at most 500 characters', () => {
    expect(
      validateProfileInput(
        { profileLabel: 'a', inferenceProfileArn: APP_ARN, description: 'd'.repeat(500) },
        CONFIG_LABELS,
      ).description,
    ).toHaveLength(500);
    expect(
      fieldsOf({ profileLabel: 'a', inferenceProfileArn: APP_ARN, description: 'd'.repeat(501) }),
    ).toEqual(['description']);
    expect(fieldsOf({ profileLabel: 'a', inferenceProfileArn: APP_ARN, description: 5 })).toEqual([
      'description',
    ]);
  });

  it('rule: every problem is listed at once', () => {
    expect(
      fieldsOf({ profileLabel: 'economy', inferenceProfileArn: 'arn:nope', description: false }),
    ).toEqual(['profile_label', 'inference_profile_arn', 'description']);
  });
});
