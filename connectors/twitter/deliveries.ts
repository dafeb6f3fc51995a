import { z } from 'zod';
import type { Incoming } from '../../src/mention.js';
import { truncate } from '../../src/shared/fit-text.js';
import { plausibleDate } from '../../src/shared/plausible-date.js';
import { storableString } from '../../src/shared/well-formed.js';
import { type DmPayload, dmConversationId, type TweetPayload, type XMedia } from './normalize.js';
import type { LinkEntity } from './text.js';

/** A numeric X id (tweet, user, DM event, media): snowflakes are 64-bit, at most 19 digits. */
const xId = () => z.string().regex(/^\d{1,19}$/, 'expected a numeric X id (at most 19 digits)');
/**
 * A long post is at most 25,000 characters; the text of a reply also carries the @names it
 * answers, which X does not count (up to 50 of them): beyond this no delivery is genuine.
 */
const TWEET_TEXT_MAX = 26_000;
/** A DM is at most 10,000 characters, and X's escaping makes each `&` five: `&amp;`. */
const DM_TEXT_MAX = 50_000;
/** What the mention model keeps of a text (`mentionSchema.text`): a longer post is stored cut, not lost. */
const STORED_TEXT_MAX = 20_000;
const tweetText = () => storableString().max(TWEET_TEXT_MAX);
/** An address X put in a payload: a t.co link, what it expands to, a media file. */
const address = () => storableString().max(2048);
const username = () => z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'expected an X username ([A-Za-z0-9_], at most 15)');
// Display names are at most 50 characters; 200 UTF-16 units leave room for emoji.
const displayName = () => storableString().max(200);
const followers = () => z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** v1.1 media entity; a post holds at most 4 photos or one video, a DM one. */
const v1MediaSchema = z.object({
  id_str: xId(),
  type: z.string().max(32),
  url: address(),
  media_url_https: address().optional(),
  expanded_url: address().optional(),
});
type V1Media = z.infer<typeof v1MediaSchema>;
const v1EntitiesSchema = z.object({
  urls: z
    .array(z.object({ url: address(), expanded_url: address().nullish() }))
    .max(100)
    .optional(),
  media: z.array(v1MediaSchema).max(20).optional(),
});
type V1Entities = z.infer<typeof v1EntitiesSchema>;

/**
 * Account Activity deliveries carry v1.1 tweet objects; every bound is one X itself keeps, so
 * anything beyond it is refused before the 2xx (X retries a non-2xx; a forger gets nothing in).
 */
const v1TweetSchema = z
  .object({
    id_str: xId(),
    text: tweetText().optional(),
    full_text: tweetText().optional(),
    extended_tweet: z
      .object({ full_text: tweetText(), entities: v1EntitiesSchema.optional(), extended_entities: v1EntitiesSchema.optional() })
      .optional(),
    entities: v1EntitiesSchema.optional(),
    extended_entities: v1EntitiesSchema.optional(),
    created_at: z
      .string()
      .max(64)
      .refine((v) => plausibleDate(Date.parse(v)), 'expected a date between 2006-03-01 and tomorrow'),
    lang: storableString().max(16).optional(),
    in_reply_to_status_id_str: xId().nullish(),
    quoted_status_id_str: xId().nullish(),
    // Only its presence matters: a retweet is counted, never carded.
    retweeted_status: z.object({ id_str: xId() }).nullish(),
    user: z.object({
      id_str: xId(),
      // X's usernames: letters, digits and _, at most 15 (X's help pages since 2009; the v2 API's UserName pattern).
      screen_name: username(),
      name: displayName().optional(),
      followers_count: followers().optional(),
    }),
  })
  .refine((t) => Boolean(t.extended_tweet?.full_text ?? t.full_text ?? t.text), 'tweet has no text');
type V1Tweet = z.infer<typeof v1TweetSchema>;

const timestampMs = () =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'expected milliseconds since 1970')
    .refine((v) => plausibleDate(Number(v)), 'expected a date between 2006-03-01 and tomorrow');

const v1DmSchema = z.object({
  type: z.string().max(64),
  id: xId(),
  created_timestamp: timestampMs(),
  message_create: z
    .object({
      target: z.object({ recipient_id: xId() }),
      sender_id: xId(),
      message_data: z.object({
        text: storableString().max(DM_TEXT_MAX),
        entities: v1EntitiesSchema.optional(),
        attachment: z.object({ type: z.string().max(32), media: v1MediaSchema }).optional(),
      }),
    })
    .optional(),
});
const v1DmUserSchema = z.object({
  id: xId(),
  screen_name: username(),
  name: displayName().optional(),
  followers_count: followers().optional(),
});

/** One app may subscribe several accounts: every delivery but a revoke names whose feed it is. */
const subscription = { for_user_id: xId() };
const tweetsSchema = z.object({ ...subscription, tweet_create_events: z.array(v1TweetSchema).max(1000) });
const deletesSchema = z.object({
  ...subscription,
  tweet_delete_events: z.array(z.object({ status: z.object({ id: xId(), user_id: xId() }), timestamp_ms: timestampMs() })).max(1000),
});
const dmsSchema = z.object({
  ...subscription,
  direct_message_events: z.array(v1DmSchema).max(1000),
  users: z
    .record(xId(), v1DmUserSchema)
    .refine((u) => Object.keys(u).length <= 1000, 'too many users')
    .optional(),
});
const revokeSchema = z.object({
  user_event: z.object({
    revoke: z.object({ date_time: z.string().max(64).optional(), source: z.object({ user_id: xId() }) }),
  }),
});

/** What one delivery means for carebot. */
export type Delivery =
  | { kind: 'items'; items: Incoming[]; retweets: number }
  | { kind: 'revoked'; userId: string; at?: string }
  | { kind: 'ignored' };

/**
 * Reads a signed Account Activity delivery: the brand's @mentions and quotes, the customers'
 * DMs and deletions become items for the pipeline; a revoke is reported. `brandId` (when known)
 * drops other accounts' feeds. Returns the first reason when something in it is impossible.
 */
export function readDelivery(json: object, brandId: string | undefined): Delivery | { error: string } {
  const theirs = (forUserId: string) => Boolean(brandId && forUserId !== brandId);
  const parse = <T>(schema: z.ZodType<T>): T | { error: string } => {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    return { error: `${issue.path.join('.')}: ${issue.message}` };
  };
  const failed = (v: object): v is { error: string } => 'error' in v;

  if ('tweet_create_events' in json) {
    const d = parse(tweetsSchema);
    if (failed(d)) return d;
    if (theirs(d.for_user_id)) return { kind: 'ignored' };
    // The brand's own tweets (replies, broadcasts) come back through the same feed: they are not mentions.
    const customers = d.tweet_create_events.filter((t) => t.user.id_str !== d.for_user_id);
    // A retweet adds no words of the customer's: nothing to answer.
    const retweets = customers.filter((t) => t.retweeted_status).length;
    const items = customers
      .filter((t) => !t.retweeted_status)
      .map((t): Incoming => ({ platform: 'twitter', externalId: t.id_str, payload: tweetPayload(t) }));
    return { kind: 'items', items, retweets };
  }
  if ('tweet_delete_events' in json) {
    const d = parse(deletesSchema);
    if (failed(d)) return d;
    if (theirs(d.for_user_id)) return { kind: 'ignored' };
    const items = d.tweet_delete_events.map(
      (e): Incoming => ({ platform: 'twitter', externalId: e.status.id, payload: e, change: 'deleted' }),
    );
    return { kind: 'items', items, retweets: 0 };
  }
  if ('direct_message_events' in json) {
    const d = parse(dmsSchema);
    if (failed(d)) return d;
    if (theirs(d.for_user_id)) return { kind: 'ignored' };
    const items = d.direct_message_events.flatMap((e): Incoming[] => {
      // X also delivers the brand's own outgoing DMs (carebot's replies among them).
      if (e.type !== 'message_create' || !e.message_create || e.message_create.sender_id === d.for_user_id) return [];
      return [{ platform: 'twitter', externalId: e.id, payload: dmPayload(e, d.users ?? {}) }];
    });
    return { kind: 'items', items, retweets: 0 };
  }
  if ('user_event' in json) {
    const d = parse(revokeSchema);
    // Other user events (none documented today) are not carebot's business.
    if (failed(d)) return { kind: 'ignored' };
    const { source, date_time } = d.user_event.revoke;
    if (theirs(source.user_id)) return { kind: 'ignored' };
    return { kind: 'revoked', userId: source.user_id, ...(date_time ? { at: date_time } : {}) };
  }
  // Likes, follows, typing indicators, a replay job's end: genuine, but nothing to card.
  return { kind: 'ignored' };
}

/** v2's media key: its type's number, then the id (3 photo, 7 video, 16 GIF). */
const MEDIA_KEY_PREFIX: Record<string, string> = { photo: '3', video: '7', animated_gif: '16' };

/** v1.1 media as v2 `includes.media`, and the t.co link each one stands for. */
function v1Media(list: readonly V1Media[]): { media: XMedia[]; links: LinkEntity[] } {
  const known = list.filter((m) => MEDIA_KEY_PREFIX[m.type]);
  const media = known.map((m) => ({
    media_key: `${MEDIA_KEY_PREFIX[m.type]}_${m.id_str}`,
    type: m.type,
    ...(m.type === 'photo' ? { url: m.media_url_https } : { preview_image_url: m.media_url_https }),
  }));
  const links = known.map((m, i) => ({
    url: m.url,
    ...(m.expanded_url ? { expanded_url: m.expanded_url } : {}),
    media_key: media[i]!.media_key,
  }));
  return { media, links };
}

const v1Links = (entities: V1Entities | undefined): LinkEntity[] =>
  (entities?.urls ?? []).map((u) => ({ url: u.url, ...(u.expanded_url ? { expanded_url: u.expanded_url } : {}) }));

/** The v1.1 tweet of a delivery in the v2 shape the poller stores, so one normalizer serves both. */
function tweetPayload(t: V1Tweet): TweetPayload {
  const ext = t.extended_tweet;
  // A long post's entities are inside extended_tweet; the short `text` has only its self-link.
  const entities = ext ? ext.entities : t.entities;
  const { media, links: mediaLinks } = v1Media(
    (ext ? (ext.extended_entities?.media ?? ext.entities?.media) : (t.extended_entities?.media ?? t.entities?.media)) ?? [],
  );
  const references = [
    ...(t.in_reply_to_status_id_str ? [{ type: 'replied_to', id: t.in_reply_to_status_id_str }] : []),
    ...(t.quoted_status_id_str ? [{ type: 'quoted', id: t.quoted_status_id_str }] : []),
  ];
  const links = [...v1Links(entities), ...mediaLinks];
  return {
    tweet: {
      id: t.id_str,
      text: truncate(ext?.full_text ?? t.full_text ?? t.text ?? '', STORED_TEXT_MAX),
      author_id: t.user.id_str,
      created_at: new Date(t.created_at).toISOString(),
      lang: t.lang,
      ...(references.length ? { referenced_tweets: references } : {}),
      ...(links.length ? { entities: { urls: links } } : {}),
      ...(media.length ? { attachments: { media_keys: media.map((m) => m.media_key) } } : {}),
    },
    author: {
      id: t.user.id_str,
      username: t.user.screen_name,
      name: t.user.name,
      public_metrics: { followers_count: t.user.followers_count },
    },
    ...(media.length ? { media } : {}),
  };
}

/** A v1.1 DM event in the v2 DM event shape the poller stores. */
function dmPayload(e: z.infer<typeof v1DmSchema>, users: Record<string, z.infer<typeof v1DmUserSchema>>): DmPayload {
  const mc = e.message_create!;
  const sender = users[mc.sender_id];
  const { media, links: mediaLinks } = v1Media(mc.message_data.attachment ? [mc.message_data.attachment.media] : []);
  const links = [...v1Links(mc.message_data.entities), ...mediaLinks];
  return {
    dm: {
      id: e.id,
      text: mc.message_data.text,
      sender_id: mc.sender_id,
      dm_conversation_id: dmConversationId(mc.sender_id, mc.target.recipient_id),
      created_at: new Date(Number(e.created_timestamp)).toISOString(),
      ...(links.length ? { entities: { urls: links } } : {}),
      ...(media.length ? { attachments: { media_keys: media.map((m) => m.media_key) } } : {}),
    },
    ...(sender
      ? {
          sender: {
            id: sender.id,
            username: sender.screen_name,
            name: sender.name,
            public_metrics: { followers_count: sender.followers_count },
          },
        }
      : {}),
    ...(media.length ? { media } : {}),
  };
}
