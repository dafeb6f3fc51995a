import { z } from 'zod';
import type { Attachment, Mention } from '../../src/mention.js';

const attachmentSchema = z.object({ url: z.string(), filename: z.string(), content_type: z.string().nullish() });
/** `sticker_items`, not the deprecated `stickers`: what Discord still sends on every message. */
const stickerSchema = z.object({ id: z.string(), name: z.string(), format_type: z.number().int() });
const mentionedSchema = z.object({ id: z.string(), username: z.string() });

/** Discord's reference type for a forward (message.mdx "Message Reference Types"); 0 or absent is a reply. */
export const FORWARD = 1;

/** The Discord API message object (as MESSAGE_CREATE carries it), plus what the connector adds. */
export const discordPayloadSchema = z.object({
  id: z.string().regex(/^\d+$/, 'expected a snowflake id'),
  channel_id: z.string(),
  guild_id: z.string().nullish(),
  content: z.string(),
  timestamp: z.string(),
  author: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish() }),
  message_reference: z.object({ message_id: z.string().optional(), type: z.number().int().nullish() }).nullish(),
  attachments: z.array(attachmentSchema).optional(),
  sticker_items: z.array(stickerSchema).optional(),
  /** A forward's content: the forwarded message as it was (no author; later edits of it never arrive). */
  message_snapshots: z
    .array(
      z.object({
        message: z.object({
          content: z.string().optional(),
          attachments: z.array(attachmentSchema).optional(),
          sticker_items: z.array(stickerSchema).optional(),
          mentions: z.array(mentionedSchema).optional(),
        }),
      }),
    )
    .nullish(),
  /** The users the message mentions, to show `<@123>` as the name agents know. */
  mentions: z.array(mentionedSchema).optional(),
  /** Set by the connector: the channel is a thread or a DM, so the channel is the conversation. */
  carebot_conversation: z.enum(['channel', 'message']).optional(),
  /** Set by the connector: the customer message this one continues (see connectors/discord/payload.ts). */
  carebot_in_reply_to: z.string().nullish(),
});
export type DiscordPayload = z.infer<typeof discordPayloadSchema>;

/**
 * What marks a forward in the text. A forward's own `content` and `attachments` are empty: what the
 * customer shared is the snapshot, written by someone else (the snapshot names no author). The card
 * shows the forwarder as the author, so the words must not read as theirs: they come after this
 * line, the forwarder's own words (if any) before it, and the snapshot's files join the message's.
 */
export const FORWARDED = '↪ Forwarded:';

/** The mention schema's bounds (src/mention.ts): a message is cut to fit rather than refused. */
const MAX_ATTACHMENTS = 20;
const MAX_NAME = 256;
const MAX_URL = 2048;

export function normalizeDiscordMessage(payload: unknown): Mention {
  const m = discordPayloadSchema.parse(payload);
  const forward = m.message_reference?.type === FORWARD ? (m.message_snapshots?.[0]?.message ?? null) : null;
  // A forward points at the message it copies, which is not one the customer answers.
  const referenced = m.message_reference?.type === FORWARD ? null : (m.message_reference?.message_id ?? null);
  const replyTo = m.carebot_in_reply_to !== undefined ? m.carebot_in_reply_to : referenced;
  // A DM channel or a thread is one conversation; in a busy support channel each message starts
  // its own, and replies join theirs (ingest follows in_reply_to to the stored conversation).
  const conversation = m.carebot_conversation === 'channel' || !m.guild_id ? m.channel_id : (replyTo ?? m.id);
  const own = readableMentions(m.content, m.mentions ?? []);
  const forwarded = forward ? readableMentions(forward.content ?? '', forward.mentions ?? []) : '';
  const text = forward ? [own, forwarded ? `${FORWARDED}\n${forwarded}` : FORWARDED].filter(Boolean).join('\n') : own;
  const files = [
    ...(m.attachments ?? []).map(attachmentOf),
    ...(m.sticker_items ?? []).map(stickerOf),
    ...(forward?.attachments ?? []).map(attachmentOf),
    ...(forward?.sticker_items ?? []).map(stickerOf),
  ];
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
    // Discord allows 10 files and 3 stickers a message, a forward as many again.
    attachments: files.slice(0, MAX_ATTACHMENTS),
  };
}

/** Discord's attachment as the card shows it: its kind from the MIME type Discord reports. */
function attachmentOf(a: z.infer<typeof attachmentSchema>): Attachment {
  const type = a.content_type?.split('/')[0];
  const kind = type === 'image' || type === 'video' || type === 'audio' ? type : 'file';
  return { kind, name: a.filename.slice(0, MAX_NAME), url: linkable(a.url) };
}

/**
 * A sticker by its image on Discord's media server: PNG and APNG (format 1, 2) as .png, GIF (4)
 * as .gif. A Lottie sticker (3) is an animation script no browser shows, and a format Discord
 * adds later has no known address: those are named without a link.
 */
function stickerOf(s: z.infer<typeof stickerSchema>): Attachment {
  const ext = s.format_type === 1 || s.format_type === 2 ? 'png' : s.format_type === 4 ? 'gif' : null;
  const url = ext && /^\d+$/.test(s.id) ? `https://media.discordapp.net/stickers/${s.id}.${ext}` : null;
  return { kind: 'sticker', name: s.name.slice(0, MAX_NAME), url };
}

/** Discord serves files over https only; anything else in the payload is not a link worth showing. */
const linkable = (url: string) => (url.length <= MAX_URL && URL.canParse(url) && new URL(url).protocol === 'https:' ? url : null);

/** `<@123>` and `<@!123>` as `@name`: what the customer saw, not Discord's markup (others are left as written). */
function readableMentions(content: string, users: Array<{ id: string; username: string }>): string {
  const names = new Map(users.map((u) => [u.id, u.username]));
  return content.replace(/<@!?(\d+)>/g, (markup, id: string) => (names.has(id) ? `@${names.get(id)}` : markup));
}
