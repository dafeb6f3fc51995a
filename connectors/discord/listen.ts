import type { Client, Message } from 'discord.js';
import type { Receive } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import type { ConversationChannels } from './channels.js';
import { deliver } from './deliver.js';
import { showsAnything, toPayload } from './payload.js';
import { mentionReason } from './select.js';

export interface HandlerDeps {
  client: Client<true>;
  supportChannels: ReadonlySet<string>;
  receive: Receive;
  channels: ConversationChannels;
  /** Keeps each message's events (sent, edited, deleted) in the order they came. */
  inOrder: <T>(messageId: string, work: () => Promise<T>) => Promise<T>;
  log: Logger;
}

/**
 * What happens to each message carebot sees (live from the gateway, or fetched to catch up):
 * a mention goes to the pipeline; anything seen twice is one row (dedup on the message id).
 */
export function mentionHandler(d: HandlerDeps): (message: Message) => Promise<void> {
  const { client, supportChannels, log } = d;
  // Async so that a message carebot cannot read rejects instead of throwing inside discord.js;
  // it still reads the message before its first await: discord.js patches a cached message in
  // place when an edit of it arrives.
  return async (message) => {
    if (!mentionReason(message, client.user.id, supportChannels)) return;
    const payload = toPayload(message, client.user.id);
    if (!showsAnything(payload)) {
      log.warn(
        { messageId: message.id, channelId: message.channelId },
        'discord: message without content (is the MessageContent intent on?)',
      );
      return;
    }
    return d.inOrder(message.id, async () => {
      const item = { platform: 'discord' as const, externalId: message.id, payload };
      if (!(await deliver(d.receive, item, { channelId: message.channelId, url: message.url }, log))) return;
      // Support channels are read back from the configuration; every other channel must be noted.
      if (!supportChannels.has(message.channelId)) await d.channels.remember(message.channelId);
    });
  };
}
