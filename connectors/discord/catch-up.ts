import type { Client, Message } from 'discord.js';
import type { ConnectorStore } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import type { ConversationChannels } from './channels.js';

/** Pages of 100 per channel: enough for a restart, not a crawl through the history. */
const MAX_PAGES = 10;

const byId = (a: Message, b: Message) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
const later = (a: string, b: string | undefined) => (b && BigInt(b) > BigInt(a) ? b : a);

/**
 * The newest Discord message stored, from any channel: carebot was listening then, so nothing
 * older went unseen. Every payload the connector stores says how its conversation is grouped
 * (payload.ts), which makes that field a key every row has.
 */
async function newestStored(store: ConnectorStore): Promise<string | undefined> {
  const [byChannel, byMessage] = await Promise.all(
    (['channel', 'message'] as const).map((v) => store.highestStoredId('discord', 'carebot_conversation', v)),
  );
  return byChannel && byMessage ? later(byChannel, byMessage) : (byChannel ?? byMessage);
}

/**
 * What the gateway cannot replay: messages sent while carebot was stopped or its session was
 * lost. Read through REST and handled like live ones, oldest first, in the support channels
 * and in the channels noted as conversations (DMs, threads, channels where the bot was named;
 * channels.ts says which cannot be known). A channel with nothing stored yet is left alone: a
 * first start does not import the history.
 *
 * A support channel is read from the newest message stored from it: every message there is
 * stored. Elsewhere most messages are not mentions, so the newest stored one may be weeks old;
 * reading from there would crawl the same busy channel at every restart. Those are read from
 * the newest message stored from anywhere, when carebot last heard the gateway. Up to 1,000
 * messages a channel: a busier gap loses its newest mentions.
 */
export async function catchUp(
  client: Client<true>,
  store: ConnectorStore,
  supportChannels: readonly string[],
  conversations: ConversationChannels,
  handle: (m: Message) => Promise<void>,
  log: Logger,
): Promise<void> {
  let floor: string | undefined;
  let noted: string[] = [];
  try {
    // Both read before anything is stored here, which would move them.
    [floor, noted] = await Promise.all([newestStored(store), conversations.list()]);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'discord: could not list the conversations to catch up with');
  }
  const support = new Set(supportChannels);
  const plan = [
    ...supportChannels.map((id) => ({ id, since: undefined })),
    ...noted.filter((id) => !support.has(id)).map((id) => ({ id, since: floor })),
  ];
  for (const { id: channelId, since } of plan) {
    try {
      const stored = await store.highestStoredId('discord', 'channel_id', channelId);
      if (!stored) continue;
      let after = since ? later(stored, since) : stored;
      // Also caches a DM channel, so its edits and deletes reach carebot from now on (changes.ts).
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
      if (seen) log.info({ channelId, seen }, 'discord: caught up with a channel');
    } catch (err) {
      log.warn({ channelId, err: (err as Error).message }, 'discord: could not catch up with a channel');
    }
  }
}
