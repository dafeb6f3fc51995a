import type { TwitterApiReadOnly } from 'twitter-api-v2';
import type { ReplyTarget } from '../../src/connector.js';

/**
 * The brand's reply to one tweet since `since`, through recent search (X dates tweets to the
 * second, hence the rounding). Scoped to the customer, so one page nearly always holds it.
 */
export async function findReplyOnX(read: TwitterApiReadOnly, brandUsername: string, to: ReplyTarget, since: Date): Promise<string | null> {
  const results = await read.v2.search(`from:${brandUsername} to:${to.author.handle} is:reply`, {
    start_time: new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString(),
    max_results: 100,
    'tweet.fields': ['referenced_tweets'],
  });
  for await (const tweet of results) {
    if (tweet.referenced_tweets?.some((r) => r.type === 'replied_to' && r.id === to.externalId)) return tweet.id;
  }
  return null;
}
