import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type SnsPublisher } from '#core-domain';

/**
 * The SNS channel on AWS: one Publish per delivery (email and SMS come from the topic's
 * subscriptions). The task roles may publish only to topics named with the stack's
 * AlertTopicNamePrefix (cloudformation/service.yaml); any other topic fails the attempt with
 * the AWS error, which the delivery log keeps.
 */
export function awsSnsPublisher(client: SNSClient): SnsPublisher {
  return {
    async publish(topicArn, subject, message) {
      // SNS subjects: at most 100 printable ASCII characters.
      const clean = subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100);
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: clean, Message: message }));
    },
  };
}

/** The SNS publisher for a region (the AWS SDK's default credential chain). */
export function snsPublisherForRegion(region: string): SnsPublisher {
  return awsSnsPublisher(new SNSClient({ region, maxAttempts: 3 }));
}
