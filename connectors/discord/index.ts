import type { Network } from '../../src/connector.js';
import { normalizeDiscordMessage } from './normalize.js';

/** Discord: a bot on the gateway (mentions, DMs, support channels); replies and announcements. */
export const discord: Network = {
  normalize: normalizeDiscordMessage,
  isOn: (config) => config.networks.discord.on,
  create: async (config, { store, log }) => (await import('./connector.js')).createDiscordConnector(config, store, log),
  check: async (config) => (await import('./check.js')).checkDiscord(config),
};
