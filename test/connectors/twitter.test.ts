import { afterEach, describe, expect, it } from 'vitest';
import { createConnectorStore } from '../../src/db/connector-store.js';
import { loadConfig } from '../../config/index.js';
import { eq } from 'drizzle-orm';
import { cursors, mentions } from '../../src/db/schema.js';
import { pollTick } from '../../src/pipeline/poll.js';
import { receive } from '../../src/pipeline/receive.js';
import { createTwitterConnector } from '../../connectors/twitter/connector.js';
import { nextPollDelayMs } from '../../connectors/twitter/poll.js';
import { ConnectorError, type ReplyTarget } from '../../src/connector.js';
import { replies } from '../../src/db/schema.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { sendReply } from '../../src/pipeline/outbound.js';
import { batchJobId } from '../../src/queues/queues.js';
import { startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import { configFiles } from '../support/config-file.js';
import { dbKinds, type DbKind } from '../support/db.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';

const BRAND_ID = '1500000000000000001';
const yamlFile = configFiles();
const OAUTH1 = {
  TWITTER_API_KEY: 'key',
  TWITTER_API_SECRET: 'consumer-secret',
  TWITTER_ACCESS_TOKEN: 'access',
  TWITTER_ACCESS_SECRET: 'access-secret',
};

describe('X/Twitter connector', () => {
  let x: FakeTwitter;
  const t = withFakeSlack();
  afterEach(() => x?.close());

  type Env = Record<string, string | undefined>;
  const start = async (
    env: Env | ((fake: FakeTwitter) => Env) = OAUTH1,
    fake: Parameters<typeof startFakeTwitter>[0] = {},
    kind: DbKind = 'pglite',
  ) => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme', ...fake });
    if (typeof env === 'function') env = env(x);
    t.h = await createHarness(kind, {
      TWITTER_API_URL: x.url,
      TWITTER_BEARER_TOKEN: 'AAAA-test-bearer',
      TWITTER_POLL_SECONDS: '5',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: t.slack.url,
      SLACK_INBOX_CHANNEL: 'C0INBOX001',
      ...env,
    });
    await t.h.s.connectors.twitter!.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
  };
  const poll = () => t.h.s.connectors.twitter!.poll!((items) => receive(t.h.s, items));
  const stored = () => t.h.s.db.select().from(mentions);

  it('looks up the brand with users/me, polls its mentions and stores each once, across overlapping polls and a restart', async () => {
    await start();
    expect(x.requests.some((r) => r.path === '/2/users/me')).toBe(true);
    const first = x.addMention({ text: 'my order is late', authorId: '11', username: 'ann', followers: 5400 });
    x.addMention({ text: 'love the app', authorId: '12', username: 'bob' });
    await poll();
    expect(await stored()).toHaveLength(2);

    // The cursor is in the database: a new instance (a restart) goes on from it.
    const [cursor] = await t.h.s.db.select().from(cursors);
    // biome-ignore lint/complexity/useMathMinMax: the ids are BigInts, which Math.max cannot compare
    const newest = (await stored()).map((m) => BigInt(m.externalId)).reduce((a, b) => (a > b ? a : b));
    expect(cursor!.value).toBe(String(newest));
    x.addMention({
      text: 'still waiting for a reply',
      authorId: '11',
      username: 'ann',
      conversationId: first.id,
      inReplyToTweetId: first.id,
    });
    await poll();
    const since = x.requests.filter((r) => r.path.endsWith('/mentions')).at(-1)!.query.since_id;
    expect(since).toBe(cursor!.value);
    expect(await stored()).toHaveLength(3);

    // An overlapping page (cursor lost, as after a crash before it was written) stores nothing twice.
    await t.h.s.db.delete(cursors);
    await poll();
    expect(await stored()).toHaveLength(3);
  });

  it('follows next_token through a backlog of several pages', async () => {
    await start();
    x.addMention({ text: 'first', authorId: '11', username: 'ann' });
    await poll();
    for (let i = 0; i < 250; i++) x.addMention({ text: `backlog ${i}`, authorId: String(100 + i), username: `u${i}` });
    await poll();
    expect(await stored()).toHaveLength(251);
  });

  it('waits until the reset X names after a 429, then resumes', async () => {
    await start();
    x.addMention({ text: 'hello?', authorId: '11', username: 'ann' });
    x.failNext('/2/users/:id/mentions', { status: 429, resetInSeconds: 120 });
    const before = Date.now();
    const { nextInMs } = await poll();
    const took = Date.now() - before;
    // X answered, during the poll, that the window resets 120 s (to the second, rounded up) from
    // then: the wait is that, less however long the poll has been running since.
    expect(nextInMs).toBeGreaterThanOrEqual(120_000 - took);
    expect(nextInMs).toBeLessThanOrEqual(121_000);
    expect(await stored()).toHaveLength(0);
    await poll();
    expect(await stored()).toHaveLength(1);
  });

  it('stretches the poll interval to make the rate-limit window last', () => {
    const now = Date.now();
    expect(nextPollDelayMs({ limit: 180, remaining: 100, reset: now / 1000 + 900 }, 5000, now)).toBe(9000);
    expect(nextPollDelayMs({ limit: 180, remaining: 179, reset: now / 1000 + 900 }, 60_000, now)).toBe(60_000);
    expect(nextPollDelayMs({ limit: 180, remaining: 0, reset: now / 1000 + 300 }, 5000, now)).toBe(300_000);
  });

  it('replies threaded under the customer tweet and says what X refused', async () => {
    await start();
    const tweet = x.addMention({ text: 'refund please', authorId: '11', username: 'ann' });
    const target = {
      platform: 'twitter' as const,
      externalId: tweet.id,
      conversationId: tweet.id,
      payload: {},
      author: { id: '11', handle: 'ann', displayName: null, followers: null, profileUrl: null },
      private: false,
    };
    const sent = await t.h.s.connectors.twitter!.reply(target, '@ann sorry about that, we sent you a DM');
    expect(x.posted.at(-1)).toMatchObject({ id: sent.externalId, inReplyTo: tweet.id });
    expect(sent.url).toContain(sent.externalId);

    x.deleteTweet(tweet.id);
    const err = await t.h.s.connectors.twitter!.reply(target, 'hello again').catch((e) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.kind).toBe('rejected');
    x.failNext('POST /2/tweets', { status: 503 });
    const unavailable = await t.h.s.connectors
      .twitter!.reply({ ...target, externalId: x.addMention({ text: 'x', authorId: '1', username: 'z' }).id }, 'hi')
      .catch((e) => e);
    expect(unavailable.kind).toBe('unavailable');
  });

  it('runs the poll on its queue and takes the mention all the way to a Slack card', async () => {
    await start();
    t.h.startWorkers();
    x.addMention({ text: 'the app crashes on login since the update', authorId: '11', username: 'ann' });
    await eventually('a card from a polled tweet', () => t.slack.messages('C0INBOX001').length === 1, 30_000);
    expect(JSON.stringify(t.slack.messages()[0]!.blocks)).toContain('crashes on login');
    const [row] = await stored();
    expect(row!.url).toBe(`https://x.com/ann/status/${row!.externalId}`);
  });

  const targetOf = (tweetId: string): ReplyTarget => ({
    platform: 'twitter',
    externalId: tweetId,
    conversationId: tweetId,
    payload: {},
    author: { id: '11', handle: 'ann', displayName: null, followers: null, profileUrl: null },
    private: false,
  });
  /** A reply to the stored mention, which is first normalized the way the ingest stage does it: replies go to carded mentions. */
  const replyRow = async (text: string, key: string) => {
    const [mention] = await stored();
    if (mention!.state === 'received') await ingest(t.h.s, batchJobId('ingest', 'replytest'), [mention!.id]);
    const [row] = await t.h.s.db
      .insert(replies)
      .values({ idempotencyKey: key, mentionId: mention!.id, platform: 'twitter', text })
      .returning();
    return row!.id;
  };
  const replyById = async (id: number) => (await t.h.s.db.select().from(replies).where(eq(replies.id, id)))[0]!;

  it('finds its own reply to a tweet since a moment (for a reply whose sender died), and no other; without a bearer token it cannot look', async () => {
    await start();
    const asked = x.addMention({ text: 'refund please', authorId: '11', username: 'ann' });
    const other = x.addMention({ text: 'and one more thing', authorId: '11', username: 'ann' });
    const since = new Date(Date.now() - 1000);
    const connector = t.h.s.connectors.twitter!;
    const sent = await connector.reply(targetOf(asked.id), '@ann refunded');
    expect(await connector.findReply!(targetOf(asked.id), since)).toEqual(sent);
    expect(await connector.findReply!(targetOf(other.id), since)).toBeNull();
    expect(await connector.findReply!(targetOf(asked.id), new Date(Date.now() + 2000))).toBeNull();
    expect(x.requests.at(-1)).toMatchObject({
      path: '/2/tweets/search/recent',
      auth: 'bearer',
      query: { query: 'from:acme to:ann is:reply' },
    });
    // Without it a public reply cannot be looked up: the reply is reported unknown, never sent twice.
    const noBearer = createTwitterConnector(loadConfig({ ...OAUTH1, TWITTER_API_URL: x.url }), createConnectorStore(t.h.s.db), t.h.s.log);
    await expect(noBearer.findReply!(targetOf(asked.id), since)).rejects.toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/TWITTER_BEARER_TOKEN/),
    });
  });

  it('goes on from the stored cursor after a restart: a new connector stores nothing twice', async () => {
    await start();
    x.addMention({ text: 'first', authorId: '11', username: 'ann' });
    await poll();
    const [cursor] = await t.h.s.db.select().from(cursors);
    const restarted = createTwitterConnector(t.h.config, createConnectorStore(t.h.s.db), t.h.s.log);
    await restarted.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
    x.addMention({ text: 'second', authorId: '12', username: 'bob' });
    await restarted.poll!((items) => receive(t.h.s, items));
    expect(x.requests.filter((r) => r.path.endsWith('/mentions')).at(-1)!.query.since_id).toBe(cursor!.value);
    expect(await stored()).toHaveLength(2);
  });

  it('adapts the poll interval to the remaining requests of the rate-limit window', async () => {
    await start();
    x.setRateLimit('GET /2/users/:id/mentions', 4);
    const before = Date.now();
    const { nextInMs } = await poll();
    const took = Date.now() - before;
    // The poll opened the window (15 minutes from then, to the second) and left 3 requests in it:
    // one every 5 minutes, not every 5 seconds, less however long the poll has been running since.
    expect(x.requests.filter((r) => r.path.endsWith('/mentions')).map((r) => r.status)).toEqual([200]);
    expect(nextInMs).toBeGreaterThanOrEqual(300_000 - took);
    expect(nextInMs).toBeLessThanOrEqual(301_000);
  });

  it('searches for the brand keywords as an option, each tweet stored once, with its own cursor and rate limit', async () => {
    await start({ ...OAUTH1, CAREBOT_CONFIG: yamlFile("brand: { keywords: ['acme app', 'acmecorp'] }\ntwitter: { search: true }\n") });
    // The connector's clock: a minute on is a minute added, not a minute waited.
    let ahead = 0;
    const connector = createTwitterConnector(t.h.config, createConnectorStore(t.h.s.db), t.h.s.log, () => Date.now() + ahead);
    await connector.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
    const poll = () => connector.poll!((items) => receive(t.h.s, items));
    const named = x.addTweet({ text: 'the Acme App logs me out every hour', authorId: '21', username: 'cat' });
    x.addTweet({ text: 'lunch was great', authorId: '22', username: 'dan' });
    x.addTweet({ text: 'acmecorp status: all good', authorId: BRAND_ID, username: 'acme' });
    const both = x.addMention({ text: 'is acmecorp down?', authorId: '23', username: 'eve' });
    await poll();
    expect((await stored()).map((m) => m.externalId).sort()).toEqual([named.id, both.id].sort());
    const search = x.requests.find((r) => r.path === '/2/tweets/search/recent')!;
    expect(search).toMatchObject({ auth: 'bearer', query: { query: '("acme app" OR acmecorp) -is:retweet' } });
    expect(await t.h.s.db.select().from(cursors)).toHaveLength(2);

    // A 429 on search holds back search alone; mentions keep their pace.
    x.failNext('/2/tweets/search/recent', { status: 429, resetInSeconds: 600 });
    const later = x.addTweet({ text: 'acmecorp billing question', authorId: '24', username: 'fay' });
    const searches = () => x.requests.filter((r) => r.path === '/2/tweets/search/recent');
    const mentionPolls = () => x.requests.filter((r) => r.path.endsWith('/mentions')).length;
    ahead += 60_000; // a minute later: both timelines are due again
    const before = searches().length;
    const mentionsBefore = mentionPolls();
    const { nextInMs } = await poll();
    expect(searches()).toHaveLength(before + 1);
    expect(searches().at(-1)!.status).toBe(429);
    expect(mentionPolls()).toBe(mentionsBefore + 1);
    expect(nextInMs).toBeLessThan(10_000);
    await poll();
    expect(searches()).toHaveLength(before + 1);
    expect(mentionPolls()).toBe(mentionsBefore + 2);
    expect((await stored()).map((m) => m.externalId)).not.toContain(later.id);
  });

  it('posts with an OAuth 2.0 user token, keeps the rotated refresh token in the database, and renews an expired one', async () => {
    const oauth2Client = { clientId: 'carebot-client', clientSecret: 'client-secret' };
    const seed = (fake: FakeTwitter) => ({
      TWITTER_CLIENT_ID: 'carebot-client',
      TWITTER_CLIENT_SECRET: 'client-secret',
      TWITTER_OAUTH2_REFRESH_TOKEN: fake.issueRefreshToken(),
    });
    await start(seed, { oauth2Client });
    const tokenCalls = () => x.requests.filter((r) => r.path === '/2/oauth2/token');
    // start() looked the brand up as the user: one refresh, then the user token.
    expect(x.requests.map((r) => `${r.method} ${r.path} ${r.auth} ${r.status}`)).toEqual([
      'POST /2/oauth2/token basic 200',
      'GET /2/users/me oauth2-user 200',
    ]);
    const [row] = await t.h.s.db.select().from(cursors).where(eq(cursors.name, 'twitter:oauth2'));
    // Sealed at rest: the stored set reads as neither JSON nor tokens (the restart below opens it).
    expect(row!.value).toMatch(/^v1\./);
    expect(row!.value).not.toMatch(/accessToken|refreshToken/);
    expect(row!.value).not.toContain(t.h.config.TWITTER_OAUTH2_REFRESH_TOKEN);

    const tweet = x.addMention({ text: 'help', authorId: '11', username: 'ann' });
    await t.h.s.connectors.twitter!.reply(targetOf(tweet.id), 'On it.');
    expect(x.requests.at(-1)).toMatchObject({ method: 'POST', path: '/2/tweets', auth: 'oauth2-user', status: 201 });

    // A restart goes on with the stored token (the one in the environment was spent long ago).
    const restarted = createTwitterConnector(t.h.config, createConnectorStore(t.h.s.db), t.h.s.log);
    await restarted.reply(targetOf(tweet.id), 'Still on it.');
    expect(tokenCalls()).toHaveLength(1);

    // An expired access token: X answers 401, the stored refresh token renews it, the reply goes out once.
    x.expireAccessTokens();
    const before = x.posted.length;
    await restarted.reply(targetOf(tweet.id), 'Fixed.');
    expect(x.posted).toHaveLength(before + 1);
    expect(tokenCalls().map((r) => r.status)).toEqual([200, 200]);

    // Revoked: the error says what to do, and nothing is posted.
    x.revokeRefreshTokens();
    x.expireAccessTokens();
    const err = await restarted.reply(targetOf(tweet.id), 'Hello?').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/refresh token .*authorize carebot again/) });
    expect(x.posted).toHaveLength(before + 1);
  });

  it.each(dbKinds)('spends a rotating refresh token once when several processes renew at the same time (%s)', async (kind) => {
    const oauth2Client = { clientId: 'carebot-client' }; // a public client: no secret
    await start(
      (fake) => ({ TWITTER_CLIENT_ID: 'carebot-client', TWITTER_OAUTH2_REFRESH_TOKEN: fake.issueRefreshToken() }),
      { oauth2Client },
      kind,
    );
    const processes = [1, 2, 3].map(() => createTwitterConnector(t.h.config, createConnectorStore(t.h.s.db), t.h.s.log));
    const tweet = x.addMention({ text: 'help', authorId: '11', username: 'ann' });
    x.expireAccessTokens();
    await Promise.all(processes.map((p, i) => p.reply(targetOf(tweet.id), `answer ${i}`)));
    const refreshes = x.requests.filter((r) => r.path === '/2/oauth2/token');
    expect(refreshes.map((r) => r.status)).toEqual([200, 200]);
    expect(x.posted.map((p) => p.text).sort()).toEqual(['answer 0', 'answer 1', 'answer 2']);
  });

  it('stores the posted reply id and link, and ends a reply X refuses as failed with the reason', async () => {
    await start();
    const tweet = x.addMention({ text: 'refund please', authorId: '11', username: 'ann' });
    await poll();
    const ok = await replyRow('@ann done, check your DMs', 'k-1');
    await sendReply(t.h.s, ok);
    const posted = x.posted.at(-1)!;
    expect(posted).toMatchObject({ inReplyTo: tweet.id, text: '@ann done, check your DMs' });
    expect(await replyById(ok)).toMatchObject({ state: 'sent', externalId: posted.id, url: `https://x.com/acme/status/${posted.id}` });

    x.deleteTweet(tweet.id);
    const refused = await replyRow('@ann one more thing', 'k-2');
    await expect(sendReply(t.h.s, refused)).rejects.toThrow(/deleted or not visible/);
    expect(await replyById(refused)).toMatchObject({
      state: 'failed',
      externalId: null,
      error: expect.stringMatching(/X refused the reply \(403\).*deleted or not visible/),
    });
    expect(x.posted).toHaveLength(1);
  });

  it('broadcasts a status update and threads the next one under it', async () => {
    await start();
    const first = await t.h.s.connectors.twitter!.broadcast!('We are investigating login errors.');
    const second = await t.h.s.connectors.twitter!.broadcast!('Fixed since 14:05 UTC.', { inReplyTo: first.externalId });
    expect(x.posted.slice(-2)).toEqual([
      { id: first.externalId, text: 'We are investigating login errors.' },
      { id: second.externalId, text: 'Fixed since 14:05 UTC.', inReplyTo: first.externalId },
    ]);
    expect(first.url).toBe(`https://x.com/acme/status/${first.externalId}`);
  });

  it('is off with a log line when no credentials are set', async () => {
    x = await startFakeTwitter();
    t.h = await createHarness('pglite');
    expect(t.h.s.connectors.twitter).toBeUndefined();
    expect(t.h.log.text()).toContain('twitterRead: off (TWITTER_BEARER_TOKEN not set)');
    // An unknown connector name on the poll queue does nothing.
    await pollTick(t.h.s, 'twitter');
    expect(await t.h.s.db.select().from(mentions).where(eq(mentions.platform, 'twitter'))).toHaveLength(0);
  });
});
