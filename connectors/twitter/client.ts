import http from 'node:http';
import { TwitterApi, type IClientSettings, type ITwitterApiClientPlugin, type TwitterApiReadOnly } from 'twitter-api-v2';
import type { Config } from '../../config/index.js';
import type { ConnectorStore } from '../../src/connector.js';
import { oauth2UserContext } from './oauth2.js';
import type { UserContext } from './user-context.js';

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

function settings(config: Config): Partial<IClientSettings> | undefined {
  if (!config.TWITTER_API_URL) return undefined;
  // Without an agent of its own the client refuses plain http: ("Protocol http: not supported").
  const agent = config.TWITTER_API_URL.startsWith('http:') ? new http.Agent({ keepAlive: true }) : undefined;
  return { plugins: [redirectTo(config.TWITTER_API_URL)], ...(agent ? { httpAgent: agent } : {}) };
}

export interface TwitterClients {
  /** App-only bearer token: reading mentions and search. */
  read?: TwitterApiReadOnly;
  /** User context: posting as the brand, and users/me. */
  user?: UserContext;
}

/** The clients whose credentials are set. OAuth 1.0a user tokens win over OAuth 2.0 when both are. */
export function createTwitterClients(config: Config, store: ConnectorStore): TwitterClients {
  const shared = settings(config);
  const read = config.TWITTER_BEARER_TOKEN ? new TwitterApi(config.TWITTER_BEARER_TOKEN, shared).readOnly : undefined;
  const {
    TWITTER_API_KEY: appKey,
    TWITTER_API_SECRET: appSecret,
    TWITTER_ACCESS_TOKEN: accessToken,
    TWITTER_ACCESS_SECRET: accessSecret,
  } = config;
  if (appKey && appSecret && accessToken && accessSecret) {
    const oauth1 = new TwitterApi({ appKey, appSecret, accessToken, accessSecret }, shared);
    return { read, user: { client: () => Promise.resolve(oauth1) } };
  }
  if (config.TWITTER_CLIENT_ID && config.TWITTER_OAUTH2_REFRESH_TOKEN) {
    const oauth2 = {
      clientId: config.TWITTER_CLIENT_ID,
      clientSecret: config.TWITTER_CLIENT_SECRET,
      refreshToken: config.TWITTER_OAUTH2_REFRESH_TOKEN,
    };
    return { read, user: oauth2UserContext(store, oauth2, shared) };
  }
  return { read };
}
