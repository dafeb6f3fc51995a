import { afterAll, describe, expect, it } from 'vitest';
import { ApiResponseError, TwitterApi, type TweetV2PaginableTimelineParams } from 'twitter-api-v2';
import { startFakeTwitter, twitterClientSettingsFor, type FakeTwitter } from '../../fakes/twitter.js';

const started: FakeTwitter[] = [];
afterAll(async () => {
  await Promise.all(started.map((f) => f.close()));
});

// A fresh fake per test keeps timelines and rate-limit windows independent.
async function setup(): Promise<{ x: FakeTwitter; client: TwitterApi }> {
  const x = await startFakeTwitter({ brandUserId: '1600000000000000001', brandUsername: 'acme_help' });
  started.push(x);
  const client = new TwitterApi(
    { appKey: 'consumer-key', appSecret: 'consumer-secret', accessToken: 'user-token', accessSecret: 'user-secret' },
    twitterClientSettingsFor(x.url),
  );
  return { x, client };
}

const mentionQuery: Partial<TweetV2PaginableTimelineParams> = {
  expansions: ['author_id'],
  'user.fields': ['username', 'name', 'public_metrics'],
  'tweet.fields': ['created_at', 'conversation_id', 'author_id', 'in_reply_to_user_id', 'referenced_tweets'],
};

async function apiError(promise: Promise<unknown>): Promise<ApiResponseError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiResponseError);
  return err as ApiResponseError;
}

describe('fake X API v2 driven by the real twitter-api-v2 client', () => {
  it('returns the brand from /2/users/me with requested fields only', async () => {
    const { x, client } = await setup();
    const me = await client.v2.me({ 'user.fields': ['public_metrics'] });
    expect(me.data).toMatchObject({ id: x.brand.id, username: 'acme_help', public_metrics: { followers_count: 12000 } });
    expect(me.data).not.toHaveProperty('created_at');
    expect(x.requests[0]).toMatchObject({ method: 'GET', path: '/2/users/me', auth: 'oauth1', status: 200 });
  });

  it('lists mentions newest first and honours since_id', async () => {
    const { x, client } = await setup();
    const first = x.addMention({ text: 'my order is late', authorId: '42', username: 'ana', name: 'Ana', followers: 310 });
    const cursor = (await client.v2.userMentionTimeline(x.brand.id, mentionQuery)).meta.newest_id;
    expect(cursor).toBe(first.id);
    expect(first.id).toMatch(/^\d{19}$/);
    expect(first.text).toBe('@acme_help my order is late');

    const second = x.addMention({ text: '@acme_help still waiting', authorId: '42', username: 'ana' });
    const third = x.addMention({ text: 'hello?', authorId: '77', username: 'bo' });

    const page = await client.v2.userMentionTimeline(x.brand.id, { ...mentionQuery, since_id: cursor });
    expect(page.tweets.map((t) => t.id)).toEqual([third.id, second.id]);
    expect(page.meta.newest_id).toBe(third.id);
    expect(page.includes.author(page.tweets[1]!)).toMatchObject({ username: 'ana', name: 'Ana', public_metrics: { followers_count: 310 } });
    expect(page.tweets[0]).toMatchObject({ author_id: '77', conversation_id: third.id });
    expect(page.tweets[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(page.rateLimit).toMatchObject({ limit: 180, remaining: 178 });

    const empty = await client.v2.userMentionTimeline(x.brand.id, { ...mentionQuery, since_id: third.id });
    expect(empty.tweets).toEqual([]);
    expect(empty.data.meta).toEqual({ result_count: 0 });
  });

  it('pages with next_token and keeps includes across pages', async () => {
    const { x, client } = await setup();
    const ids = Array.from({ length: 12 }, (_, i) => x.addMention({ text: `issue ${i}`, authorId: String(100 + i), username: `u${i}` }).id);

    const page = await client.v2.userMentionTimeline(x.brand.id, { ...mentionQuery, max_results: 5 });
    expect(page.tweets).toHaveLength(5);
    expect(page.meta.next_token).toBeTruthy();
    await page.fetchNext();
    await page.fetchNext();
    expect(page.done).toBe(true);
    expect(page.tweets.map((t) => t.id)).toEqual([...ids].reverse());
    expect(page.includes.author(page.tweets[11]!)?.username).toBe('u0');
    expect(x.requests.filter((r) => r.query.pagination_token)).toHaveLength(2);
  });

  it('threads replies and refuses replies to deleted tweets', async () => {
    const { x, client } = await setup();
    const mention = x.addMention({ text: 'refund please', authorId: '42', username: 'ana' });

    const reply = await client.v2.reply('Sorry about that, Ana. We sent you a DM.', mention.id);
    expect(reply.data.id).toMatch(/^\d{19}$/);
    // X returns edit_history_tweet_ids here; twitter-api-v2's result type does not declare it.
    expect((reply.data as { edit_history_tweet_ids?: string[] }).edit_history_tweet_ids).toEqual([reply.data.id]);
    expect(x.posted).toEqual([{ id: reply.data.id, text: 'Sorry about that, Ana. We sent you a DM.', inReplyTo: mention.id }]);

    const followUp = x.addMention({ text: 'thanks!', authorId: '42', username: 'ana', inReplyToTweetId: reply.data.id });
    expect(followUp).toMatchObject({ conversation_id: mention.id, in_reply_to_user_id: x.brand.id });

    x.deleteTweet(mention.id);
    const err = await apiError(client.v2.reply('hello?', mention.id));
    expect(err.code).toBe(403);
    expect(err.data).toMatchObject({ title: 'Forbidden', detail: expect.stringContaining('deleted or not visible') });
    const gone = await client.v2.userMentionTimeline(x.brand.id, mentionQuery);
    expect(gone.tweets.map((t) => t.id)).toEqual([followUp.id]);
  });

  it('rejects text over 280 weighted characters', async () => {
    const { x, client } = await setup();
    await expect(client.v2.tweet('a'.repeat(280))).resolves.toMatchObject({ data: { text: 'a'.repeat(280) } });

    const tooLong = await apiError(client.v2.tweet('a'.repeat(281)));
    expect(tooLong.code).toBe(400);
    expect(tooLong.data).toMatchObject({ title: 'Invalid Request', type: 'https://api.twitter.com/2/problems/invalid-request' });

    // CJK characters weigh 2: 141 of them exceed the limit.
    expect((await apiError(client.v2.tweet('あ'.repeat(141)))).code).toBe(400);
    expect(x.posted).toHaveLength(1);
  });

  it('surfaces an injected 429 as ApiResponseError with rateLimit, then recovers', async () => {
    const { x, client } = await setup();
    x.failNext('/2/users/:id/mentions', { status: 429, resetInSeconds: 600 });
    const before = Math.floor(Date.now() / 1000);

    const err = await apiError(client.v2.userMentionTimeline(x.brand.id, mentionQuery));
    expect(err.code).toBe(429);
    expect(err.rateLimitError).toBe(true);
    expect(err.rateLimit?.remaining).toBe(0);
    expect(err.rateLimit?.reset).toBeGreaterThanOrEqual(before + 600);
    expect(err.rateLimit?.reset).toBeLessThanOrEqual(before + 602);

    await expect(client.v2.userMentionTimeline(x.brand.id, mentionQuery)).resolves.toBeDefined();
  });

  it('enforces per-endpoint limits set with setRateLimit and 5xx faults', async () => {
    const { x, client } = await setup();
    x.setRateLimit('GET /2/users/me', 2);
    await client.v2.me();
    await client.v2.me();
    const err = await apiError(client.v2.me());
    expect(err.rateLimitError).toBe(true);
    expect(err.rateLimit).toMatchObject({ limit: 2, remaining: 0 });
    // Other endpoints have their own window.
    await expect(client.v2.userMentionTimeline(x.brand.id)).resolves.toBeDefined();

    x.failNext('POST /2/tweets', { status: 503 });
    expect((await apiError(client.v2.tweet('hi'))).code).toBe(503);
  });

  it('posts a held tweet at once and answers only on release', async () => {
    const { x, client } = await setup();
    const held = x.holdNext('POST /2/tweets');
    let answered = false;
    const posting = client.v2.tweet('held back').then((r) => {
      answered = true;
      return r;
    });
    await held.arrived;
    expect(x.posted.map((p) => p.text)).toEqual(['held back']);
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    held.release();
    expect((await posting).data.id).toBe(x.posted[0]!.id);
  });

  it('searches recent tweets with next_token paging', async () => {
    const { x } = await setup();
    const app = new TwitterApi('app-only-bearer', twitterClientSettingsFor(x.url));
    for (let i = 0; i < 15; i++) x.addMention({ text: `refund ${i}`, authorId: '42', username: 'ana' });
    x.addMention({ text: 'unrelated', authorId: '43', username: 'bo' });

    const page = await app.v2.search('refund -unrelated from:ana', { max_results: 10 });
    expect(page.tweets).toHaveLength(10);
    await page.fetchNext();
    expect(page.tweets).toHaveLength(15);
    expect(x.requests.at(-1)).toMatchObject({ auth: 'bearer', query: { next_token: expect.any(String) } });
  });

  it('answers malformed requests in X error format', async () => {
    const { x, client } = await setup();
    const small = await apiError(client.v2.userMentionTimeline(x.brand.id, { max_results: 3 }));
    expect(small.code).toBe(400);
    expect(small.errors?.[0]).toMatchObject({ message: expect.stringContaining('is not between 5 and 100') });

    const typo = await apiError(client.v2.userMentionTimeline(x.brand.id, { 'user.fields': ['followers_count' as never] }));
    expect(typo.code).toBe(400);

    const anonymous = await fetch(`${x.url}/2/users/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ title: 'Unauthorized', detail: 'Unauthorized', type: 'about:blank', status: 401 });
  });
});
