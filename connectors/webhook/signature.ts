import { hmacSha256, sameSignature } from '../../src/shared/hmac.js';

export const SIGNATURE_HEADER = 'x-carebot-signature';
export const TIMESTAMP_HEADER = 'x-carebot-timestamp';
/** Older (or further in the future) than this and a delivery counts as a replay. */
export const MAX_SKEW_SECONDS = 300;

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`: the same scheme both ways. */
export const signWebhook = (secret: string, timestamp: number, body: string | Buffer) =>
  `sha256=${hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)])).toString('hex')}`;

/** Why a delivery is refused, or undefined when it is genuine and fresh. */
export function checkWebhookSignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: Buffer,
  nowSeconds = Date.now() / 1000,
): string | undefined {
  if (!headers.signature || !headers.timestamp) return `missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER} header`;
  const ts = Number(headers.timestamp);
  if (!/^\d{1,12}$/.test(headers.timestamp) || !Number.isSafeInteger(ts)) return `${TIMESTAMP_HEADER} must be unix seconds`;
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return 'stale timestamp (more than 5 minutes off)';
  return sameSignature(headers.signature, signWebhook(secret, ts, body)) ? undefined : 'bad signature';
}
