import { ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { ConnectorError } from '../../src/connector.js';

/** What an agent can act on when X refuses a DM; X's own words follow in brackets. */
const DM_REFUSED = 'X will not deliver this DM: the customer does not accept DMs from the brand (or blocked it); answer in public instead';

/**
 * The socket's error behind twitter-api-v2's "Request failed.": the library (1.29) keeps it as
 * `_options.error` while its `requestError` getter reads `_options.requestError`.
 */
export function socketError(err: ApiRequestError): (Error & { code?: string; errors?: { code?: string }[] }) | undefined {
  return (err.requestError ?? (err as unknown as { _options?: { error?: Error } })._options?.error) as
    | (Error & { code?: string; errors?: { code?: string }[] })
    | undefined;
}

/**
 * X's answer as a ConnectorError. An error with no answer at all (a timeout, a reset
 * connection) is passed on untouched: for a post, nobody knows whether X published it.
 */
export function twitterError(err: unknown, what: string): unknown {
  if (err instanceof ApiResponseError) {
    const detail = err.data?.detail ?? err.data?.title ?? err.message;
    if (err.rateLimitError || err.code === 429) {
      const resetMs = err.rateLimit?.reset ? err.rateLimit.reset * 1000 - Date.now() : 60_000;
      return new ConnectorError(`X rate limit on ${what}`, 'rate_limited', Math.max(resetMs, 1000));
    }
    if (err.code >= 500) return new ConnectorError(`X ${err.code} on ${what}: ${detail}`, 'unavailable');
    // A 403 on a DM send is the customer's setting, not carebot's credentials.
    if (what === 'the DM' && err.code === 403 && /send messages|not permitted|message requests/i.test(String(detail)))
      return new ConnectorError(`${DM_REFUSED} (${detail})`, 'rejected');
    return new ConnectorError(`X refused ${what} (${err.code}): ${detail}`, 'rejected');
  }
  if (err instanceof ApiRequestError && socketError(err)?.code === 'ECONNREFUSED') {
    return new ConnectorError(`X unreachable on ${what}`, 'unavailable');
  }
  return err;
}
