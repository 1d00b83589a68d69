import { describe, expect, it } from '@jest/globals';
import { type GetInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import { FakeClock } from '#core-domain/testing';
import { BedrockProfileResolver, type BedrockLike } from './bedrock-profile-resolver.js';

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1';

/** An in-process stand-in for the Bedrock client. */
class FakeBedrock implements BedrockLike {
  calls: string[] = [];
  hang = false;
  constructor(private readonly models: Record<string, string[]>) {}
  send(command: GetInferenceProfileCommand, options?: { abortSignal?: AbortSignal }) {
    const id = command.input.inferenceProfileIdentifier!;
    this.calls.push(id);
    if (this.hang) {
      return new Promise<never>((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    return Promise.resolve({ models: (this.models[id] ?? []).map((modelArn) => ({ modelArn })) });
  }
}

describe('BedrockProfileResolver (GetInferenceProfile)', () => {
  const cross = [
    'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0',
    'arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0',
  ];

  it('picks the model of the calling region, else the first', async () => {
    const r = new BedrockProfileResolver(new FakeBedrock({ [ARN]: cross }), new FakeClock());
    expect(await r.modelFor(ARN, 'eu-west-1')).toBe('amazon.nova-lite-v1:0');
    expect(await r.modelFor(ARN, 'ap-south-1')).toBe('amazon.nova-pro-v1:0');
  });

  it('memoizes answers for an hour, unknown profiles for five minutes', async () => {
    const fake = new FakeBedrock({ [ARN]: cross });
    const clock = new FakeClock();
    const r = new BedrockProfileResolver(fake, clock);
    await r.modelFor(ARN, 'us-east-1');
    await r.modelFor(ARN, 'us-east-1');
    expect(fake.calls).toHaveLength(1);
    clock.advanceSecs(3601);
    await r.modelFor(ARN, 'us-east-1');
    expect(fake.calls).toHaveLength(2);
    expect(await r.modelFor('arn:unknown', 'us-east-1')).toBeUndefined();
    clock.advanceSecs(301);
    await r.modelFor('arn:unknown', 'us-east-1');
    expect(fake.calls.filter((c) => c === 'arn:unknown')).toHaveLength(2);
  });

  it('gives up after its timeout (the caller then uses the fallback price)', async () => {
    const fake = new FakeBedrock({});
    fake.hang = true;
    const r = new BedrockProfileResolver(fake, new FakeClock(), 20);
    await expect(r.modelFor(ARN, 'us-east-1')).rejects.toThrow('aborted');
  });
});
