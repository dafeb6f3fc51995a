import http from 'node:http';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiReadOnly } from 'twitter-api-v2';
import type { Config } from '../../config/index.js';

/**
 * twitter-api-v2 has no base-URL option: this plugin rewrites every request (token calls too)
 * to TWITTER_API_URL, for the loopback fake and sandboxes.
 */
function redirectTo(base: string): ITwitterApiClientPlugin {
  const target = base.replace(/\/$/, '');
  return {
    onBeforeRequestConfig({ params }) {
      params.url = params.url.replace(/^https:\/\/(api|upload)\.(x|twitter)\.com/, target);
    },
  };
}

function settings(config: Config) {
  if (!config.TWITTER_API_URL) return undefined;
  // Without an agent of its own the client refuses plain http: ("Protocol http: not supported").
  const agent = config.TWITTER_API_URL.startsWith('http:') ? new http.Agent({ keepAlive: true }) : undefined;
  return { plugins: [redirectTo(config.TWITTER_API_URL)], ...(agent ? { httpAgent: agent } : {}) };
}

export interface TwitterClients {
  /** App-only bearer token: reading mentions and search. */
  read?: TwitterApiReadOnly;
  /** OAuth 1.0a user context: posting as the brand. */
  write?: TwitterApi;
}

export function createTwitterClients(config: Config): TwitterClients {
  const read = config.TWITTER_BEARER_TOKEN ? new TwitterApi(config.TWITTER_BEARER_TOKEN, settings(config)).readOnly : undefined;
  const write =
    config.TWITTER_API_KEY && config.TWITTER_API_SECRET && config.TWITTER_ACCESS_TOKEN && config.TWITTER_ACCESS_SECRET
      ? new TwitterApi(
          {
            appKey: config.TWITTER_API_KEY,
            appSecret: config.TWITTER_API_SECRET,
            accessToken: config.TWITTER_ACCESS_TOKEN,
            accessSecret: config.TWITTER_ACCESS_SECRET,
          },
          settings(config),
        )
      : undefined;
  return { read, write };
}
