import { LogLevel, WebClient } from '@slack/web-api';
import type { Config } from '../../../config/index.js';

/**
 * The Web API client the workers post with. A 429 must come back to BullMQ (which pauses the
 * queue for Retry-After and loses nothing) instead of parking a job inside the client's own
 * queue for up to 30 minutes, and a few quick retries cover Slack's passing 5xx.
 */
export function createSlackClient(config: Config): WebClient | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  return new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 },
    logLevel: LogLevel.ERROR,
  });
}
