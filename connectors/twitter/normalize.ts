import { z } from 'zod';
import type { Mention } from '../../src/mention.js';

/** What the twitter connector stores per mention: the v2 tweet and its expanded author. */
export const tweetPayloadSchema = z.object({
  tweet: z.object({
    id: z.string().regex(/^\d+$/, 'expected a numeric tweet id'),
    text: z.string(),
    author_id: z.string(),
    conversation_id: z.string().optional(),
    created_at: z.string().optional(),
    lang: z.string().optional(),
    referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
  }),
  author: z
    .object({
      id: z.string(),
      username: z.string(),
      name: z.string().optional(),
      public_metrics: z.object({ followers_count: z.number().optional() }).partial().optional(),
    })
    .optional(),
});
export type TweetPayload = z.infer<typeof tweetPayloadSchema>;

export function normalizeTweet(payload: unknown): Mention {
  const { tweet, author } = tweetPayloadSchema.parse(payload);
  const handle = author?.username ?? tweet.author_id;
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
    text: tweet.text,
    url: `https://x.com/${handle}/status/${tweet.id}`,
    createdAt: tweet.created_at ? new Date(tweet.created_at) : new Date(),
    language: tweet.lang && tweet.lang !== 'und' ? tweet.lang : null,
    private: false,
    attachments: [],
  };
}
