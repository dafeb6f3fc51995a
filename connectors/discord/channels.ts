import type { ConnectorStore } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';

/** The cursor that lists them, shared by every carebot process. */
export const CHANNELS_CURSOR = 'discord:conversation-channels';
/**
 * How many channels are read back after a restart: each costs a query and a request or two.
 * A channel stays listed while it had a mention since the last MAX / 2 channels were added.
 */
const MAX = 200;

const snowflake = /^\d{1,20}$/;

/** The stored list, whatever another version or a hand edit left in it. */
function parse(value: string | undefined): string[] {
  try {
    const list: unknown = JSON.parse(value ?? '[]');
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string' && snowflake.test(id)).slice(0, MAX) : [];
  } catch {
    return [];
  }
}

export interface ConversationChannels {
  /** A mention was stored in this channel (a DM, a thread, a channel where the bot was named). */
  remember(channelId: string): Promise<void>;
  /** The channels to read back, most recently active first. */
  list(): Promise<string[]>;
}

/**
 * The channels outside the support channels where customers talk to carebot, kept so a restart
 * can read back what was sent there meanwhile. Discord gives a bot no list of its DM channels
 * (READY's is empty) and the tables are not the connector's to search, so carebot notes each
 * channel as a mention arrives in it. Its limit: a DM channel first opened while carebot was
 * down was never noted, so that customer's first messages are not fetched afterwards (the next
 * one arrives live and starts the conversation).
 *
 * The list is rewritten only when a channel is new to it or in its older half, not on every
 * mention; every process merges into the stored list under the cursor's lock.
 */
export function conversationChannels(store: ConnectorStore, log: Logger): ConversationChannels {
  let known: string[] | undefined;
  return {
    async remember(channelId) {
      if (!snowflake.test(channelId)) return;
      known ??= parse(await store.cursor(CHANNELS_CURSOR).catch(() => undefined));
      const at = known.indexOf(channelId);
      if (at >= 0 && at < MAX / 2) return;
      try {
        known = await store.updateCursor(CHANNELS_CURSOR, async (current, save) => {
          const next = [channelId, ...parse(current).filter((id) => id !== channelId)].slice(0, MAX);
          await save(JSON.stringify(next));
          return next;
        });
      } catch (err) {
        log.warn(
          { channelId, err: (err as Error).message },
          'discord: could not note a conversation channel; a restart will not read it back',
        );
      }
    },
    list: async () => parse(await store.cursor(CHANNELS_CURSOR)),
  };
}
