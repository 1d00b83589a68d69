import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { limitInFlight, MAX_IN_FLIGHT, MAX_QUEUE_WAIT_MS } from './in-flight-limit.js';

export interface DynamoClientOptions {
  /** A local endpoint (DynamoDB Local); absent for AWS. */
  endpoint?: string;
  region?: string;
  /** SDK attempts per call (first try included); adaptive retry mode. Default 5. */
  maxAttempts?: number;
  /** Socket connection / request timeouts in ms. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Calls on the wire at once (the SDK's socket pool); more wait in a queue, at most
   * `maxQueueWaitMs`, before their timeouts start (in-flight-limit.ts). Defaults 16 and 20,000.
   */
  maxInFlight?: number;
  maxQueueWaitMs?: number;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A DynamoDBClient with adaptive retry, bounded timeouts and bounded calls in flight (a burst waits
 * for a socket in a queue instead of timing out in the socket pool). With a local endpoint and no
 * AWS credentials in the environment, it uses the dummy credentials DynamoDB Local accepts.
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const env = process.env;
  const config: DynamoDBClientConfig = {
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 2000,
      requestTimeout: options.requestTimeoutMs ?? 5000,
      // Without this the handler only warns when a request exceeds requestTimeout.
      throwOnRequestTimeout: true,
    },
  };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) config.credentials = LOCAL_CREDENTIALS;
  }
  const client = new DynamoDBClient(config);
  limitInFlight(client, options.maxInFlight ?? MAX_IN_FLIGHT, options.maxQueueWaitMs ?? MAX_QUEUE_WAIT_MS);
  return client;
}
