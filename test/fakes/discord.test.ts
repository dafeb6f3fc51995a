import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  RESTEvents,
  type Message,
  type NewsChannel,
  type PartialMessage,
  type TextChannel,
} from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';

describe('fake Discord REST + gateway driven by the real discord.js Client', () => {
  let discord: FakeDiscord;
  let client: Client;

  const nextMessage = (predicate: (m: Message) => boolean): Promise<Message> =>
    new Promise((resolve) => {
      const listener = (m: Message) => {
        if (!predicate(m)) return;
        client.off(Events.MessageCreate, listener);
        resolve(m);
      };
      client.on(Events.MessageCreate, listener);
    });

  beforeAll(async () => {
    discord = await startFakeDiscord({ botUserId: '1200000000000000001', guildId: '1100000000000000001' });
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      rest: { api: discord.apiUrl },
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login('fake-bot-token');
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('logs in through GET /gateway/bot, IDENTIFY and READY + GUILD_CREATE', () => {
    expect(client.user?.id).toBe('1200000000000000001');
    expect(discord.identifies).toHaveLength(1);
    expect(discord.identifies[0]).toMatchObject({
      token: 'fake-bot-token',
      intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages,
    });
    const guild = client.guilds.cache.get(discord.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(discord.channelId('announcements'))?.type).toBe(ChannelType.GuildAnnouncement);
    expect(guild?.members.me?.id).toBe(client.user?.id);
    expect(discord.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /gateway/bot');
  });

  it('delivers a guild mention with its content', async () => {
    const support = discord.channelId('support');
    const received = nextMessage((m) => m.author.id === '900');
    const sent = discord.dispatchMessage({
      channelId: support,
      content: 'where is my order?',
      authorId: '900',
      username: 'ana',
      mentionsBot: true,
    });

    const message = await received;
    expect(message.id).toBe(sent.id);
    expect(message.content).toBe(`<@${client.user!.id}> where is my order?`);
    expect(message.channelId).toBe(support);
    expect(message.guildId).toBe(discord.guildId);
    expect(message.mentions.users.has(client.user!.id)).toBe(true);
  });

  it('blanks guild messages that do not mention the bot when MessageContent was not requested', async () => {
    const received = nextMessage((m) => m.author.id === '901');
    discord.dispatchMessage({ channelId: discord.channelId('general'), content: 'chit-chat', authorId: '901', username: 'bo' });
    expect((await received).content).toBe('');
  });

  it('delivers a DM (channel_type 1, no guild) thanks to the Channel partial', async () => {
    const received = nextMessage((m) => m.author.id === '902');
    discord.dispatchMessage({ channelId: '1300000000000000001', dm: true, content: 'private question', authorId: '902', username: 'cy' });

    const message = await received;
    expect(message.content).toBe('private question');
    expect(message.guildId).toBeNull();
    expect(message.channel.type).toBe(ChannelType.DM);
    expect(message.channelId).toBe('1300000000000000001');

    // carebot opens the same DM channel through REST when it answers first.
    const customer = await client.users.fetch('902', { force: true });
    expect(customer.username).toBe('cy');
    const dm = await customer.createDM(true);
    expect(dm.id).toBe('1300000000000000001');
    await dm.send('We are on it');
    expect(discord.sent.at(-1)).toMatchObject({ channelId: '1300000000000000001', content: 'We are on it' });
  });

  it('replies with message_reference and allowed_mentions', async () => {
    const received = nextMessage((m) => m.author.id === '903');
    discord.dispatchMessage({
      channelId: discord.channelId('support'),
      content: 'refund?',
      authorId: '903',
      username: 'di',
      mentionsBot: true,
    });
    const question = await received;

    const answer = await question.reply({ content: 'Refund issued.', allowedMentions: { repliedUser: false } });

    expect(answer.reference?.messageId).toBe(question.id);
    // repliedUser is filled from referenced_message even when the reply does not ping.
    expect(answer.mentions.repliedUser?.id).toBe('903');
    expect(answer.mentions.users.has('903')).toBe(false);
    expect(discord.sent.at(-1)).toMatchObject({
      id: answer.id,
      channelId: question.channelId,
      content: 'Refund issued.',
      messageReference: { message_id: question.id },
      allowedMentions: { replied_user: false },
    });
  });

  it('echoes the bot’s own messages over the gateway, as Discord does', async () => {
    const echoed = nextMessage((m) => m.author.id === client.user!.id && m.content === 'echo check');
    const channel = client.channels.cache.get(discord.channelId('general')) as TextChannel;
    const sent = await channel.send('echo check');
    expect((await echoed).id).toBe(sent.id);
  });

  it('sends to the announcement channel and crossposts', async () => {
    const channel = client.channels.cache.get(discord.channelId('announcements')) as NewsChannel;
    const message = await channel.send('Outage resolved at 14:05 UTC');
    expect(message.crosspostable).toBe(true);

    const updated = new Promise<Message | PartialMessage>((resolve) => client.once(Events.MessageUpdate, (_old, m) => resolve(m)));
    const published = await message.crosspost();

    // crosspost() hands back the cached Message without the new flags...
    expect(published).toBe(message);
    // ...which the gateway's MESSAGE_UPDATE then patches.
    expect((await updated).flags?.has(MessageFlags.Crossposted)).toBe(true);
    expect(message.crosspostable).toBe(false);
    expect(discord.crossposted).toEqual([message.id]);
    await expect(message.crosspost()).rejects.toMatchObject({ code: 40033 });
  });

  it('rejects content over 2000 characters with Discord’s 50035 error', async () => {
    const channel = client.channels.cache.get(discord.channelId('support')) as TextChannel;
    const err = (await channel.send('x'.repeat(2001)).catch((e: unknown) => e)) as DiscordAPIError;
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect(err.status).toBe(400);
    expect(err.code).toBe(50035);
    expect(err.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
  });

  it('retries after an injected 429 and a 500', async () => {
    const limited: number[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info.retryAfter));
    discord.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 1 });
    discord.failNext('POST /channels/:id/messages', { status: 500 });
    const channel = client.channels.cache.get(discord.channelId('support')) as TextChannel;
    const before = discord.requests.length;

    const message = await channel.send('after the storm');

    expect(message.content).toBe('after the storm');
    expect(discord.requests.slice(before).map((r) => r.status)).toEqual([429, 500, 200]);
    expect(limited).toHaveLength(1);
  });

  it('sends a held message at once and answers only on release', async () => {
    const held = discord.holdNext('POST /channels/:id/messages');
    const channel = client.channels.cache.get(discord.channelId('support')) as TextChannel;
    let answered = false;
    const sending = channel.send('held back').then((m) => {
      answered = true;
      return m;
    });
    await held.arrived;
    expect(discord.sent.at(-1)!.content).toBe('held back');
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    held.release();
    expect((await sending).id).toBe(discord.sent.at(-1)!.id);
  });

  it('creates a thread on first use and delivers messages in it', async () => {
    const received = nextMessage((m) => m.author.id === '904');
    discord.dispatchMessage({
      channelId: '1400000000000000001',
      threadParentId: discord.channelId('support'),
      content: 'follow-up in thread',
      authorId: '904',
      username: 'ed',
      mentionsBot: true,
    });
    const message = await received;
    expect(message.channel.isThread()).toBe(true);
    expect(message.channel.isThread() && message.channel.parentId).toBe(discord.channelId('support'));
  });
});
