import { ConnectorError } from '../../src/connector.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.js';

/** A source that does not answer within this long may or may not have acted on the callback. */
const TIMEOUT_MS = 10_000;

/**
 * POSTs JSON to a source's callback URL, signed like its deliveries to carebot. Returns the
 * parsed answer of a 2xx; any other answer becomes a ConnectorError. A timeout or a dropped
 * connection is passed on untouched: nobody knows whether the source acted on it.
 */
export async function postSigned(url: string, secret: string, body: unknown): Promise<unknown> {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, raw),
      },
      body: raw,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    // Refused before anything was sent: safe to try again later.
    if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED')
      throw new ConnectorError(`callback ${new URL(url).host} unreachable`, 'unavailable');
    throw err;
  }
  const text = (await res.text()).slice(0, 10_000);
  if (res.ok) {
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return {};
    }
  }
  const reason = `callback answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (res.status === 429) {
    const seconds = Number(res.headers.get('retry-after'));
    throw new ConnectorError(reason, 'rate_limited', Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000);
  }
  throw new ConnectorError(reason, res.status >= 500 ? 'unavailable' : 'rejected');
}
