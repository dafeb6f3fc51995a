import type { Network } from '../../src/connector.js';
import { normalizeTweet } from './normalize.js';
import { mountTwitterWebhook } from './webhook.js';

/** X/Twitter: mentions by polling (bearer token) or Account Activity webhooks; posting as the brand. */
export const twitter: Network = {
  normalize: normalizeTweet,
  isOn: (config) => config.networks.twitterRead.on || config.networks.twitterWrite.on,
  create: async (config, { store, log }) => (await import('./connector.js')).createTwitterConnector(config, store, log),
  check: async (config, store) => (await import('./check.js')).checkTwitter(config, store),
  routes: mountTwitterWebhook,
};
