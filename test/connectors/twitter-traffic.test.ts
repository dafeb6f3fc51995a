import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTwitter } from '../../connectors/twitter/check.js';
import { createTwitterConnector } from '../../connectors/twitter/connector.js';
import { normalizeTweet } from '../../connectors/twitter/normalize.js';
import { mountTwitterWebhook, twitterSignature } from '../../connectors/twitter/webhook.js';
import { ConnectorError, type ReplyTarget } from '../../src/connector.js';
import { createConnectorStore } from '../../src/db/connector-store.js';
import { cursors, mentions } from '../../src/db/schema.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { mentionSchema } from '../../src/mention.js';
import { receive } from '../../src/pipeline/receive.js';
import { startFakeTwitter, type ActivityFixture, type FakeTwitter } from '../../fakes/twitter.js';
import { createHarness, type Harness } from '../support/services.js';

const BRAND_ID = '1500000000000000001';
const CONSUMER_SECRET = 'consumer-secret';
const OAUTH1 = {
  TWITTER_API_KEY: 'key',
  TWITTER_API_SECRET: CONSUMER_SECRET,
  TWITTER_ACCESS_TOKEN: 'brand-access-token',
  TWITTER_ACCESS_SECRET: 'access-secret',
};
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/twitter/${name}`, import.meta.url), 'utf8'));

/** Real X traffic, from the payloads in test/fixtures/twitter: retweets, quotes, long posts, media, DMs, deletes, a revoke. */
describe('X traffic as X sends it', () => {
  let x: FakeTwitter;
  let h: Harness;
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
    await h?.close();
    await x?.close();
  });

  const start = async (env: Record<string, string> = {}, fake: Parameters<typeof startFakeTwitter>[0] = {}) => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme', ...fake });
    h = await createHarness('pglite', {
      TWITTER_API_URL: x.url,
      TWITTER_BEARER_TOKEN: 'AAAA-test-bearer',
      TWITTER_POLL_SECONDS: '5',
      TWITTER_USER_ID: BRAND_ID,
      ...OAUTH1,
      ...env,
    });
  };
  const store = () => createConnectorStore(h.s.db);
  /** The webhook route as carebot serves it, with the connectors' store and the process's log. */
  const deliver = async (body: string) => {
    server ??= await listen(
      createHttpApp(h.s, [mountTwitterWebhook(h.config, (items) => receive(h.s, items), { store: store(), log: h.s.log })]),
      0,
    );
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twitter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': twitterSignature(CONSUMER_SECRET, body) },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  const activity = (name: ActivityFixture, replace?: Record<string, string>) => deliver(x.activity(name, replace));
  const rows = () => h.s.db.select().from(mentions);
  const normalized = async (externalId: string) => {
    const [row] = await h.s.db.select().from(mentions).where(eq(mentions.externalId, externalId));
    return mentionSchema.parse(normalizeTweet(row!.payload));
  };
  const poll = (connector = h.s.connectors.twitter!) => connector.poll!((items) => receive(h.s, items));

  describe('Account Activity', () => {
    it('counts a retweet without carding it or logging its words; cards a quote with the quoted post as context; never the brand’s own', async () => {
      await start({ TWITTER_WEBHOOKS: 'on' });
      expect(await activity('retweet')).toEqual({ status: 200, body: { ok: true, received: 0 } });
      expect(await rows()).toHaveLength(0);
      expect(h.log.text()).toMatch(/"retweets":1,.*retweets counted, not carded/);
      expect(h.log.text()).not.toContain('spring update');

      expect(await activity('quote')).toEqual({ status: 200, body: { ok: true, received: 1 } });
      expect(await normalized('1865000000000000800')).toMatchObject({
        // The customer's own words; the t.co link is the quoted post's address.
        text: "@acme it is 23:40 and I still can't log in https://twitter.com/acme/status/1865000000000000700",
        author: { id: '11', handle: 'jamie' },
        inReplyTo: null,
        private: false,
        attachments: [],
      });

      // The brand quoting a customer is the brand's own post.
      const own = await activity('quote', { '"id_str": "11"': `"id_str": "${BRAND_ID}"`, '1865000000000000800': '1865000000000000801' });
      expect(own.body).toEqual({ ok: true, received: 0 });
      expect(await rows()).toHaveLength(1);
    });

    it('reads a long post whole, unescaped once, with its photo as an attachment and without its media link', async () => {
      await start({ TWITTER_WEBHOOKS: 'on' });
      expect((await activity('extended')).body).toEqual({ ok: true, received: 1 });
      expect(await normalized('1865000000000000900')).toMatchObject({
        text: '@acme ordered 2 chargers & a cable on the 1st, tracking still says <label created> and support chat closed on me twice. Order 55120. Photo of the box I DID get (wrong item) attached, what now?',
        attachments: [{ kind: 'image', name: null, url: 'https://pbs.twimg.com/media/GeXtNdAcme1.jpg' }],
      });

      // A customer who typed `&lt;` gets `&lt;` (X sent `&amp;lt;`), not `<`.
      const typed = x
        .activity('reply-to-brand', { REPLACED_BY_THE_TEST: '1864999999999999001' })
        .replace('&lt;error 500&gt;', '&amp;lt;b&amp;gt; &lt;3');
      expect((await deliver(typed)).body).toEqual({ ok: true, received: 1 });
      expect((await normalized('1865000000000000123')).text).toBe('@acme still nothing & the app says &lt;b&gt; <3 when I retry');
    });

    it('cards a customer’s DM as private in the conversation X’s API names, with its photo; drops the brand’s own DMs', async () => {
      await start({ TWITTER_WEBHOOKS: 'on' });
      expect((await activity('dm')).body).toEqual({ ok: true, received: 1 });
      expect(await normalized('1865000000000001100')).toMatchObject({
        externalId: '1865000000000001100',
        conversationId: '11-1500000000000000001',
        private: true,
        inReplyTo: null,
        author: { id: '11', handle: 'jamie', displayName: 'Jamie', followers: 212 },
        text: 'hi, order 55120 arrived broken & the box was open. photo:',
        url: 'https://x.com/messages/11-1500000000000000001',
        attachments: [
          {
            kind: 'image',
            name: null,
            url: 'https://ton.twitter.com/1.1/ton/data/dm/1865000000000001100/1865000000000001101/Xb9cQ2lD.jpg',
          },
        ],
      });
      expect((await activity('dm-from-brand')).body).toEqual({ ok: true, received: 0 });
      // Another account the app subscribed.
      expect(
        (
          await activity('dm', {
            '"for_user_id": "1500000000000000001"': '"for_user_id": "1500000000000000002"',
            '1865000000000001100': '1865000000000001109',
          })
        ).body,
      ).toEqual({ ok: true, received: 0 });
      expect(await rows()).toHaveLength(1);
      expect(h.log.text()).not.toContain('arrived broken');
    });

    it('marks a mention the customer deleted, for the brand’s subscription only', async () => {
      await start({ TWITTER_WEBHOOKS: 'on' });
      const reply = (id: string) =>
        x.activity('reply-to-brand', { REPLACED_BY_THE_TEST: '1864999999999999001', '1865000000000000123': id });
      await deliver(reply('1865000000000000123'));
      await deliver(reply('1865000000000000124'));
      const other = x.activity('delete', {
        '"for_user_id": "1500000000000000001"': '"for_user_id": "1500000000000000002"',
        '1865000000000000123': '1865000000000000124',
      });
      expect((await deliver(other)).status).toBe(200);
      expect((await activity('delete')).body).toEqual({ ok: true, received: 0 });
      const deleted = await h.s.db.select({ id: mentions.externalId, deletedAt: mentions.deletedAt }).from(mentions);
      expect(Object.fromEntries(deleted.map((r) => [r.id, r.deletedAt !== null]))).toEqual({
        '1865000000000000123': true,
        '1865000000000000124': false,
      });
    });

    it('reports a revoke: one warning naming the user, a clear refusal from the connector and from doctor', async () => {
      await start({ TWITTER_WEBHOOKS: 'on' });
      expect((await activity('revoke')).body).toEqual({ ok: true, received: 0 });
      const warned = h.log.lines.filter((l) => l.includes('revoked')).map((l) => JSON.parse(l));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ level: 40, msg: `twitter: X access was revoked for user id ${BRAND_ID}` });
      expect(JSON.stringify(warned)).not.toMatch(/access-secret|consumer-secret/);

      x.revokeAccess();
      const connector = createTwitterConnector(h.config, store(), h.s.log);
      const target: ReplyTarget = {
        platform: 'twitter',
        externalId: '11-1500000000000000001',
        conversationId: '11-1500000000000000001',
        author: { id: '11', handle: 'jamie', displayName: null, followers: null, profileUrl: null },
        private: true,
        payload: {},
      };
      const err = await connector.reply(target, 'hello?').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({
        kind: 'rejected',
        message: expect.stringMatching(/X access was revoked by user 1500000000000000001 at 2026-12-08T09:48:12/),
      });
      await expect(checkTwitter(h.config, store())).rejects.toThrow(/revoked by user 1500000000000000001/);
    });
  });

  describe('polling', () => {
    it('asks for long posts and media, cards the quote and the long post whole with its photo, counts the retweet', async () => {
      await start();
      x.loadPage(fixture('mentions.v2.json'));
      await poll();
      const asked = x.requests.find((r) => r.path.endsWith('/mentions'))!.query;
      expect(asked['tweet.fields']!.split(',')).toEqual(expect.arrayContaining(['note_tweet', 'attachments', 'entities']));
      expect(asked.expansions!.split(',')).toEqual(expect.arrayContaining(['author_id', 'attachments.media_keys']));
      expect(asked['media.fields']!.split(',').sort()).toEqual(['preview_image_url', 'type', 'url']);
      expect((await rows()).map((r) => r.externalId).sort()).toEqual(['1865000000000002001', '1865000000000002003']);
      expect(h.log.text()).toMatch(/"retweets":1,.*retweets counted, not carded/);

      const long = await normalized('1865000000000002001');
      expect(long.text).toMatch(/^@acme I have been a customer for six years .* until the replacement arrives\. Thanks$/);
      expect(long).toMatchObject({
        inReplyTo: '1865000000000000400',
        conversationId: '1865000000000000400',
        attachments: [{ kind: 'image', name: null, url: 'https://pbs.twimg.com/media/GeXtNdAcme2.jpg' }],
      });
      expect((await normalized('1865000000000002003')).text).toBe(
        "@acme it is 23:40 & I still can't log in https://twitter.com/acme/status/1865000000000000700",
      );
    });

    it('polls the brand’s DMs with its own cursor when the token may read them: the customer’s only, once each', async () => {
      await start({}, { appPermission: 'read-write-directmessages' });
      await h.s.connectors.twitter!.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
      x.loadPage(fixture('dm-events.v2.json'));
      await poll();
      const asked = x.requests.find((r) => r.path === '/2/dm_events')!;
      expect(asked).toMatchObject({ auth: 'oauth1', status: 200 });
      expect(asked.query.expansions!.split(',').sort()).toEqual(['attachments.media_keys', 'sender_id']);
      expect(await rows()).toHaveLength(1);
      expect(await normalized('1865000000000001100')).toMatchObject({
        private: true,
        conversationId: '11-1500000000000000001',
        author: { id: '11', handle: 'jamie' },
        text: 'hi, order 55120 arrived broken and the box was open. photo attached',
        attachments: [
          { kind: 'image', url: 'https://ton.twitter.com/1.1/ton/data/dm/1865000000000001100/1865000000000001101/Xb9cQ2lD.jpg' },
        ],
      });
      const [cursor] = await h.s.db
        .select()
        .from(cursors)
        .where(eq(cursors.name, `twitter:dms:${BRAND_ID}`));
      expect(cursor!.value).toBe('1865000000000001200');

      // A restart goes on from the cursor: only the new message.
      const next = x.addDm({ text: 'any news?', authorId: '11', username: 'jamie' });
      await poll(createTwitterConnector(h.config, store(), h.s.log));
      expect((await rows()).map((r) => r.externalId).sort()).toEqual(['1865000000000001100', next.id]);
    });

    it('goes on with mentions when the token may not read DMs, and doctor says why DMs are not polled', async () => {
      await start();
      x.addDm({ text: 'hello', authorId: '11', username: 'jamie' });
      x.addMention({ text: 'my order is late', authorId: '12', username: 'bob' });
      await poll();
      expect(x.requests.find((r) => r.path === '/2/dm_events')).toMatchObject({ status: 403 });
      expect(h.log.text()).toMatch(/DMs are not polled until carebot restarts/);
      expect(await rows()).toHaveLength(1);
      await poll();
      expect(x.requests.filter((r) => r.path === '/2/dm_events')).toHaveLength(1);

      const webhooks = await createHarness('pglite', { TWITTER_API_URL: x.url, TWITTER_WEBHOOKS: 'on', ...OAUTH1 });
      try {
        expect(await checkTwitter(webhooks.config, createConnectorStore(webhooks.s.db))).toMatch(/DMs arrive by Account Activity/);
      } finally {
        await webhooks.close();
      }
      const bearerOnly = await createHarness('pglite', { TWITTER_API_URL: x.url, TWITTER_BEARER_TOKEN: 'AAAA', TWITTER_USER_ID: BRAND_ID });
      try {
        expect(await checkTwitter(bearerOnly.config, createConnectorStore(bearerOnly.s.db))).toMatch(
          /DMs not polled: they need the brand account's credentials/,
        );
      } finally {
        await bearerOnly.close();
      }
    });
  });

  describe('replying to a DM', () => {
    const dmTarget = (authorId = '11'): ReplyTarget => ({
      platform: 'twitter',
      externalId: '1865000000000001100',
      conversationId: `${authorId}-${BRAND_ID}`,
      author: { id: authorId, handle: 'jamie', displayName: null, followers: null, profileUrl: null },
      private: true,
      payload: {},
    });

    it('answers by DM to the author, never in public; a customer who takes no DMs is a plain refusal', async () => {
      await start({}, { appPermission: 'read-write-directmessages' });
      const sent = await h.s.connectors.twitter!.reply(dmTarget(), 'Sorry! A replacement is on its way.');
      expect(x.posted).toHaveLength(0);
      expect(x.dmsSent).toEqual([
        { id: sent.externalId, to: '11', text: 'Sorry! A replacement is on its way.', conversationId: `11-${BRAND_ID}` },
      ]);
      expect(sent).toEqual({ externalId: x.dmsSent[0]!.id, url: `https://x.com/messages/11-${BRAND_ID}` });
      expect(x.requests.at(-1)).toMatchObject({ method: 'POST', path: '/2/dm_conversations/with/11/messages', status: 201 });

      x.blockDms('13');
      const refused = await h.s.connectors.twitter!.reply(dmTarget('13'), 'hello').catch((e: unknown) => e);
      expect(refused).toMatchObject({
        kind: 'rejected',
        message: expect.stringMatching(/^X will not deliver this DM: the customer does not accept DMs/),
      });
    });

    it('finds no DM sent since a moment (send it), and will not guess which DM is the reply once there is one', async () => {
      await start({}, { appPermission: 'read-write-directmessages' });
      const connector = h.s.connectors.twitter!;
      await connector.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }));
      const since = new Date(Date.now() - 1000);
      x.addDm({ text: 'hello?', authorId: '11', username: 'jamie' });
      expect(await connector.findReply!(dmTarget(), since)).toBeNull();
      await connector.reply(dmTarget(), 'On it.');
      const err = await connector.findReply!(dmTarget(), since).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/cannot be told/) });
      expect(x.requests.at(-1)).toMatchObject({ path: '/2/dm_conversations/with/11/dm_events', auth: 'oauth1' });
    });
  });
});
