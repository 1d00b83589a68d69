/** What one HTTP delivery attempt came to. */
export interface SendResult {
  /** null: no answer (timeout, connection refused, a refused address). */
  statusCode: number | null;
  durationMs: number;
  error?: string;
  /** At most 1 KiB of the response body. */
  body?: string;
}

/**
 * Outbound webhook requests: POST, no redirects followed, a timeout; the adapter resolves the host
 * and refuses private, loopback, link-local and metadata addresses at each delivery (DNS rebinding)
 * unless private addresses are allowed (WEBHOOK_ALLOW_PRIVATE).
 */
export interface WebhookSender {
  send(request: {
    url: string;
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
  }): Promise<SendResult>;
}
export const WEBHOOK_SENDER = Symbol('WebhookSender');

/** Standard Webhooks signatures (HMAC-SHA256): `v1,<base64>` per secret, space-separated. */
export interface WebhookSigner {
  sign(id: string, timestampSecs: number, body: string, secrets: readonly string[]): string;
}
export const WEBHOOK_SIGNER = Symbol('WebhookSigner');

/** Amazon SNS (email and SMS come from the topic's subscriptions). */
export interface SnsPublisher {
  publish(topicArn: string, subject: string, message: string): Promise<void>;
}
export const SNS_PUBLISHER = Symbol('SnsPublisher');
