import type { TwitterRateLimit, UserV2 } from 'twitter-api-v2';
import { ConnectorError, type ConnectorStore, type Receive } from '../../src/connector.js';
import type { Incoming } from '../../src/mention.js';
import { twitterError } from './errors.js';
import type { TweetPayload } from './normalize.js';
import type { Timeline } from './timelines.js';

/** 10 pages of 100 cover all that X's mentions timeline keeps (800), so a long outage loses nothing. */
const MAX_PAGES = 10;

/**
 * How long to wait before the next poll: the configured interval, stretched so the remaining
 * requests of this rate-limit window last until it resets.
 */
export function nextPollDelayMs(limit: TwitterRateLimit | undefined, intervalMs: number, now = Date.now()): number {
  if (!limit) return intervalMs;
  const untilReset = Math.max(limit.reset * 1000 - now, 0);
  if (limit.remaining <= 0) return Math.max(untilReset, 1000);
  return Math.max(intervalMs, Math.ceil(untilReset / limit.remaining));
}

/**
 * One poll of a timeline since its stored cursor. Tweets are handed to the pipeline before the
 * cursor moves, so a crash in between repeats a page (deduplicated by the pipeline) and never
 * skips one. The brand's own tweets are not mentions.
 */
export async function pollTimeline(
  timeline: Timeline,
  store: ConnectorStore,
  brandId: string | undefined,
  receive: Receive,
  intervalMs: number,
): Promise<{ nextInMs: number; received: number; retweets: number }> {
  const cursor = await store.cursor(timeline.cursor);
  const items: Incoming[] = [];
  let newest: string | undefined;
  let limit: TwitterRateLimit | undefined;
  let retweets = 0;
  try {
    let token: string | undefined;
    // Without a cursor (the first poll ever) only the newest page: no flood of old tweets.
    for (let page = 0; page < (cursor ? MAX_PAGES : 1); page++) {
      const res = await timeline.page(cursor, token);
      limit = res.rateLimit;
      newest ??= res.newestId;
      const authors = new Map<string, UserV2>(res.users.map((u) => [u.id, u]));
      for (const tweet of res.tweets) {
        if (tweet.author_id === brandId) continue;
        // A retweet adds no words of the customer's: counted, not carded (as from the webhook).
        if (tweet.referenced_tweets?.some((r) => r.type === 'retweeted')) {
          retweets++;
          continue;
        }
        const keys = new Set(tweet.attachments?.media_keys ?? []);
        const media = res.media.filter((m) => keys.has(m.media_key));
        const payload = { tweet, author: authors.get(tweet.author_id!), ...(media.length ? { media } : {}) } as TweetPayload;
        items.push({ platform: 'twitter', externalId: tweet.id, payload });
      }
      token = res.nextToken;
      if (!token) break;
    }
  } catch (err) {
    const e = twitterError(err, timeline.cursor);
    // A rate limit is not a failure of the poll: wait until the window resets.
    if (e instanceof ConnectorError && e.kind === 'rate_limited') return { nextInMs: e.retryAfterMs!, received: 0, retweets: 0 };
    throw e;
  }

  if (items.length) await receive(items);
  if (newest) {
    await store.saveCursor(timeline.cursor, newest);
  }
  return { nextInMs: nextPollDelayMs(limit, intervalMs), received: items.length, retweets };
}
