// What the page shows, as one JSON snapshot: the team's Slack (channels with threads, open
// modals, ephemeral messages, App Home) and each network's timeline as its customers see it.
import type { SlackMessage } from '../fakes/slack.js';
import type { Customers } from './customers.js';
import type { Scenario } from './scenario.js';
import type { SlackPane } from './slack-pane.js';
import { agent, BRAND, channels, type World } from './world.js';

interface ShownMessage {
  ts: string;
  text: string;
  blocks: unknown[] | null;
  author: string;
  bot: boolean;
  edited: boolean;
  replies: ShownMessage[];
}

const slackMessage = (m: SlackMessage, world: World): ShownMessage => ({
  ts: m.ts,
  text: m.text,
  blocks: m.blocks ?? null,
  author: m.user ? (m.user === agent.id ? agent.name : m.user) : 'carebot',
  bot: !m.user,
  edited: m.edits > 0,
  replies: m.thread_ts
    ? []
    : world.slack
        .messages(m.channel)
        .filter((r) => r.thread_ts === m.ts && r.ts !== m.ts)
        .map((r) => slackMessage(r, world)),
});

/** One timeline entry on a network, with what answered it nested under it. */
interface Post {
  id: string;
  author: string;
  text: string;
  fromBrand: boolean;
  replyTo?: string;
  /** The name of the file it carries (shown, never fetched). */
  attachment?: string;
}

/** Each customer's DM conversation with the brand on X, oldest message first; the latest conversation first. */
function xConversations(world: World, people: Customers) {
  const byId = new Map<string, { with: string; messages: Post[] }>();
  const of = (senderId: string, username: string) => {
    const c = byId.get(senderId) ?? { with: username, messages: [] };
    byId.set(senderId, c);
    return c;
  };
  for (const dm of people.dms)
    of(dm.senderId, dm.username).messages.push({ id: dm.id, author: dm.username, text: dm.text, fromBrand: false });
  for (const sent of world.x.dmsSent) {
    // Only the sandbox's customers have a DM conversation the page can show.
    const customer = people.dms.find((d) => d.senderId === sent.to);
    if (customer) of(sent.to, customer.username).messages.push({ id: sent.id, author: BRAND.username, text: sent.text, fromBrand: true });
  }
  const order = (a: Post, b: Post) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);
  const conversations = [...byId.values()].map((c) => ({ ...c, messages: c.messages.sort(order) }));
  return conversations.sort((a, b) => order(b.messages.at(-1)!, a.messages.at(-1)!));
}

export function snapshot(world: World, pane: SlackPane, people: Customers, scenario: Scenario) {
  const xPosts: Post[] = [
    ...people.tweets.map((t) => ({
      id: t.id,
      author: t.username,
      text: t.text,
      fromBrand: false,
      ...(t.inReplyTo ? { replyTo: t.inReplyTo } : {}),
    })),
    ...world.x.posted.map((p) => ({
      id: p.id,
      author: BRAND.username,
      text: p.text,
      fromBrand: true,
      ...(p.inReplyTo ? { replyTo: p.inReplyTo } : {}),
    })),
  ];
  // How Discord shows a mention of the bot: by its name.
  const botMention = `<@${String(world.discord.botUser.id)}>`;
  const discordPosts = [
    ...people.discordMessages.map((m) => ({
      id: m.id,
      channelId: m.channelId,
      author: m.username,
      text: m.content.replaceAll(botMention, `@${BRAND.name}`),
      fromBrand: false,
      ...(m.attachment ? { attachment: m.attachment } : {}),
    })),
    ...world.discord.sent.map((m) => {
      const ref = m.messageReference?.message_id;
      return {
        id: m.id,
        channelId: m.channelId,
        author: BRAND.name,
        text: m.content,
        fromBrand: true,
        ...(typeof ref === 'string' ? { replyTo: ref } : {}),
      };
    }),
  ];
  // The brand's announcement channel first: what every member of the server sees.
  const announcements = world.discord.channelId('announcements');
  const discordIds = [...new Set(discordPosts.map((p) => p.channelId))].sort(
    (a, b) => Number(b === announcements) - Number(a === announcements),
  );
  const discordChannels = discordIds.map((id) => {
    const dmWith = people.discordMessages.find((m) => m.dm && m.channelId === id)?.username;
    const name = dmWith
      ? `DM with ${dmWith}`
      : (['general', 'announcements', 'support'].find((n) => world.discord.channelId(n) === id) ?? id);
    return { id, name: dmWith ? name : `#${name}`, posts: discordPosts.filter((p) => p.channelId === id) };
  });

  return {
    agent,
    slack: {
      channels: channels.map((c) => ({
        ...c,
        messages: world.slack
          .messages(c.id)
          .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
          .map((m) => slackMessage(m, world)),
      })),
      modals: pane.openModals(),
      ephemerals: pane.ephemerals(),
      home: pane.home() ?? null,
    },
    x: { brand: BRAND.username, posts: xPosts, dms: xConversations(world, people) },
    discord: { channels: discordChannels, crossposted: world.discord.crossposted },
    scenario: scenario.status(),
  };
}

export type Snapshot = ReturnType<typeof snapshot>;
