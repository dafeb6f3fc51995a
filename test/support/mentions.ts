import type { Incoming } from '../../src/mention.js';

let nextId = 1_800_000_000_000_000_000n;

/** A mention as the twitter connector stores it: a v2 tweet with its expanded author. */
export function tweet(
  text: string,
  opts: { id?: string; conversationId?: string; inReplyTo?: string; authorId?: string; username?: string; followers?: number } = {},
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
        created_at: new Date().toISOString(),
        lang: 'en',
        ...(opts.inReplyTo ? { referenced_tweets: [{ type: 'replied_to', id: opts.inReplyTo }] } : {}),
      },
      author: { id: authorId, username, name: 'Jamie', public_metrics: { followers_count: opts.followers ?? 120 } },
    },
  };
}
