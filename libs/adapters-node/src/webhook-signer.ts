import { createHmac } from 'node:crypto';
import { type WebhookSigner } from '#core-domain';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): for each secret
 * (`whsec_` + base64 key), `v1,` + base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}"), separated by
 * spaces (two during a secret rotation's overlap). Receivers verify with the `standardwebhooks`
 * package or by hand (README).
 */
export const standardWebhookSigner: WebhookSigner = {
  sign(id, timestampSecs, body, secrets) {
    return secrets
      .map((secret) => {
        const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
        return `v1,${createHmac('sha256', key).update(`${id}.${timestampSecs}.${body}`).digest('base64')}`;
      })
      .join(' ');
  },
};
