import { MessageReferenceType, type Attachment, type Collection, type Message, type Sticker, type User } from 'discord.js';
import { type DiscordPayload, normalizeDiscordMessage } from './normalize.js';

/**
 * The customer message this one continues. A reply to carebot's own reply continues the
 * message that reply answered; a reply to anything else of the bot's (an announcement) starts
 * a conversation of its own, so customers answering one announcement do not share a thread.
 * A forward references the message it copies, which it does not answer.
 */
function continues(message: Message, botId: string): string | null {
  if (message.reference?.type === MessageReferenceType.Forward) return null;
  const id = message.reference?.messageId;
  if (!id) return null;
  const referenced = message.channel.messages.cache.get(id);
  if (referenced?.author?.id !== botId) return id;
  return referenced.reference?.messageId ?? null;
}

const files = (attachments: Collection<string, Attachment>) =>
  attachments.map((a) => ({ url: a.url, filename: a.name, content_type: a.contentType }));
const stickers = (items: Collection<string, Sticker>) => items.map((s) => ({ id: s.id, name: s.name, format_type: s.format }));
const users = (mentioned: Collection<string, User>) => mentioned.map((u) => ({ id: u.id, username: u.username }));

/** A discord.js Message as the API message object that is stored and normalized later. */
export function toPayload(message: Message, botId: string): DiscordPayload {
  // Discord sends one snapshot per forward; its message is all the forward says.
  const snapshot = message.reference?.type === MessageReferenceType.Forward ? message.messageSnapshots.first() : undefined;
  return {
    id: message.id,
    channel_id: message.channelId,
    guild_id: message.guildId,
    content: message.content,
    timestamp: message.createdAt.toISOString(),
    author: { id: message.author.id, username: message.author.username, global_name: message.author.globalName },
    message_reference: message.reference?.messageId ? { message_id: message.reference.messageId, type: message.reference.type } : null,
    attachments: files(message.attachments),
    sticker_items: stickers(message.stickers),
    ...(snapshot
      ? {
          message_snapshots: [
            {
              message: {
                content: snapshot.content ?? '',
                attachments: files(snapshot.attachments),
                sticker_items: stickers(snapshot.stickers),
                mentions: users(snapshot.mentions.users),
              },
            },
          ],
        }
      : {}),
    mentions: users(message.mentions.users),
    // A DM channel or a thread is one conversation; elsewhere each message starts its own.
    carebot_conversation: !message.inGuild() || message.channel.isThread() ? 'channel' : 'message',
    carebot_in_reply_to: continues(message, botId),
  };
}

/**
 * Whether the message shows an agent anything: words, a file, a sticker, a forward. Without
 * the MessageContent intent Discord blanks all of these, so nothing here means "not allowed to
 * read it" as often as "nothing said".
 */
export const showsAnything = (payload: DiscordPayload): boolean => {
  const m = normalizeDiscordMessage(payload);
  return m.text.trim() !== '' || m.attachments.length > 0;
};
