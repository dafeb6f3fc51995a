import type { Client, Message } from 'discord.js';
import type { ConnectorStore } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';

/** Pages of 100 per channel: enough for a restart, not a crawl through the history. */
const MAX_PAGES = 10;

const byId = (a: Message, b: Message) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);

/**
 * What the gateway cannot replay: messages posted in the support channels while carebot was
 * stopped or its session was lost. Fetched after the newest one stored and handled like live
 * ones, oldest first. A channel with nothing stored yet is left alone: a first start does not
 * import the history.
 */
export async function catchUp(
  client: Client<true>,
  store: ConnectorStore,
  supportChannels: readonly string[],
  handle: (m: Message) => Promise<void>,
  log: Logger,
): Promise<void> {
  for (const channelId of supportChannels) {
    try {
      let after = await store.highestStoredId('discord', 'channel_id', channelId);
      if (!after) continue;
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isTextBased()) continue;
      let seen = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const batch = [...(await channel.messages.fetch({ after, limit: 100 })).values()].sort(byId);
        for (const message of batch) await handle(message);
        seen += batch.length;
        if (batch.length < 100) break;
        after = batch.at(-1)!.id;
      }
      if (seen) log.info({ channelId, seen }, 'discord: caught up with a support channel');
    } catch (err) {
      log.warn({ channelId, err: (err as Error).message }, 'discord: could not catch up with a support channel');
    }
  }
}
