import { createHmac, timingSafeEqual } from 'node:crypto';

import { WebhookError } from './problem.js';

/** Standard Webhooks allows a timestamp this far from the server's clock. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookHeaders {
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  webhookSignature: string | undefined;
}

/**
 * Checks a hex HMAC-SHA256 of the raw body against every live secret,
 * comparing digests in constant time. Throws a 401 WebhookError otherwise.
 */
export function verifyHexSignature(headerValue: string, headerName: string, body: Uint8Array, secrets: readonly string[]): void {
  const hex = headerValue.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new WebhookError(401, `${headerName} is invalid: expected 64 hex characters, optionally prefixed "sha256=".`);
  }

  const received = Buffer.from(hex, 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest();
    matched = timingSafeEqual(received, expected) || matched;
  }
  if (!matched) throw new WebhookError(401, `${headerName} does not match the body: sign the exact bytes you send with the partner's secret.`);
}

/**
 * Checks the Standard Webhooks headers against every live secret and the
 * timestamp against the clock. Returns the webhook-id; throws a 401
 * WebhookError otherwise.
 */
export function verifyStandardWebhook(headers: StandardWebhookHeaders, body: Uint8Array, secrets: readonly string[], now: Date): string {
  const { webhookId, webhookTimestamp, webhookSignature } = headers;
  if (!webhookId || !webhookTimestamp || !webhookSignature) {
    throw new WebhookError(401, 'Standard Webhooks headers incomplete: send webhook-id, webhook-timestamp and webhook-signature together.');
  }
  if (webhookId.length > 256) throw new WebhookError(401, 'webhook-id is invalid: at most 256 characters.');
  if (!/^\d{1,12}$/.test(webhookTimestamp)) {
    throw new WebhookError(401, 'webhook-timestamp is invalid: expected whole seconds since the Unix epoch.');
  }
  const skew = Math.abs(now.getTime() / 1000 - Number(webhookTimestamp));
  if (skew > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new WebhookError(401, `webhook-timestamp is outside the tolerance of ${TIMESTAMP_TOLERANCE_SECONDS} seconds; check the sender's clock.`);
  }

  const signed = Buffer.concat([Buffer.from(`${webhookId}.${webhookTimestamp}.`, 'utf8'), body]);
  const expected = secrets.map((secret) => createHmac('sha256', standardWebhooksKey(secret)).update(signed).digest());
  const received = webhookSignature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));

  let matched = false;
  for (const signature of received) {
    for (const digest of expected) {
      matched = (signature.length === digest.length && timingSafeEqual(signature, digest)) || matched;
    }
  }
  if (!matched) throw new WebhookError(401, 'webhook-signature does not match: no v1 signature was made with a live secret.');
  return webhookId;
}

/** Returns the HMAC key of a secret: base64-decoded for `whsec_` secrets, as the Standard Webhooks libraries do, else UTF-8. */
function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}
