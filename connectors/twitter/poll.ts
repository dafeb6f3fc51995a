import { eq, sql } from 'drizzle-orm';
import type { TweetV2, TweetV2PaginableTimelineParams, TwitterApiReadOnly, TwitterRateLimit, UserV2 } from 'twitter-api-v2';
import type { Receive } from '../../src/connector.js';
import type { Db } from '../../src/db/open.js';
import { cursors } from '../../src/db/schema.js';
import { ConnectorError } from '../../src/connector.js';
import { twitterError } from './errors.js';
import type { TweetPayload } from './normalize.js';

/** Enough to catch up after a short outage without paging through the whole history. */
const MAX_PAGES = 10;

const params: Partial<TweetV2PaginableTimelineParams> = {
  max_results: 100,
  expansions: ['author_id'],
  'user.fields': ['username', 'name', 'public_metrics'],
  'tweet.fields': ['created_at', 'conversation_id', 'author_id', 'in_reply_to_user_id', 'referenced_tweets', 'lang'],
};

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
 * One poll of the brand's mentions timeline since the stored cursor. Mentions are handed to the
 * pipeline before the cursor moves, so a crash in between repeats a page (deduplicated by the
 * pipeline) and never skips one.
 */
export async function pollMentions(
  client: TwitterApiReadOnly,
  db: Db,
  userId: string,
  receive: Receive,
  intervalMs: number,
): Promise<{ nextInMs: number; received: number }> {
  const name = `twitter:mentions:${userId}`;
  const [cursor] = await db.select().from(cursors).where(eq(cursors.name, name));
  const items: { platform: 'twitter'; externalId: string; payload: TweetPayload }[] = [];
  let newest: string | undefined;
  let limit: TwitterRateLimit | undefined;
  try {
    let token: string | undefined;
    for (let page = 0; page < (cursor ? MAX_PAGES : 1); page++) {
      const res = await client.v2.userMentionTimeline(userId, {
        ...params,
        ...(cursor ? { since_id: cursor.value } : {}),
        ...(token ? { pagination_token: token } : {}),
      });
      limit = res.rateLimit;
      newest ??= res.meta.newest_id;
      const authors = new Map<string, UserV2>((res.includes?.users ?? []).map((u) => [u.id, u]));
      for (const tweet of (res.data.data ?? []) as TweetV2[]) {
        if (tweet.author_id === userId) continue; // our own replies are not mentions
        items.push({ platform: 'twitter', externalId: tweet.id, payload: { tweet, author: authors.get(tweet.author_id!) } as TweetPayload });
      }
      token = res.meta.next_token;
      if (!token) break;
    }
  } catch (err) {
    const e = twitterError(err, 'the mentions timeline');
    // A rate limit is not a failure of the poll: wait until the window resets.
    if (e instanceof ConnectorError && e.kind === 'rate_limited') return { nextInMs: e.retryAfterMs!, received: 0 };
    throw e;
  }

  if (items.length) await receive(items);
  if (newest) {
    await db
      .insert(cursors)
      .values({ name, value: newest })
      .onConflictDoUpdate({ target: cursors.name, set: { value: newest, updatedAt: sql`now()` } });
  }
  return { nextInMs: nextPollDelayMs(limit, intervalMs), received: items.length };
}
