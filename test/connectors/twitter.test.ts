import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cursors, mentions } from '../../src/db/schema.js';
import { pollTick } from '../../src/pipeline/poll.js';
import { receive } from '../../src/pipeline/receive.js';
import { nextPollDelayMs } from '../../connectors/twitter/poll.js';
import { ConnectorError } from '../../src/connector.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

const BRAND_ID = '1500000000000000001';

describe('X/Twitter connector', () => {
  let x: FakeTwitter;
  let slack: FakeSlack;
  let h: Harness;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());
  afterEach(async () => {
    await h?.close();
    h = undefined!;
    await x?.close();
    slack.reset();
  });

  const start = async (env: Record<string, string> = {}) => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
    h = await createHarness('pglite', {
      TWITTER_API_URL: x.url,
      TWITTER_BEARER_TOKEN: 'AAAA-test-bearer',
      TWITTER_API_KEY: 'key',
      TWITTER_API_SECRET: 'consumer-secret',
      TWITTER_ACCESS_TOKEN: 'access',
      TWITTER_ACCESS_SECRET: 'access-secret',
      TWITTER_POLL_SECONDS: '5',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.url,
      SLACK_INBOX_CHANNEL: 'C0INBOX001',
      ...env,
    });
    await h.s.connectors.twitter!.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
  };
  const poll = () => h.s.connectors.twitter!.poll!((items) => receive(h.s, items));
  const stored = () => h.s.db.select().from(mentions);

  it('looks up the brand with users/me, polls its mentions and stores each once, across overlapping polls and a restart', async () => {
    await start();
    expect(x.requests.some((r) => r.path === '/2/users/me')).toBe(true);
    const first = x.addMention({ text: 'my order is late', authorId: '11', username: 'ann', followers: 5400 });
    x.addMention({ text: 'love the app', authorId: '12', username: 'bob' });
    await poll();
    expect(await stored()).toHaveLength(2);

    // The cursor is in the database: a new instance (a restart) goes on from it.
    const [cursor] = await h.s.db.select().from(cursors);
    const newest = (await stored()).map((m) => BigInt(m.externalId)).reduce((a, b) => (a > b ? a : b));
    expect(cursor!.value).toBe(String(newest));
    x.addMention({ text: 'still waiting for a reply', authorId: '11', username: 'ann', conversationId: first.id, inReplyToTweetId: first.id });
    await poll();
    const since = x.requests.filter((r) => r.path.endsWith('/mentions')).at(-1)!.query.since_id;
    expect(since).toBe(cursor!.value);
    expect(await stored()).toHaveLength(3);

    // An overlapping page (cursor lost, as after a crash before it was written) stores nothing twice.
    await h.s.db.delete(cursors);
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
    const { nextInMs } = await poll();
    expect(nextInMs).toBeGreaterThan(100_000);
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
    const target = { platform: 'twitter' as const, externalId: tweet.id, conversationId: tweet.id, payload: {}, author: { id: '11', handle: 'ann', displayName: null, followers: null, profileUrl: null } };
    const sent = await h.s.connectors.twitter!.reply(target, '@ann sorry about that, we sent you a DM');
    expect(x.posted.at(-1)).toMatchObject({ id: sent.externalId, inReplyTo: tweet.id });
    expect(sent.url).toContain(sent.externalId);

    x.deleteTweet(tweet.id);
    const err = await h.s.connectors.twitter!.reply(target, 'hello again').catch((e) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.kind).toBe('rejected');
    x.failNext('POST /2/tweets', { status: 503 });
    const unavailable = await h.s.connectors.twitter!.reply({ ...target, externalId: x.addMention({ text: 'x', authorId: '1', username: 'z' }).id }, 'hi').catch((e) => e);
    expect(unavailable.kind).toBe('unavailable');
  });

  it('runs the poll on its queue and takes the mention all the way to a Slack card', async () => {
    await start();
    h.startWorkers();
    x.addMention({ text: 'the app crashes on login since the update', authorId: '11', username: 'ann' });
    await eventually('a card from a polled tweet', () => slack.messages('C0INBOX001').length === 1, 30_000);
    expect(JSON.stringify(slack.messages()[0]!.blocks)).toContain('crashes on login');
    const [row] = await stored();
    expect(row!.url).toBe(`https://x.com/ann/status/${row!.externalId}`);
  });

  it('is off with a log line when no credentials are set', async () => {
    x = await startFakeTwitter();
    h = await createHarness('pglite');
    expect(h.s.connectors.twitter).toBeUndefined();
    expect(h.log.text()).toContain('twitterRead: off (TWITTER_BEARER_TOKEN not set)');
    // An unknown connector name on the poll queue does nothing.
    await pollTick(h.s, 'twitter');
    expect(await h.s.db.select().from(mentions).where(eq(mentions.platform, 'twitter'))).toHaveLength(0);
  });
});
