import type { Config } from '../config/index.js';
import type { Connector, ConnectorStore, Network } from '../src/connector.js';
import { platforms, type Platform } from '../src/mention.js';
import type { Logger } from '../src/shared/log.js';
import { discord } from './discord/index.js';
import { twitter } from './twitter/index.js';
import { webhook } from './webhook/index.js';

/** Every network by its id (connectors/networks.ts lists the ids): a missing one is a type error. */
export const registry: Record<Platform, Network> = { twitter, discord, webhook };

/** The connectors whose credentials are set. Each network that is off says why, once, at start. */
export async function createConnectors(config: Config, store: ConnectorStore, log: Logger): Promise<Partial<Record<Platform, Connector>>> {
  const on: Partial<Record<Platform, Connector>> = {};
  for (const platform of platforms) {
    const network = registry[platform];
    if (network.isOn(config)) on[platform] = await network.create(config, { store, log });
  }
  for (const [network, state] of Object.entries(config.networks)) {
    // Slack is not a connector: start-up says what its absence means.
    if (!state.on && network !== 'slack') log.info({ network }, `${network}: off (${state.why})`);
  }
  return on;
}
