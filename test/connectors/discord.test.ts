import { GatewayIntentBits } from 'discord.js';
import { createConnectorStore } from '../../src/db/connector-store.js';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { createDiscordClient } from '../../connectors/discord/client.js';
import { createDiscordConnector } from '../../connectors/discord/connector.js';
import { registry } from '../../connectors/registry.js';
import { ConnectorError, type ReplyTarget } from '../../src/connector.js';
import { mentions, replies } from '../../src/db/schema.js';
import { createLogger } from '../../src/shared/log.js';
import { mentionSchema } from '../../src/mention.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { sendReply } from '../../src/pipeline/outbound.js';
import { receive } from '../../src/pipeline/receive.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import { configFiles } from '../support/config-file.js';
import { memoryLog } from '../support/log.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

const BOT_ID = '1200000000000000001';
const GUILD_ID = '1100000000000000001';
const SUPPORT = '1300000000000000003';
const ANNOUNCEMENTS = '1300000000000000002';
const GENERAL = '1300000000000000001';

const yamlFile = configFiles();

describe('Discord connector', () => {
  let h: Harness;
  let discord: FakeDiscord;
  /** carebot's settings, pointed at this test's Discord. */
  let settings: Config;

  // One database and queue prefix for the file (a harness takes seconds to open), emptied after each test.
  beforeAll(async () => {
    const file = yamlFile(`discord: { supportChannels: ['${SUPPORT}'], announcementChannel: '${ANNOUNCEMENTS}' }\n`);
    h = await createHarness('pglite', { DISCORD_TOKEN: 'discord-test-token', CAREBOT_CONFIG: file });
  });
  afterAll(() => h?.close());
  // Each test has a Discord of its own (its sessions, IDENTIFYs, sent messages, faults, blocked
  // DMs) and a connector of its own logged in to it: no test sees what another left behind.
  beforeEach(async () => {
    discord = await startFakeDiscord({
      botUserId: BOT_ID,
      guildId: GUILD_ID,
      token: 'discord-test-token',
      channels: [
        { id: GENERAL, name: 'general' },
        { id: ANNOUNCEMENTS, name: 'announcements', type: 5 },
        { id: SUPPORT, name: 'support' },
      ],
    });
    settings = loadConfig({ ...h.env, DISCORD_API_URL: discord.apiUrl });
    h.s.connectors.discord = createDiscordConnector(settings, createConnectorStore(h.s.db), h.s.log);
    await h.s.connectors.discord.start!((items) => receive(h.s, items));
  });
  afterEach(async () => {
    await h.s.connectors.discord?.stop?.();
    await discord?.close();
    await h.s.db.delete(replies);
    await h.s.db.delete(mentions);
  });

  const rows = () => h.s.db.select().from(mentions);
  const row = async (externalId: string) => (await h.s.db.select().from(mentions).where(eq(mentions.externalId, externalId)))[0];
  const stored = (externalId: string) => eventually(`mention ${externalId} stored`, () => row(externalId));
  const normalized = async (externalId: string) => mentionSchema.parse(registry.discord.normalize((await stored(externalId)).payload));
  /** Sends a marker DM and waits for it: everything the gateway delivered before it has been handled. */
  const settled = async () => {
    const marker = discord.dispatchMessage({
      channelId: '1390000000000000001',
      dm: true,
      content: 'marker',
      authorId: '999',
      username: 'marker',
    });
    await stored(marker.id as string);
    await h.s.db.delete(mentions).where(eq(mentions.externalId, marker.id as string));
  };
  /** A stored mention read by ingest (no workers run here), as one a reply answers is. */
  const ingested = async (externalId: string) => {
    const r = (await stored(externalId))!;
    await ingest(h.s, r.jobId!, [r.id]);
    return r;
  };
  const target = async (externalId: string): Promise<ReplyTarget> => {
    const r = (await stored(externalId))!;
    return {
      platform: 'discord',
      externalId,
      conversationId: externalId,
      payload: r.payload,
      author: { id: '1', handle: 'x', displayName: null, followers: null, profileUrl: null },
      private: false,
    };
  };

  it('logs in with Guilds, GuildMessages, DirectMessages and, for support channels, MessageContent', () => {
    expect(discord.identifies).toHaveLength(1);
    expect(discord.identifies[0]!.intents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages | GatewayIntentBits.MessageContent,
    );
    const plain = createDiscordClient(loadConfig({ DISCORD_TOKEN: 't' }));
    expect(plain.options.intents.bitfield).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages,
    );
  });

  it('turns a mention, a DM and a support-channel message into one mention each, and ignores the rest', async () => {
    const mention = discord.dispatchMessage({
      channelId: GENERAL,
      content: 'my order never came',
      authorId: '901',
      username: 'ana',
      mentionsBot: true,
    });
    const dm = discord.dispatchMessage({
      channelId: '1310000000000000001',
      dm: true,
      content: 'can I get a refund?',
      authorId: '902',
      username: 'bo',
    });
    const support = discord.dispatchMessage({ channelId: SUPPORT, content: 'login is broken', authorId: '903', username: 'cy' });
    discord.dispatchMessage({ channelId: GENERAL, content: 'anyone up for games tonight', authorId: '904', username: 'di' });
    await settled();

    expect((await rows()).map((r) => r.externalId).sort()).toEqual([mention.id, dm.id, support.id].sort());
    expect(await normalized(mention.id as string)).toMatchObject({
      // Discord's `<@id>` markup reads as the name the customer saw.
      text: '@carebot my order never came',
      conversationId: mention.id,
      author: { id: '901', handle: 'ana' },
      url: `https://discord.com/channels/${GUILD_ID}/${GENERAL}/${mention.id}`,
    });
    expect(await normalized(dm.id as string)).toMatchObject({
      conversationId: '1310000000000000001',
      url: `https://discord.com/channels/@me/1310000000000000001/${dm.id}`,
    });
    expect(await normalized(support.id as string)).toMatchObject({ text: 'login is broken', conversationId: support.id });
  });

  it('stores a message delivered twice once', async () => {
    discord.dispatchMessage({ id: '1320000000000000001', channelId: SUPPORT, content: 'the app crashes', authorId: '905', username: 'ed' });
    discord.dispatchMessage({ id: '1320000000000000001', channelId: SUPPORT, content: 'the app crashes', authorId: '905', username: 'ed' });
    await settled();
    expect(await rows()).toHaveLength(1);
  });

  it('keeps the conversation through threads and replies, including replies to its own answer', async () => {
    const first = discord.dispatchMessage({
      channelId: '1330000000000000001',
      threadParentId: SUPPORT,
      content: 'thread start',
      authorId: '906',
      username: 'fi',
    });
    const second = discord.dispatchMessage({
      channelId: '1330000000000000001',
      threadParentId: SUPPORT,
      content: 'still broken',
      authorId: '906',
      username: 'fi',
    });
    expect((await normalized(first.id as string)).conversationId).toBe('1330000000000000001');
    expect((await normalized(second.id as string)).conversationId).toBe('1330000000000000001');

    const question = discord.dispatchMessage({ channelId: SUPPORT, content: 'is the outage over?', authorId: '907', username: 'gi' });
    const sent = await h.s.connectors.discord!.reply(await target(question.id as string), 'Yes, since 14:05 UTC.');
    const followUp = discord.dispatchMessage({
      channelId: SUPPORT,
      content: 'still down for me',
      authorId: '907',
      username: 'gi',
      messageReference: sent.externalId,
    });
    expect(await normalized(followUp.id as string)).toMatchObject({ inReplyTo: question.id, conversationId: question.id });
  });

  it('replies as a Discord reply in the message channel, thread or DM, without pinging', async () => {
    const inThread = discord.dispatchMessage({
      channelId: '1340000000000000001',
      threadParentId: SUPPORT,
      content: 'help',
      authorId: '908',
      username: 'ha',
      mentionsBot: true,
    });
    const inDm = discord.dispatchMessage({
      channelId: '1340000000000000002',
      dm: true,
      content: 'help me',
      authorId: '909',
      username: 'io',
    });
    for (const m of [inThread, inDm]) {
      const sent = await h.s.connectors.discord!.reply(await target(m.id as string), 'On it @everyone');
      expect(discord.sent.at(-1)).toMatchObject({
        id: sent.externalId,
        channelId: m.channel_id,
        content: 'On it @everyone',
        messageReference: { message_id: m.id },
        allowedMentions: { parse: [], replied_user: false },
      });
      expect(sent.url).toContain(`/${m.channel_id}/${sent.externalId}`);
    }
    // Its own replies come back over the gateway; they are not mentions.
    await settled();
    expect((await rows()).map((r) => r.externalId).sort()).toEqual([inThread.id, inDm.id].sort());
  });

  it('finds its own reply to a message since a moment (for a reply whose sender died), and no other', async () => {
    const asked = discord.dispatchMessage({ channelId: SUPPORT, content: 'refund please', authorId: '915', username: 'ky' });
    const other = discord.dispatchMessage({ channelId: SUPPORT, content: 'and one more thing', authorId: '915', username: 'ky' });
    const since = new Date(Date.now() - 1000);
    const connector = h.s.connectors.discord!;
    const sent = await connector.reply(await target(asked.id as string), 'Refunded.');
    expect(await connector.findReply!(await target(asked.id as string), since)).toEqual(sent);
    expect(await connector.findReply!(await target(other.id as string), since)).toBeNull();
    expect(await connector.findReply!(await target(asked.id as string), new Date(Date.now() + 1000))).toBeNull();
  });

  it('ends a reply Discord refuses (blocked DM, deleted message) as failed with the reason', async () => {
    const dm = discord.dispatchMessage({ channelId: '1350000000000000001', dm: true, content: 'help', authorId: '910', username: 'jo' });
    const r = await ingested(dm.id as string);
    discord.blockDirectMessages('910');
    const [reply] = await h.s.db
      .insert(replies)
      .values({ idempotencyKey: 'k-blocked', mentionId: r.id, platform: 'discord', text: 'Sorry!' })
      .returning();
    await expect(sendReply(h.s, reply!.id)).rejects.toThrow(/Cannot send messages to this user/);
    const [failed] = await h.s.db.select().from(replies).where(eq(replies.id, reply!.id));
    expect(failed).toMatchObject({ state: 'failed', externalId: null });
    expect(failed!.error).toMatch(/Discord refused the reply \(50007\): Cannot send messages to this user/);

    const support = discord.dispatchMessage({ channelId: SUPPORT, content: 'x', authorId: '911', username: 'ka' });
    const gone = { ...(await target(support.id as string)), externalId: '1359999999999999999' };
    const err = await h.s.connectors.discord!.reply(gone, 'hello').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/50035/) });
  });

  it('stores the sent reply with its id and link through the outbound stage', async () => {
    const m = discord.dispatchMessage({ channelId: SUPPORT, content: 'refund?', authorId: '912', username: 'li' });
    const r = await ingested(m.id as string);
    const [reply] = await h.s.db
      .insert(replies)
      .values({ idempotencyKey: 'k-ok', mentionId: r.id, platform: 'discord', text: 'Refund issued.' })
      .returning();
    await sendReply(h.s, reply!.id);
    const [sent] = await h.s.db.select().from(replies).where(eq(replies.id, reply!.id));
    const posted = discord.sent.at(-1)!;
    expect(posted).toMatchObject({ content: 'Refund issued.', messageReference: { message_id: m.id } });
    expect(sent).toMatchObject({
      state: 'sent',
      externalId: posted.id,
      url: `https://discord.com/channels/${GUILD_ID}/${SUPPORT}/${posted.id}`,
    });
  });

  it('waits out a short 429 and hands a long one back as a rate limit', async () => {
    const m = discord.dispatchMessage({ channelId: SUPPORT, content: 'hello?', authorId: '913', username: 'mo' });
    const to = await target(m.id as string);
    discord.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 0.2 });
    const sent = await h.s.connectors.discord!.reply(to, 'Hi!');
    expect(discord.sent.at(-1)!.id).toBe(sent.externalId);

    discord.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 30 });
    const before = discord.sent.length;
    const err = await h.s.connectors.discord!.reply(to, 'Hi again').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited' });
    expect((err as ConnectorError).retryAfterMs).toBeGreaterThan(25_000);
    expect(discord.sent.length).toBe(before);
  });

  it('broadcasts to the announcement channel, crossposts, and threads a later update under the first', async () => {
    const first = await h.s.connectors.discord!.broadcast!('Investigating login errors.');
    const second = await h.s.connectors.discord!.broadcast!('Resolved.', { inReplyTo: first.externalId });
    expect(discord.sent.slice(-2)).toMatchObject([
      { id: first.externalId, channelId: ANNOUNCEMENTS, content: 'Investigating login errors.' },
      { id: second.externalId, channelId: ANNOUNCEMENTS, messageReference: { message_id: first.externalId } },
    ]);
    expect(discord.crossposted.slice(-2)).toEqual([first.externalId, second.externalId]);
  });

  it('loses and duplicates nothing across a dropped gateway connection', async () => {
    const before = discord.dispatchMessage({ channelId: SUPPORT, content: 'before the drop', authorId: '914', username: 'ny' });
    await stored(before.id as string);
    const resumes = discord.resumes.length;
    await discord.dropConnections();
    // Sent while carebot is disconnected: Discord replays them on RESUME.
    const during = [
      discord.dispatchMessage({ channelId: SUPPORT, content: 'during the drop', authorId: '915', username: 'ol' }),
      discord.dispatchMessage({
        channelId: '1360000000000000001',
        dm: true,
        content: 'dm during the drop',
        authorId: '916',
        username: 'pa',
      }),
      discord.dispatchMessage({
        channelId: GENERAL,
        content: 'mention during the drop',
        authorId: '917',
        username: 'qu',
        mentionsBot: true,
      }),
    ];
    await eventually('the gateway to resume', () => discord.resumes.length > resumes);
    await settled();
    expect(discord.identifies).toHaveLength(1);
    expect((await rows()).map((r) => r.externalId).sort()).toEqual([before, ...during].map((m) => m.id as string).sort());
  });

  it('reads the support channels back after a session Discord will not resume', async () => {
    const before = discord.dispatchMessage({ channelId: SUPPORT, content: 'before', authorId: '918', username: 'ra' });
    await stored(before.id as string);
    const identifies = discord.identifies.length;
    await discord.dropConnections();
    discord.invalidateSessions();
    // Nobody receives this live: only reading the channel back finds it.
    const missed = discord.dispatchMessage({
      channelId: SUPPORT,
      content: 'sent while the session was lost',
      authorId: '919',
      username: 'sa',
    });
    await stored(missed.id as string);
    expect(discord.identifies).toHaveLength(identifies + 1);
    await settled();
    expect((await rows()).map((r) => r.externalId).sort()).toEqual([before.id, missed.id].sort());
  });

  it('reads the support channels back after a restart, without importing older history', async () => {
    const last = discord.dispatchMessage({ channelId: SUPPORT, content: 'last before the restart', authorId: '920', username: 'ta' });
    await stored(last.id as string);
    await h.s.connectors.discord!.stop!();
    const whileDown = [1, 2, 3].map((i) =>
      discord.dispatchMessage({ channelId: SUPPORT, content: `while down ${i}`, authorId: '921', username: 'ul' }),
    );
    h.s.connectors.discord = createDiscordConnector(settings, createConnectorStore(h.s.db), h.s.log);
    await h.s.connectors.discord.start!((items) => receive(h.s, items));
    await settled();
    expect((await rows()).map((r) => r.externalId).sort()).toEqual([last, ...whileDown].map((m) => m.id as string).sort());
    expect(await normalized(whileDown[2]!.id as string)).toMatchObject({ text: 'while down 3' });
  });

  it('stops start-up naming DISCORD_TOKEN when Discord refuses the token', async () => {
    const config = loadConfig({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: discord.apiUrl });
    const connector = createDiscordConnector(config, createConnectorStore(h.s.db), createLogger(config, memoryLog()));
    try {
      await expect(connector.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }))).rejects.toThrow(
        /^DISCORD_TOKEN: Discord refused the bot token/,
      );
    } finally {
      await connector.stop!();
    }
  });

  it('keeps running while Discord cannot be reached, and connects when it answers again', async () => {
    const config = loadConfig({ DISCORD_TOKEN: 'discord-test-token', DISCORD_API_URL: discord.apiUrl });
    const log = memoryLog();
    const connector = createDiscordConnector(config, createConnectorStore(h.s.db), createLogger(config, log));
    const received: string[] = [];
    discord.failNext('/gateway/bot', { status: 500 });
    try {
      await connector.start!((items) => {
        received.push(...items.map((i) => i.externalId));
        return Promise.resolve({ stored: items.length, duplicates: 0 });
      });
      expect(log.text()).toMatch(/cannot reach Discord; carebot runs on and tries again/);
      await eventually('reconnected', () => log.text().includes('discord: connected to the gateway'), 20_000);
      const dm = discord.dispatchMessage({
        channelId: '1390000000000000002',
        dm: true,
        content: 'back?',
        authorId: '998',
        username: 'back',
      });
      await eventually('DM received after reconnecting', () => received.includes(dm.id as string));
    } finally {
      await connector.stop!();
    }
  });

  it('says how to fix a bot whose Message Content intent is off', async () => {
    const strict = await startFakeDiscord({ privilegedIntentsEnabled: false });
    const config = loadConfig({
      DISCORD_TOKEN: 't',
      DISCORD_API_URL: strict.apiUrl,
      CAREBOT_CONFIG: yamlFile(`discord: { supportChannels: ['${SUPPORT}'] }\n`),
    });
    const log = memoryLog();
    const connector = createDiscordConnector(config, createConnectorStore(h.s.db), createLogger(config, log));
    try {
      await expect(connector.start!(() => Promise.resolve({ stored: 0, duplicates: 0 }))).rejects.toThrow(/Message Content intent is off/);
    } finally {
      await connector.stop!();
      await strict.close();
    }
  });
});
