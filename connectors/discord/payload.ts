import type { Message } from 'discord.js';
import type { DiscordPayload } from './normalize.js';

/**
 * The customer message this one continues. A reply to carebot's own reply continues the
 * message that reply answered; a reply to anything else of the bot's (an announcement) starts
 * a conversation of its own, so customers answering one announcement do not share a thread.
 */
function continues(message: Message, botId: string): string | null {
  const id = message.reference?.messageId;
  if (!id) return null;
  const referenced = message.channel.messages.cache.get(id);
  if (referenced?.author.id !== botId) return id;
  return referenced.reference?.messageId ?? null;
}

/** A discord.js Message as the API message object that is stored and normalized later. */
export function toPayload(message: Message, botId: string): DiscordPayload {
  return {
    id: message.id,
    channel_id: message.channelId,
    guild_id: message.guildId,
    content: message.content,
    timestamp: message.createdAt.toISOString(),
    author: { id: message.author.id, username: message.author.username, global_name: message.author.globalName },
    message_reference: message.reference?.messageId ? { message_id: message.reference.messageId } : null,
    attachments: message.attachments.map((a) => ({ url: a.url, filename: a.name, content_type: a.contentType })),
    mentions: message.mentions.users.map((u) => ({ id: u.id, username: u.username })),
    // A DM channel or a thread is one conversation; elsewhere each message starts its own.
    carebot_conversation: !message.inGuild() || message.channel.isThread() ? 'channel' : 'message',
    carebot_in_reply_to: continues(message, botId),
  };
}
