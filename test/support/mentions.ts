import type { Incoming } from '../../src/mention.js';

let nextId = 1_800_000_000_000_000_000n;

/** A mention as the twitter connector stores it: a v2 tweet with its expanded author. */
export function tweet(
  text: string,
  opts: {
    id?: string;
    conversationId?: string;
    inReplyTo?: string;
    authorId?: string;
    username?: string;
    followers?: number;
    createdAt?: Date;
  } = {},
): Incoming {
  const id = opts.id ?? String(nextId++);
  const authorId = opts.authorId ?? '2244994945';
  const username = opts.username ?? 'jamie_customer';
  return {
    platform: 'twitter',
    externalId: id,
    payload: {
      tweet: {
        id,
        text,
        author_id: authorId,
        conversation_id: opts.conversationId ?? id,
        created_at: (opts.createdAt ?? new Date()).toISOString(),
        lang: 'en',
        ...(opts.inReplyTo ? { referenced_tweets: [{ type: 'replied_to', id: opts.inReplyTo }] } : {}),
      },
      author: { id: authorId, username, name: 'Jamie', public_metrics: { followers_count: opts.followers ?? 120 } },
    },
  };
}

const everyday = [
  'where is my order? it said two days',
  'how do I change the email on my account',
  'love the new playlist feature',
  'can I pay with a gift card',
  'my invoice shows the wrong address',
  'is there a student discount',
  'the dark mode looks great',
  'do you ship to Norway',
  'the podcast keeps skipping the last minute',
  'thanks for sorting out my refund so quickly',
];

/**
 * `n` ordinary mentions about different things, so that a test of the pipeline is not also a
 * spike (many negative mentions about one thing at once collapse into a spike's digest).
 */
export const everydayTweets = (n: number) => Array.from({ length: n }, (_, i) => tweet(`@brand ${everyday[i % everyday.length]} (${i})`));
