import type { Message } from 'discord.js';

/** Why a Discord message is a mention for carebot. */
export type MentionReason = 'dm' | 'mention' | 'support';

/**
 * Which messages become mentions: DMs to the bot, messages that mention it or reply to it, and
 * every message in a support channel or a thread under one. Bots (carebot's own messages come
 * back over the gateway), webhooks and system messages never do.
 */
export function mentionReason(message: Message, botId: string, supportChannels: ReadonlySet<string>): MentionReason | undefined {
  if (message.author.bot || message.webhookId || message.system) return undefined;
  if (!message.inGuild()) return 'dm';
  if (message.mentions.users.has(botId) || message.mentions.repliedUser?.id === botId) return 'mention';
  const channel = message.channel;
  const parent = channel.isThread() ? channel.parentId : null;
  if (supportChannels.has(channel.id) || (parent && supportChannels.has(parent))) return 'support';
  return undefined;
}
