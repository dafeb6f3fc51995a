import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { ConnectorError } from '../../src/connector.js';

/**
 * Discord's answer as a ConnectorError. An error without an answer (a timeout, a reset
 * connection) is passed on untouched: nobody knows whether Discord acted on the request.
 */
export function discordError(err: unknown, what: string): unknown {
  if (err instanceof RateLimitError)
    return new ConnectorError(`Discord rate limit on ${what}`, 'rate_limited', Math.max(err.retryAfter, 1000));
  if (err instanceof DiscordAPIError) {
    if (err.status >= 500) return new ConnectorError(`Discord ${err.status} on ${what}: ${err.message}`, 'unavailable');
    return new ConnectorError(`Discord refused ${what} (${err.code}): ${err.message}`, 'rejected');
  }
  if (err instanceof HTTPError && err.status >= 500) return new ConnectorError(`Discord ${err.status} on ${what}`, 'unavailable');
  return err;
}
