import { signWebhook } from '../../connectors/webhook/signature.js';

/**
 * A customer's message POSTed to carebot's generic webhook as a source sends it (signed with
 * `secret`, source `shop`), timed: the status, how long carebot took, and its Retry-After.
 */
export async function deliverGeneric(base: string, secret: string, id: string) {
  const body = JSON.stringify({ id, text: 'where is my order?', author: { id: `c-${id}`, handle: 'ann' } });
  const ts = Math.floor(Date.now() / 1000);
  const at = Date.now();
  const res = await fetch(`${base}/webhooks/generic/shop`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-carebot-timestamp': String(ts),
      'x-carebot-signature': signWebhook(secret, ts, 'shop', body),
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, ms: Date.now() - at, retryAfter: res.headers.get('retry-after') };
}

/** The port a `carebot start` child logged in its "carebot started" line, once it did. */
export const startedPort = (output: string) => /"port":(\d+)[^\n]*carebot started/.exec(output)?.[1];
