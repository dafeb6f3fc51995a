import { createHash } from 'node:crypto';
import type {
  MediaObjectV2,
  TTweetv2Expansion,
  TTweetv2MediaField,
  TTweetv2TweetField,
  TTweetv2UserField,
  TweetV2,
  TwitterApiReadOnly,
  TwitterRateLimit,
  UserV2,
} from 'twitter-api-v2';

/** One page of tweets, newest first, as both X timelines answer. */
export interface TimelinePage {
  tweets: TweetV2[];
  users: UserV2[];
  media: MediaObjectV2[];
  newestId?: string;
  nextToken?: string;
  rateLimit?: TwitterRateLimit;
}

/** A stream of tweets carebot polls: the brand's mentions, or a keyword search. */
export interface Timeline {
  /** Its cursor's name in the database. */
  cursor: string;
  page(sinceId: string | undefined, token: string | undefined): Promise<TimelinePage>;
}

const fields: {
  max_results: number;
  expansions: TTweetv2Expansion[];
  'user.fields': TTweetv2UserField[];
  'tweet.fields': TTweetv2TweetField[];
  'media.fields': TTweetv2MediaField[];
} = {
  max_results: 100,
  expansions: ['author_id', 'attachments.media_keys'],
  'user.fields': ['username', 'name', 'public_metrics'],
  // note_tweet: without it a long post arrives cut at 280; entities: where its links go.
  'tweet.fields': [
    'created_at',
    'conversation_id',
    'author_id',
    'in_reply_to_user_id',
    'referenced_tweets',
    'lang',
    'note_tweet',
    'attachments',
    'entities',
  ],
  'media.fields': ['url', 'preview_image_url', 'type'],
};

type Paginator =
  | Awaited<ReturnType<TwitterApiReadOnly['v2']['search']>>
  | Awaited<ReturnType<TwitterApiReadOnly['v2']['userMentionTimeline']>>;

const toPage = (res: Paginator): TimelinePage => ({
  tweets: res.data.data ?? [],
  users: res.includes.users,
  media: res.includes.media,
  newestId: res.meta.newest_id,
  nextToken: res.meta.next_token,
  rateLimit: res.rateLimit,
});

/** The brand account's mentions timeline (X keeps its newest 800 tweets). */
export const mentionsTimeline = (client: TwitterApiReadOnly, userId: string): Timeline => ({
  cursor: `twitter:mentions:${userId}`,
  page: async (sinceId, token) =>
    toPage(
      await client.v2.userMentionTimeline(userId, {
        ...fields,
        ...(sinceId ? { since_id: sinceId } : {}),
        ...(token ? { pagination_token: token } : {}),
      }),
    ),
});

/** Recent search (the last 7 days): tweets that name the brand without an @. */
export const searchTimeline = (client: TwitterApiReadOnly, query: string): Timeline => ({
  // A changed query starts a new cursor: the old position means nothing for it.
  cursor: `twitter:search:${createHash('sha256').update(query).digest('hex').slice(0, 16)}`,
  page: async (sinceId, token) =>
    toPage(
      await client.v2.search(query, { ...fields, ...(sinceId ? { since_id: sinceId } : {}), ...(token ? { next_token: token } : {}) }),
    ),
});

/** The search query: the one configured, or the brand's keywords ORed together, without retweets. */
export function searchQuery(search: string | true, keywords: readonly string[]): string {
  if (typeof search === 'string') return search;
  const terms = keywords.map((k) => (/[\s()]/.test(k) ? `"${k.replaceAll('"', '')}"` : k));
  return `${terms.length > 1 ? `(${terms.join(' OR ')})` : terms[0]} -is:retweet`;
}
