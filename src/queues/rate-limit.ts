import { ConnectorError } from '../connector.js';

/**
 * How long a network asked us to wait, when an error is a rate limit: a connector's own
 * ConnectorError, or the Slack Web API's rate-limited error (which carries Retry-After).
 */
export function rateLimitDelayMs(err: unknown): number | undefined {
  if (err instanceof ConnectorError && err.kind === 'rate_limited') return err.retryAfterMs ?? 60_000;
  const e = err as { code?: string; retryAfter?: number };
  if (e?.code === 'slack_webapi_rate_limited_error') return (e.retryAfter ?? 1) * 1000;
  return undefined;
}
