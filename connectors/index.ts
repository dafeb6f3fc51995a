import type { Config } from '../config/index.js';
import type { Connector } from '../src/connector.js';
import type { Db } from '../src/db/open.js';
import type { Logger } from '../src/log.js';
import type { Platform } from '../src/mention.js';
import { createDiscordConnector } from './discord/index.js';
import { createTwitterConnector } from './twitter/index.js';
import { createWebhookConnector } from './webhook/index.js';

/**
 * The connectors whose credentials are set. Each network that is off says why, once, at start.
 */
export function createConnectors(config: Config, db: Db, log: Logger): Partial<Record<Platform, Connector>> {
  const on: Partial<Record<Platform, Connector>> = {};
  if (config.networks.twitterRead.on || config.networks.twitterWrite.on) on.twitter = createTwitterConnector(config, db, log);
  if (config.networks.discord.on) on.discord = createDiscordConnector(config, db, log);
  // Replies to generic webhook sources go to their callback URLs: on as soon as one source can sign.
  if (config.WEBHOOK_SECRET || Object.keys(config.file.webhooks).length) on.webhook = createWebhookConnector(config);
  for (const [network, state] of Object.entries(config.networks)) {
    if (!state.on) log.info({ network }, `${network}: off (${state.why})`);
  }
  return on;
}
