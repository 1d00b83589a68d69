import { type SnsPublisher } from '../ports/alert-channels.port.js';

/** An in-process SNS: records what would be published; `fail` makes the next publishes throw. */
export class RecordingSnsPublisher implements SnsPublisher {
  readonly published: Array<{ topicArn: string; subject: string; message: string }> = [];
  fail: Error | undefined;
  async publish(topicArn: string, subject: string, message: string): Promise<void> {
    if (this.fail) throw this.fail;
    this.published.push({ topicArn, subject, message });
  }
}
