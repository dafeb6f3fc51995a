import type { Client, Message } from 'discord.js';
import type { Receive } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import { toPayload } from './payload.js';
import { mentionReason } from './select.js';

/** The gateway does not deliver a message twice: a failed store is retried for about two minutes. */
const STORE_ATTEMPTS = 8;

/**
 * What happens to each message carebot sees (live from the gateway, or fetched to catch up):
 * a mention goes to the pipeline; anything seen twice is one row (dedup on the message id).
 */
export function mentionHandler(
  client: Client<true>,
  supportChannels: readonly string[],
  receive: Receive,
  log: Logger,
): (message: Message) => Promise<void> {
  const support = new Set(supportChannels);
  return async (message) => {
    const reason = mentionReason(message, client.user.id, support);
    if (!reason) return;
    const payload = toPayload(message, client.user.id);
    if (!payload.content && !payload.attachments?.length) {
      log.warn(
        { messageId: message.id, channelId: message.channelId },
        'discord: message without content (is the MessageContent intent on?)',
      );
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await receive([{ platform: 'discord', externalId: message.id, payload }]);
        return;
      } catch (err) {
        if (attempt >= STORE_ATTEMPTS) {
          log.error(
            { err, messageId: message.id, url: message.url },
            'discord: could not store a mention; it is lost unless the message is sent again',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  };
}
