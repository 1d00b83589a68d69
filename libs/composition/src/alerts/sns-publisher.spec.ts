import { describe, expect, it } from '@jest/globals';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsSnsPublisher } from './sns-publisher.js';

describe('awsSnsPublisher', () => {
  it('sends one PublishCommand with the topic, a clean subject of at most 100 characters, and the message', async () => {
    const client = new SNSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const sent: PublishCommand[] = [];
    client.send = (async (command: PublishCommand) => {
      sent.push(command);
      return { MessageId: 'm-1' };
    }) as unknown as SNSClient['send'];
    await awsSnsPublisher(client).publish(
      'arn:aws:sns:us-east-1:123456789012:bedrock-cost-keeper-alerts-prod',
      `Bedrock Cost Keeper: budget.exhausted ${'é'.repeat(200)}`,
      '{"id":"evt_1"}',
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PublishCommand);
    expect(sent[0]!.input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:bedrock-cost-keeper-alerts-prod',
      Message: '{"id":"evt_1"}',
    });
    expect(sent[0]!.input.Subject!.length).toBeLessThanOrEqual(100);
    expect(sent[0]!.input.Subject).toMatch(/^Bedrock Cost Keeper: budget\.exhausted /);
    expect(sent[0]!.input.Subject).not.toMatch(/é/);
  });

  it('lets an AWS error through (the delivery records it as a failed attempt)', async () => {
    const client = new SNSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    client.send = (async () => {
      throw new Error('AuthorizationError: not allowed');
    }) as unknown as SNSClient['send'];
    await expect(awsSnsPublisher(client).publish('arn:aws:sns:us-east-1:1:t', 's', 'm')).rejects.toThrow(
      /Authorization/,
    );
  });
});
