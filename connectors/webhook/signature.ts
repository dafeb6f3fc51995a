import { hmacSha256, sameSignature } from '../../src/shared/hmac.js';

export const SIGNATURE_HEADER = 'x-carebot-signature';
export const TIMESTAMP_HEADER = 'x-carebot-timestamp';
/** Older (or further in the future) than this and a delivery counts as a replay. */
export const MAX_SKEW_SECONDS = 300;

/**
 * `sha256=` + hex HMAC-SHA256 of `<timestamp>.<source>.<raw body>`: the same scheme both ways.
 * The source name is signed so that a delivery to one source cannot be replayed to another that
 * shares its secret (WEBHOOK_SECRET serves every unlisted source). Source names have no `.`, so
 * the signed string reads one way only.
 */
export const signWebhook = (secret: string, timestamp: number, source: string, body: string | Buffer) =>
  `sha256=${hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.${source}.`), Buffer.from(body)])).toString('hex')}`;

/** Why a delivery is refused, or undefined when it is genuine, fresh and meant for `source`. */
export function checkWebhookSignature(
  secret: string,
  source: string,
  headers: { signature?: string; timestamp?: string },
  body: Buffer,
  nowSeconds = Date.now() / 1000,
): string | undefined {
  if (!headers.signature || !headers.timestamp) return `missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER} header`;
  const ts = Number(headers.timestamp);
  if (!/^\d{1,12}$/.test(headers.timestamp) || !Number.isSafeInteger(ts)) return `${TIMESTAMP_HEADER} must be unix seconds`;
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return 'stale timestamp (more than 5 minutes off)';
  return sameSignature(headers.signature, signWebhook(secret, ts, source, body)) ? undefined : 'bad signature';
}
