import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { createDiscordConnector } from '../../connectors/discord/connector.js';
import { registry } from '../../connectors/registry.js';
import type { ReplyTarget } from '../../src/connector.js';
import { createConnectorStore } from '../../src/db/connector-store.js';
import { mentions, replies } from '../../src/db/schema.js';
import { mentionSchema, type Incoming } from '../../src/mention.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { receive } from '../../src/pipeline/receive.js';
import { mentionCard } from '../../src/slack/views/card.js';
import { startFakeDiscord, type FakeDiscord, type GatewayDispatch } from '../../fakes/discord.js';
import { configFiles } from '../support/config-file.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

/**
 * Real traffic shapes (test/fixtures/discord/, assembled from Discord's docs) through discord.js
 * against the fake: stickers, files without words, DMs, forwards, edits, deletes, and reading
 * conversations back after a restart.
 */

const fixture = (name: string): GatewayDispatch =>
  JSON.parse(readFileSync(new URL(`../fixtures/discord/${name}.gateway.json`, import.meta.url), 'utf8')) as GatewayDispatch;

// The ids the fixtures use: their bot, guild and channel (the channel is a support channel here,
// so messages that do not name the bot are taken too).
const BOT_ID = '1216750680870748190';
const GUILD_ID = '278325129692446720';
const SUPPORT = '290926798999357250';
const GENERAL = '290926798999357251';
const CUSTOMER = '53908099506183680';

const yamlFile = configFiles();

describe('Discord connector with real traffic', () => {
  let h: Harness;
  let discord: FakeDiscord;
  let settings: Config;
  /** Everything the connector handed to the pipeline, in order. */
  let handed: Incoming[];
  /** Messages whose first store fails, as when the database hiccups. */
  const refuseOnce = new Set<string>();

  beforeAll(async () => {
    const file = yamlFile(`discord: { supportChannels: ['${SUPPORT}'] }\n`);
    h = await createHarness('pglite', { DISCORD_TOKEN: 'discord-test-token', CAREBOT_CONFIG: file });
  });
  afterAll(() => h?.close());

  const startConnector = async () => {
    h.s.connectors.discord = createDiscordConnector(settings, createConnectorStore(h.s.db), h.s.log);
    await h.s.connectors.discord.start!((items) => {
      if (items.some((i) => refuseOnce.delete(i.externalId))) return Promise.reject(new Error('the database hiccuped'));
      handed.push(...items);
      return receive(h.s, items);
    });
  };
  /** A carebot restart: a new client with nothing cached, caught up from what is stored. */
  const restart = async () => {
    await h.s.connectors.discord!.stop!();
    await startConnector();
  };

  beforeEach(async () => {
    handed = [];
    discord = await startFakeDiscord({
      botUserId: BOT_ID,
      guildId: GUILD_ID,
      token: 'discord-test-token',
      channels: [
        { id: SUPPORT, name: 'support' },
        { id: GENERAL, name: 'general' },
      ],
    });
    settings = loadConfig({ ...h.env, DISCORD_API_URL: discord.apiUrl });
    await startConnector();
  });
  afterEach(async () => {
    await h.s.connectors.discord?.stop?.();
    await discord?.close();
    await h.s.db.delete(replies);
    await h.s.db.delete(mentions);
    await createConnectorStore(h.s.db).saveCursor('discord:conversation-channels', '[]');
  });

  const rows = () => h.s.db.select().from(mentions);
  const row = async (externalId: string) => (await h.s.db.select().from(mentions).where(eq(mentions.externalId, externalId)))[0];
  const stored = (externalId: string) => eventually(`mention ${externalId} stored`, () => row(externalId), 10_000);
  const normalized = async (externalId: string) => mentionSchema.parse(registry.discord.normalize((await stored(externalId)).payload));
  /** Stored and read by ingest, as the card is drawn from it. */
  const ingested = async (externalId: string) => {
    const r = await stored(externalId);
    await ingest(h.s, r.jobId!, [r.id]);
    return (await row(externalId))!;
  };
  const card = async (externalId: string) => {
    const r = await ingested(externalId);
    return JSON.stringify(mentionCard(r, h.s.triage.triage({ text: r.text ?? '' })).blocks);
  };
  /** A marker DM, stored: every event the gateway delivered before it has been handled. */
  let markers = 0;
  const settled = async () => {
    const marker = discord.dispatchMessage({
      channelId: '1390000000000000001',
      dm: true,
      content: `marker ${++markers}`,
      authorId: '999',
      username: 'marker',
    });
    await stored(marker.id as string);
    await h.s.db.delete(mentions).where(eq(mentions.externalId, marker.id as string));
    handed = handed.filter((i) => i.externalId !== marker.id);
  };
  /** A stored message as the outbound stage hands it to `reply`. */
  const target = async (externalId: string): Promise<ReplyTarget> => ({
    platform: 'discord',
    externalId,
    conversationId: externalId,
    payload: (await stored(externalId)).payload,
    author: { id: CUSTOMER, handle: 'mason', displayName: null, followers: null, profileUrl: null },
    private: false,
  });
  const changesTo = (externalId: string) => handed.filter((i) => i.externalId === externalId && i.change);

  describe('what a customer sends besides words', () => {
    it('takes a sticker-only message, and names the sticker on the card with its image when there is one', async () => {
      discord.dispatchEvent(fixture('message-sticker'));
      // The docs' example sticker is a Lottie animation (format 3): named, with no image to link.
      expect(await normalized('1255957733279273085')).toMatchObject({
        text: '',
        attachments: [{ kind: 'sticker', name: 'Wave', url: null }],
      });
      const shown = await card('1255957733279273085');
      expect(shown).toContain('_(no text)_');
      expect(shown).toContain(':label: Wave');

      const animated = discord.dispatchMessage({
        channelId: '1391000000000000001',
        dm: true,
        content: '',
        authorId: CUSTOMER,
        username: 'mason',
        stickerItems: [
          { id: '816087792291282944', name: 'Thumbs', format_type: 1 },
          { id: '816087792291282945', name: 'Party', format_type: 2 },
          { id: '816087792291282946', name: 'Dance', format_type: 4 },
        ],
      });
      expect((await normalized(animated.id as string)).attachments).toEqual([
        { kind: 'sticker', name: 'Thumbs', url: 'https://media.discordapp.net/stickers/816087792291282944.png' },
        { kind: 'sticker', name: 'Party', url: 'https://media.discordapp.net/stickers/816087792291282945.png' },
        { kind: 'sticker', name: 'Dance', url: 'https://media.discordapp.net/stickers/816087792291282946.gif' },
      ]);
    });

    it('takes a file without words and a DM photo to a card, with the kind from the content type', async () => {
      discord.dispatchEvent(fixture('message-attachment-only'));
      discord.dispatchEvent(fixture('message-dm'));
      const pdf = await normalized('1255957733279273084');
      expect(pdf).toMatchObject({ text: '', private: false, attachments: [{ kind: 'file', name: 'invoice-1042.pdf' }] });
      // Signed URLs are kept whole: the query is what lets a viewer open it before it expires.
      expect(pdf.attachments[0]!.url).toMatch(/invoice-1042\.pdf\?ex=65d903de&is=65c68ede&hm=/);
      const shown = await card('1255957733279273084');
      expect(shown).toContain('_(no text)_');
      expect(shown).toContain(':paperclip:');
      expect(shown).toContain('invoice-1042.pdf');

      // A DM has no guild: private, its channel is the conversation, the link says @me.
      expect(await normalized('1255957733279273087')).toMatchObject({
        text: 'here is the receipt',
        private: true,
        conversationId: '1012345678900020080',
        url: 'https://discord.com/channels/@me/1012345678900020080/1255957733279273087',
        attachments: [{ kind: 'image', name: 'receipt.png' }],
      });
      const dm = await card('1255957733279273087');
      expect(dm).toContain(':lock: direct message');
      expect(dm).toContain(':frame_with_picture:');

      // A file name longer than the card takes is cut, not a reason to lose the message.
      const long = discord.dispatchMessage({
        channelId: '1391000000000000004',
        dm: true,
        content: '',
        authorId: CUSTOMER,
        username: 'mason',
        attachments: [
          {
            id: '2',
            filename: `${'a'.repeat(300)}.pdf`,
            size: 10,
            url: 'https://cdn.discordapp.com/a/2/x.pdf',
            proxy_url: 'https://media.discordapp.net/a/2/x.pdf',
            content_type: 'application/pdf',
          },
        ],
      });
      expect((await ingested(long.id as string)).attachments).toEqual([
        { kind: 'file', name: 'a'.repeat(256), url: 'https://cdn.discordapp.com/a/2/x.pdf' },
      ]);
    });
  });

  describe('forwards', () => {
    it("shows a forward's text and files as the message's, marked as forwarded, and not as a reply", async () => {
      discord.dispatchEvent(fixture('message-forward'));
      const forward = await normalized('1255957733279273086');
      expect(forward).toMatchObject({
        text: '↪ Forwarded:\nYour refund for order #1042 has been declined.',
        // The forwarder is the author (the snapshot has none); the original is not answered.
        author: { id: CUSTOMER, handle: 'mason' },
        inReplyTo: null,
        conversationId: '1255957733279273086',
        attachments: [{ kind: 'file', name: 'refund-decision.pdf' }],
      });
      expect(await card('1255957733279273086')).toContain('Forwarded:');
    });

    it('takes a forward of files alone in a DM, made by the fake', async () => {
      const m = discord.dispatchMessage({
        channelId: '1391000000000000002',
        dm: true,
        content: '',
        authorId: CUSTOMER,
        username: 'mason',
        forward: {
          content: '',
          attachments: [
            {
              id: '1',
              filename: 'screenshot.png',
              size: 10,
              url: 'https://cdn.discordapp.com/a/1/screenshot.png',
              proxy_url: 'https://media.discordapp.net/a/1/screenshot.png',
              content_type: 'image/png',
            },
          ],
        },
      });
      expect(m).toMatchObject({ flags: 1 << 14, message_reference: { type: 1 } });
      expect(await normalized(m.id as string)).toMatchObject({
        text: '↪ Forwarded:',
        private: true,
        attachments: [{ kind: 'image', name: 'screenshot.png' }],
      });
    });
  });

  describe('edits', () => {
    it('replaces the stored text when the customer edits, with the whole new message', async () => {
      discord.dispatchEvent(fixture('message-attachment'));
      await ingested('1255957733279273083');
      discord.dispatchEvent(fixture('message-update'));
      const edited = await eventually('the edit stored', async () => {
        const r = await row('1255957733279273083');
        return r?.editedAt ? r : undefined;
      });
      expect(edited.text).toBe('@carebot my order #1042 arrived broken, photo attached');
      expect(edited.attachments).toMatchObject([{ kind: 'image', name: 'my_image.png' }]);
      expect(changesTo('1255957733279273083')).toMatchObject([
        {
          platform: 'discord',
          change: 'edited',
          payload: {
            id: '1255957733279273083',
            channel_id: SUPPORT,
            content: '<@1216750680870748190> my order #1042 arrived broken, photo attached',
          },
        },
      ]);
    });

    it('takes the edit, not the link preview Discord adds (whole or in the older partial form)', async () => {
      const LINK = '1255957733279273089';
      discord.dispatchEvent(fixture('message-link'));
      const before = await ingested(LINK);
      discord.dispatchEvent(fixture('message-embed-only'));
      discord.dispatchEvent(fixture('message-embed-only.partial'));
      await settled();
      expect(await row(LINK)).toMatchObject({ text: before.text, editedAt: null });
      // Nor after a restart, when discord.js has not seen the message and knows only the update.
      await restart();
      discord.resolveEmbeds(LINK, [{ type: 'article', url: 'https://example.com/x' }], { partial: true });
      discord.resolveEmbeds(LINK, [{ type: 'article', url: 'https://example.com/y' }]);
      // The customer's own edit comes after them all, and is the one change handed on.
      discord.editMessage(LINK, { content: '<@1216750680870748190> see https://example.com/orders/1043' });
      await eventually('the edit stored', async () => (await row(LINK))?.editedAt);
      expect(changesTo(LINK)).toMatchObject([
        { change: 'edited', payload: { content: '<@1216750680870748190> see https://example.com/orders/1043' } },
      ]);
      expect((await row(LINK))!.text).toBe('@carebot see https://example.com/orders/1043');
    });

    it("hands on a customer's edit, not the bot's own nor one of a message it would not take", async () => {
      const asked = discord.dispatchMessage({ channelId: SUPPORT, content: 'refund?', authorId: CUSTOMER, username: 'mason' });
      await stored(asked.id as string);
      const sent = await h.s.connectors.discord!.reply(await target(asked.id as string), 'Refunded.');
      discord.editMessage(sent.externalId, { content: 'Refunded (edited by the bot).' });
      const chatter = discord.dispatchMessage({ channelId: GENERAL, content: 'games tonight?', authorId: '904', username: 'di' });
      discord.editMessage(chatter.id as string, { content: 'games tomorrow?' });
      discord.editMessage(asked.id as string, { content: 'refund for #1042?' });
      await eventually('the edit stored', async () => (await row(asked.id as string))?.editedAt);
      await settled();
      expect(handed.filter((i) => i.change).map((i) => i.externalId)).toEqual([asked.id]);
    });

    it('takes an edit that names the bot in a message it did not take as a new mention', async () => {
      const m = discord.dispatchMessage({ channelId: GENERAL, content: 'the app is down', authorId: CUSTOMER, username: 'mason' });
      await settled();
      expect(await row(m.id as string)).toBeUndefined();
      discord.editMessage(m.id as string, { content: 'the app is down', mentionsBot: true });
      expect(await normalized(m.id as string)).toMatchObject({ text: '@carebot the app is down' });
    });

    it('reads back an edit of a message sent before a restart, and one in the older partial form', async () => {
      const m = discord.dispatchMessage({ channelId: SUPPORT, content: 'it crashes', authorId: CUSTOMER, username: 'mason' });
      await ingested(m.id as string);
      await restart();
      discord.editMessage(m.id as string, { content: 'it crashes on login' });
      await eventually('the edit stored', async () => (await row(m.id as string))?.text === 'it crashes on login');

      // An update without author: discord.js leaves the message partial and carebot fetches it.
      await restart();
      const before = discord.requests.length;
      discord.dispatchEvent({
        t: 'MESSAGE_UPDATE',
        d: {
          id: m.id,
          channel_id: SUPPORT,
          guild_id: GUILD_ID,
          content: 'it crashes on login, since 2.4',
          edited_timestamp: new Date().toISOString(),
        },
      });
      await eventually('the partial edit read back', async () => (await row(m.id as string))?.text === 'it crashes on login, since 2.4');
      expect(changesTo(m.id as string).at(-1)).toMatchObject({
        change: 'edited',
        payload: { author: { id: CUSTOMER }, content: 'it crashes on login, since 2.4' },
      });
      expect(discord.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toContain(`GET /channels/${SUPPORT}/messages/${m.id}`);
    });
  });

  describe('deletes', () => {
    it('marks a message the customer deleted, from the bare MESSAGE_DELETE', async () => {
      discord.dispatchEvent(fixture('message-attachment'));
      await stored('1255957733279273083');
      discord.dispatchEvent(fixture('message-delete'));
      await eventually('the delete stored', async () => (await row('1255957733279273083'))?.deletedAt);
      expect(changesTo('1255957733279273083')).toEqual([
        {
          platform: 'discord',
          externalId: '1255957733279273083',
          payload: { id: '1255957733279273083', channel_id: SUPPORT, guild_id: GUILD_ID },
          change: 'deleted',
        },
      ]);
    });

    it('marks a delete that follows at once, and one of a message sent before a restart', async () => {
      // The send's store is retried after a hiccup; the delete waits for it, not ignored as a delete of nothing.
      refuseOnce.add('1393000000000000001');
      const quick = discord.dispatchMessage({
        id: '1393000000000000001',
        channelId: SUPPORT,
        content: 'oops wrong channel',
        authorId: CUSTOMER,
        username: 'mason',
      });
      discord.deleteMessage(quick.id as string);
      await eventually('the quick delete stored', async () => (await row(quick.id as string))?.deletedAt);

      const dm = discord.dispatchMessage({
        channelId: '1391000000000000003',
        dm: true,
        content: 'my card number is…',
        authorId: CUSTOMER,
        username: 'mason',
      });
      await stored(dm.id as string);
      await restart();
      discord.deleteMessage(dm.id as string);
      await eventually('the DM delete stored', async () => (await row(dm.id as string))?.deletedAt);
      expect(changesTo(dm.id as string)).toMatchObject([
        { change: 'deleted', payload: { id: dm.id, channel_id: '1391000000000000003', guild_id: null } },
      ]);
    });

    it("reports the customer's delete, not the bot's own", async () => {
      const m = discord.dispatchMessage({ channelId: SUPPORT, content: 'hi', authorId: CUSTOMER, username: 'mason' });
      await stored(m.id as string);
      const sent = await h.s.connectors.discord!.reply(await target(m.id as string), 'Hello!');
      await settled();
      discord.deleteMessage(sent.externalId);
      discord.deleteMessage(m.id as string);
      await eventually('the delete stored', async () => (await row(m.id as string))?.deletedAt);
      await settled();
      expect(handed.filter((i) => i.change).map((i) => i.externalId)).toEqual([m.id]);
    });
  });

  describe('after a restart', () => {
    it('reads back DMs and mentions sent while carebot was down, not chatter nor a DM channel it never saw', async () => {
      const DM = '1392000000000000001';
      const dm = discord.dispatchMessage({
        channelId: DM,
        dm: true,
        content: 'where is my parcel?',
        authorId: CUSTOMER,
        username: 'mason',
      });
      const named = discord.dispatchMessage({
        channelId: GENERAL,
        content: 'app down',
        authorId: '905',
        username: 'ed',
        mentionsBot: true,
      });
      await stored(dm.id as string);
      await stored(named.id as string);
      await eventually('both channels noted', async () => {
        const noted = await createConnectorStore(h.s.db).cursor('discord:conversation-channels');
        return noted?.includes(DM) && noted.includes(GENERAL);
      });

      await h.s.connectors.discord!.stop!();
      const whileDown = [
        discord.dispatchMessage({ channelId: DM, dm: true, content: 'hello??', authorId: CUSTOMER, username: 'mason' }),
        discord.dispatchMessage({ channelId: GENERAL, content: 'still down', authorId: '906', username: 'fi', mentionsBot: true }),
      ];
      const chatter = discord.dispatchMessage({ channelId: GENERAL, content: 'anyone for games', authorId: '907', username: 'gi' });
      const unseen = discord.dispatchMessage({
        channelId: '1392000000000000002',
        dm: true,
        content: 'first DM',
        authorId: '908',
        username: 'ha',
      });
      await startConnector();
      await settled();

      const ids = (await rows()).map((r) => r.externalId).sort();
      expect(ids).toEqual([dm, named, ...whileDown].map((m) => m.id as string).sort());
      expect(ids).not.toContain(chatter.id);
      expect(ids).not.toContain(unseen.id);
      expect(await normalized(whileDown[0]!.id as string)).toMatchObject({ text: 'hello??', private: true, conversationId: DM });

      // Reading the DM channel back made it known again: its edits arrive.
      discord.editMessage(dm.id as string, { content: 'where is my parcel #1042?' });
      await eventually('the DM edit stored', async () => (await row(dm.id as string))?.editedAt);
    });

    it('does not read a busy channel back from a mention older than what carebot last heard', async () => {
      const named = discord.dispatchMessage({ channelId: GENERAL, content: 'help', authorId: '905', username: 'ed', mentionsBot: true });
      await stored(named.id as string);
      const later = discord.dispatchMessage({ channelId: SUPPORT, content: 'a later support question', authorId: '906', username: 'fi' });
      await stored(later.id as string);
      await h.s.connectors.discord!.stop!();
      const missed = discord.dispatchMessage({
        channelId: GENERAL,
        content: 'down again',
        authorId: '905',
        username: 'ed',
        mentionsBot: true,
      });
      const before = discord.requests.length;
      await startConnector();
      await stored(missed.id as string);
      // Read from the newest message stored anywhere, not from the older mention in this channel.
      const reads = discord.requests.slice(before).filter((r) => r.method === 'GET' && r.path === `/channels/${GENERAL}/messages`);
      expect(reads.map((r) => new URLSearchParams(r.query).get('after'))).toEqual([later.id]);
    });
  });
});
