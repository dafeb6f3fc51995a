import type { Message, OmitPartialGroupDMChannel, PartialMessage } from 'discord.js';
import { deliver } from './deliver.js';
import type { HandlerDeps } from './listen.js';
import { showsAnything, toPayload } from './payload.js';
import { mentionReason } from './select.js';

type AnyMessage = OmitPartialGroupDMChannel<Message | PartialMessage>;

/**
 * A customer's edit: Discord sets `edited_timestamp` for it, and only for it. A MESSAGE_UPDATE
 * that resolves a link preview leaves it null or unchanged; one in the older partial form has
 * none at all (discord.js keeps the earlier value, or null for a message it never saw). Neither
 * is an edit, so neither ever touches the stored text.
 */
export const isCustomerEdit = (before: AnyMessage, after: AnyMessage): boolean =>
  after.editedTimestamp !== null && after.editedTimestamp !== before.editedTimestamp;

/**
 * Edits and deletes of customers' messages, handed to the pipeline marked `change` (it updates
 * the stored row and the card). An edit goes only for a message carebot would take as a mention
 * now, with its whole new payload; a delete goes for any message but the bot's own, since a
 * message only partly known (sent before a restart) cannot be told apart: the pipeline ignores
 * deletes of messages it never stored.
 *
 * discord.js emits both for messages it has not cached only with the Message partial, and only
 * in a channel it knows: guild channels always, a DM channel once a message arrived in it or
 * carebot read it back after a restart (catch-up.ts). An edit or delete in another DM channel
 * while carebot was away never reaches it.
 *
 * The message is read before the first await, when the event fires: discord.js patches its
 * cached message in place, so once earlier work on it is done it may already show a later update.
 */
export function changeHandlers(d: HandlerDeps) {
  const { client, supportChannels, log } = d;

  const edited = async (before: AnyMessage, after: AnyMessage): Promise<void> => {
    if (!isCustomerEdit(before, after)) return;
    const known = after.partial ? null : (after as Message);
    const now = known && mentionReason(known, client.user.id, supportChannels) ? toPayload(known, client.user.id) : null;
    if (known && !now) return;
    return d.inOrder(after.id, async () => {
      let payload = now;
      if (!payload) {
        // An update without the author or the text (the older partial form): read the message whole.
        let message: Message;
        try {
          message = await after.fetch();
        } catch (err) {
          log.warn(
            { messageId: after.id, channelId: after.channelId, err: (err as Error).message },
            'discord: edited message could not be read',
          );
          return;
        }
        if (!mentionReason(message, client.user.id, supportChannels)) return;
        payload = toPayload(message, client.user.id);
      }
      if (!showsAnything(payload)) return;
      await deliver(
        d.receive,
        { platform: 'discord', externalId: after.id, payload, change: 'edited' },
        { channelId: after.channelId },
        log,
      );
    });
  };

  const deleted = async (message: AnyMessage): Promise<void> => {
    if (message.author?.bot || message.webhookId || message.system) return;
    const payload = { id: message.id, channel_id: message.channelId, guild_id: message.guildId ?? null };
    return d.inOrder(message.id, async () => {
      await deliver(
        d.receive,
        { platform: 'discord', externalId: message.id, payload, change: 'deleted' },
        { channelId: message.channelId },
        log,
      );
    });
  };

  return { edited, deleted };
}
