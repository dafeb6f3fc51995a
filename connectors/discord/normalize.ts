import { z } from 'zod';
import type { Attachment, Mention } from '../../src/mention.js';

/** The Discord API message object (as MESSAGE_CREATE carries it), plus what the connector adds. */
export const discordPayloadSchema = z.object({
  id: z.string().regex(/^\d+$/, 'expected a snowflake id'),
  channel_id: z.string(),
  guild_id: z.string().nullish(),
  content: z.string(),
  timestamp: z.string(),
  author: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish() }),
  message_reference: z.object({ message_id: z.string().optional() }).nullish(),
  attachments: z.array(z.object({ url: z.string(), filename: z.string(), content_type: z.string().nullish() })).optional(),
  /** The users the message mentions, to show `<@123>` as the name agents know. */
  mentions: z.array(z.object({ id: z.string(), username: z.string() })).optional(),
  /** Set by the connector: the channel is a thread or a DM, so the channel is the conversation. */
  carebot_conversation: z.enum(['channel', 'message']).optional(),
  /** Set by the connector: the customer message this one continues (see connectors/discord/payload.ts). */
  carebot_in_reply_to: z.string().nullish(),
});
export type DiscordPayload = z.infer<typeof discordPayloadSchema>;

export function normalizeDiscordMessage(payload: unknown): Mention {
  const m = discordPayloadSchema.parse(payload);
  const replyTo = m.carebot_in_reply_to !== undefined ? m.carebot_in_reply_to : (m.message_reference?.message_id ?? null);
  // A DM channel or a thread is one conversation; in a busy support channel each message starts
  // its own, and replies join theirs (ingest follows in_reply_to to the stored conversation).
  const conversation = m.carebot_conversation === 'channel' || !m.guild_id ? m.channel_id : (replyTo ?? m.id);
  const text = readableMentions(m.content, m.mentions ?? []);
  return {
    platform: 'discord',
    externalId: m.id,
    conversationId: conversation,
    inReplyTo: replyTo,
    author: {
      id: m.author.id,
      handle: m.author.username,
      displayName: m.author.global_name ?? null,
      followers: null,
      profileUrl: `https://discord.com/users/${m.author.id}`,
    },
    text,
    url: `https://discord.com/channels/${m.guild_id ?? '@me'}/${m.channel_id}/${m.id}`,
    createdAt: new Date(m.timestamp),
    language: null,
    private: !m.guild_id,
    attachments: (m.attachments ?? []).map(attachmentOf),
  };
}

/** Discord's attachment as the card shows it: its kind from the MIME type Discord reports. */
function attachmentOf(a: { url: string; filename: string; content_type?: string | null }): Attachment {
  const type = a.content_type?.split('/')[0];
  const kind = type === 'image' || type === 'video' || type === 'audio' ? type : 'file';
  return { kind, name: a.filename, url: URL.canParse(a.url) ? a.url : null };
}

/** `<@123>` and `<@!123>` as `@name`: what the customer saw, not Discord's markup (others are left as written). */
function readableMentions(content: string, users: Array<{ id: string; username: string }>): string {
  const names = new Map(users.map((u) => [u.id, u.username]));
  return content.replace(/<@!?(\d+)>/g, (markup, id: string) => (names.has(id) ? `@${names.get(id)}` : markup));
}
