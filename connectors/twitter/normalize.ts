import { z } from 'zod';
import type { Attachment, Mention } from '../../src/mention.js';
import { truncate } from '../../src/shared/fit-text.js';
import { expandLinks, type LinkEntity, unescapeX, withoutTrailingMediaLinks } from './text.js';

/** What a mention keeps of a text (`mentionSchema.text`): a longer post is stored cut, not lost. */
const TEXT_MAX = 20_000;

const linkSchema = z.object({ url: z.string(), expanded_url: z.string().optional(), media_key: z.string().optional() });
const linksOf = z.object({ urls: z.array(linkSchema).optional() }).optional();

/** v2 `includes.media`, reduced to what a card links to. */
const mediaSchema = z.object({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
});
export type XMedia = z.infer<typeof mediaSchema>;

const authorSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().optional(),
  public_metrics: z.object({ followers_count: z.number().optional() }).partial().optional(),
});

/**
 * What the twitter connector stores per mention: the v2 tweet, its expanded author and its media
 * (Account Activity's v1.1 tweets are turned into this shape, so one normalizer serves both).
 * Rows stored before media and long posts were read have neither, and still normalize.
 */
export const tweetPayloadSchema = z.object({
  tweet: z.object({
    id: z.string().regex(/^\d+$/, 'expected a numeric tweet id'),
    text: z.string(),
    author_id: z.string(),
    conversation_id: z.string().optional(),
    created_at: z.string().optional(),
    lang: z.string().optional(),
    referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
    /** A long post: `text` is cut, this is whole. */
    note_tweet: z.object({ text: z.string(), entities: linksOf }).optional(),
    entities: linksOf,
    attachments: z.object({ media_keys: z.array(z.string()).optional() }).optional(),
  }),
  author: authorSchema.optional(),
  media: z.array(mediaSchema).optional(),
});
export type TweetPayload = z.infer<typeof tweetPayloadSchema>;

/** A direct message as the v2 DM events API shapes it; the webhook's v1.1 events are turned into it. */
export const dmPayloadSchema = z.object({
  dm: z.object({
    id: z.string().regex(/^\d+$/, 'expected a numeric DM event id'),
    text: z.string(),
    sender_id: z.string(),
    /** One-to-one: `<lower user id>-<higher user id>`, the same from X's webhook and its API. */
    dm_conversation_id: z.string(),
    created_at: z.string().optional(),
    entities: linksOf,
    attachments: z.object({ media_keys: z.array(z.string()).optional() }).optional(),
  }),
  sender: authorSchema.optional(),
  media: z.array(mediaSchema).optional(),
});
export type DmPayload = z.infer<typeof dmPayloadSchema>;

/** The conversation id X gives a one-to-one DM conversation: both user ids, lower first. */
export const dmConversationId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`);

/** A link the card may carry: the mention model takes https URLs up to 2,048 characters. */
const linkable = (url: string | undefined): string | null => {
  if (!url || url.length > 2048) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
};

/**
 * The media a post carries, in its order. A photo links to the image; a video or GIF to its page
 * on X (the link beside it), else to its preview image: v2 gives no playable address.
 */
function attachmentsOf(keys: readonly string[], media: readonly XMedia[], links: readonly LinkEntity[]): Attachment[] {
  const byKey = new Map(media.map((m) => [m.media_key, m]));
  return keys.flatMap((key): Attachment[] => {
    const m = byKey.get(key);
    if (!m) return [];
    if (m.type === 'photo') return [{ kind: 'image', name: null, url: linkable(m.url) }];
    const page = links.find((l) => l.media_key === key)?.expanded_url;
    return [{ kind: 'video', name: null, url: linkable(page) ?? linkable(m.preview_image_url) }];
  });
}

/** The words as the customer wrote them: media links dropped (shown as attachments), links expanded, X's escaping undone once. */
function readable(raw: string, links: readonly LinkEntity[], media: readonly XMedia[]): string {
  // A media link is dropped only when its media is carried: otherwise it is all the card would show of it.
  const shown = links.filter((l) => !l.media_key || media.some((m) => m.media_key === l.media_key));
  return expandLinks(unescapeX(withoutTrailingMediaLinks(raw, shown)), shown);
}

export function normalizeTweet(payload: unknown): Mention {
  if (payload && typeof payload === 'object' && 'dm' in payload) return normalizeDm(payload);
  const { tweet, author, media = [] } = tweetPayloadSchema.parse(payload);
  const handle = author?.username ?? tweet.author_id;
  const links = (tweet.note_tweet ? tweet.note_tweet.entities?.urls : tweet.entities?.urls) ?? [];
  const keys = tweet.attachments?.media_keys ?? [];
  const attachments = attachmentsOf(keys, media, links);
  let text = readable(tweet.note_tweet?.text ?? tweet.text, links, media);
  // A quote's words are the customer's; the post it quotes is context an agent needs, so its
  // address stays in the text when X did not put it there already.
  const quoted = tweet.referenced_tweets?.find((r) => r.type === 'quoted')?.id;
  if (quoted && !text.includes(`/status/${quoted}`)) text = `${text}\n\nhttps://x.com/i/web/status/${quoted}`;
  return {
    platform: 'twitter',
    externalId: tweet.id,
    conversationId: tweet.conversation_id ?? tweet.id,
    inReplyTo: tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null,
    author: {
      id: tweet.author_id,
      handle,
      displayName: author?.name ?? null,
      followers: author?.public_metrics?.followers_count ?? null,
      profileUrl: author ? `https://x.com/${author.username}` : null,
    },
    text: truncate(text, TEXT_MAX),
    url: `https://x.com/${handle}/status/${tweet.id}`,
    createdAt: tweet.created_at ? new Date(tweet.created_at) : new Date(),
    language: tweet.lang && tweet.lang !== 'und' ? tweet.lang : null,
    private: false,
    attachments: attachments.slice(0, 20),
  };
}

/** A customer's direct message to the brand: private, so replies go back as DMs. */
export function normalizeDm(payload: unknown): Mention {
  const { dm, sender, media = [] } = dmPayloadSchema.parse(payload);
  const links = dm.entities?.urls ?? [];
  const keys = dm.attachments?.media_keys ?? [];
  return {
    platform: 'twitter',
    externalId: dm.id,
    conversationId: dm.dm_conversation_id,
    inReplyTo: null,
    author: {
      id: dm.sender_id,
      handle: sender?.username ?? dm.sender_id,
      displayName: sender?.name ?? null,
      followers: sender?.public_metrics?.followers_count ?? null,
      profileUrl: sender ? `https://x.com/${sender.username}` : null,
    },
    text: truncate(readable(dm.text, links, media), TEXT_MAX),
    // Only the brand's own inbox can open it.
    url: `https://x.com/messages/${dm.dm_conversation_id}`,
    createdAt: dm.created_at ? new Date(dm.created_at) : new Date(),
    language: null,
    private: true,
    attachments: attachmentsOf(keys, media, links).slice(0, 20),
  };
}
