import type { Config } from '../config/index.js';
import type { Connector } from '../src/connector.js';
import type { Db } from '../src/db/open.js';
import type { Logger } from '../src/shared/log.js';
import type { Platform } from '../src/mention.js';

/**
 * The connectors whose credentials are set. Each network that is off says why, once, at start.
 * A network's SDK is loaded only when it is on (discord.js alone weighs about 55 MB).
 */
export async function createConnectors(config: Config, db: Db, log: Logger): Promise<Partial<Record<Platform, Connector>>> {
  const on: Partial<Record<Platform, Connector>> = {};
  if (config.networks.twitterRead.on || config.networks.twitterWrite.on) {
    on.twitter = (await import('./twitter/index.js')).createTwitterConnector(config, db, log);
  }
  if (config.networks.discord.on) on.discord = (await import('./discord/index.js')).createDiscordConnector(config, db, log);
  // Replies to generic webhook sources go to their callback URLs: on as soon as one source can sign.
  if (config.WEBHOOK_SECRET || Object.keys(config.file.webhooks).length) {
    on.webhook = (await import('./webhook/index.js')).createWebhookConnector(config);
  }
  for (const [network, state] of Object.entries(config.networks)) {
    // Slack is not a connector: start-up says what its absence means.
    if (!state.on && network !== 'slack') log.info({ network }, `${network}: off (${state.why})`);
  }
  return on;
}
