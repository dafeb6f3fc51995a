import type { Incoming } from '../../src/mention.js';
import type { Receive } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';

/** The gateway does not deliver an event twice: a failed store is retried for about two minutes. */
const STORE_ATTEMPTS = 8;

/**
 * Hands one gateway event to the pipeline, retrying while the store fails. Returns whether it
 * was stored; what is logged names the message, never its words.
 */
export async function deliver(receive: Receive, item: Incoming, where: { channelId: string; url?: string }, log: Logger): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await receive([item]);
      return true;
    } catch (err) {
      if (attempt >= STORE_ATTEMPTS) {
        log.error(
          { err, messageId: item.externalId, channelId: where.channelId, url: where.url, change: item.change },
          item.change
            ? `discord: could not record that a customer ${item.change} a message; the card does not show it`
            : 'discord: could not store a mention; it is lost unless the message is sent again',
        );
        return false;
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}
