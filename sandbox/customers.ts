// The customers' side: what a visitor posts as a customer, delivered the way each network
// delivers it to carebot — a tweet or a DM through X's Account Activity webhook (signed, v1.1
// shape, the text HTML-encoded as X sends it; the poller would find the same tweet later and the
// database keeps it once), a Discord message through the gateway — and what came back from the
// brand on each network.
import { createHash, randomInt } from 'node:crypto';
import { twitterSignature } from '../connectors/twitter/webhook.js';
import { xEncoded } from '../fakes/twitter.js';
import { BRAND, type World } from './world.js';

export interface CustomerTweet {
  id: string;
  username: string;
  text: string;
  inReplyTo?: string;
}

/** A customer's direct message to the brand on X. */
export interface CustomerDm {
  id: string;
  /** The customer's X account id: the brand's DM replies are addressed to it. */
  senderId: string;
  username: string;
  text: string;
}

export interface CustomerDiscordMessage {
  id: string;
  channelId: string;
  username: string;
  content: string;
  dm: boolean;
  /** The file the message carries, by its name (the page shows the name; the file is never fetched). */
  attachment?: string;
}

/** The photo a customer attaches on Discord: its name and what Discord reports of it. */
export const PHOTO = { filename: 'photo-of-the-box.jpg', size: 84_213, width: 1280, height: 960 } as const;

/** A stable numeric id for a customer name, so one name is one account on every network. */
const accountId = (prefix: string, name: string) =>
  prefix +
  BigInt(`0x${createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 12)}`)
    .toString()
    .padStart(15, '0')
    .slice(0, 15);

/** X's v1.1 date format, as Account Activity deliveries carry it. */
const v1Date = (d: Date) => {
  const [day, date, month, year, time] = d.toUTCString().replace(',', '').split(' ');
  return `${day} ${month} ${date} ${time} +0000 ${year}`;
};

/** A Discord snowflake for now (Discord's epoch is 2015-01-01), for ids the sandbox makes itself. */
const discordSnowflake = () => (((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) | BigInt(randomInt(1 << 22))).toString();

/** One image attachment as Discord's gateway carries it (test/fixtures/discord/message-attachment.gateway.json). */
function photoAttachment(channelId: string) {
  const id = discordSnowflake();
  const path = `attachments/${channelId}/${id}/${PHOTO.filename}`;
  return {
    id,
    filename: PHOTO.filename,
    size: PHOTO.size,
    url: `https://cdn.discordapp.com/${path}`,
    proxy_url: `https://media.discordapp.net/${path}`,
    content_type: 'image/jpeg',
    width: PHOTO.width,
    height: PHOTO.height,
  };
}

export function customers(world: World, carebotUrl: string, consumerSecret: string) {
  const tweets: CustomerTweet[] = [];
  const dms: CustomerDm[] = [];
  const discordMessages: CustomerDiscordMessage[] = [];

  /** POSTs an Account Activity delivery to carebot, signed with the app's consumer secret as X signs it. */
  async function deliver(what: string, delivery: object): Promise<void> {
    const body = JSON.stringify(delivery);
    const res = await fetch(`${carebotUrl}/webhooks/twitter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': twitterSignature(consumerSecret, body) },
      body,
    });
    if (!res.ok) throw new Error(`carebot refused the X ${what}: ${res.status} ${await res.text()}`);
  }

  return {
    tweets,
    dms,
    discordMessages,

    async tweet(username: string, text: string, inReplyTo?: string): Promise<CustomerTweet> {
      const authorId = accountId('4', username);
      const posted = world.x.addMention({
        text,
        authorId,
        username,
        name: username,
        followers: 120,
        ...(inReplyTo ? { inReplyToTweetId: inReplyTo } : {}),
      });
      // As the customer typed it: the page shows it so, and X encodes it only on the way out.
      const tweet = { id: posted.id, username, text: posted.text, ...(inReplyTo ? { inReplyTo } : {}) };
      tweets.push(tweet);
      await deliver('delivery', {
        for_user_id: BRAND.id,
        tweet_create_events: [
          {
            id_str: posted.id,
            text: xEncoded(posted.text),
            created_at: v1Date(new Date(posted.created_at)),
            lang: 'en',
            in_reply_to_status_id_str: inReplyTo ?? null,
            user: { id_str: authorId, screen_name: username, name: username, followers_count: 120 },
          },
        ],
      });
      return tweet;
    },

    /**
     * A direct message to the brand on X: kept by the fake X (its DM lists then agree with what
     * carebot was told) and delivered as Account Activity's `direct_message_events`, with the
     * `users` map X sends beside them (test/fixtures/twitter/dm.account-activity.json).
     */
    async dm(username: string, text: string): Promise<CustomerDm> {
      const senderId = accountId('4', username);
      const event = world.x.addDm({ text, authorId: senderId, username, name: username, followers: 120 });
      const dm = { id: event.id, senderId, username, text };
      dms.push(dm);
      const user = (id: string, screenName: string, name: string, followers: number) => ({
        id,
        created_timestamp: '1458821571000',
        name,
        screen_name: screenName,
        protected: false,
        verified: false,
        followers_count: followers,
      });
      await deliver('DM delivery', {
        for_user_id: BRAND.id,
        direct_message_events: [
          {
            type: 'message_create',
            id: event.id,
            created_timestamp: String(Date.parse(event.created_at)),
            message_create: {
              target: { recipient_id: BRAND.id },
              sender_id: senderId,
              message_data: { text: xEncoded(text), entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } },
            },
          },
        ],
        users: {
          [senderId]: user(senderId, username, username, 120),
          [BRAND.id]: user(BRAND.id, BRAND.username, BRAND.name, 48_210),
        },
      });
      return dm;
    },

    /**
     * A direct message to the brand's bot, or a message mentioning it in the server's #general;
     * with `attachment`, it carries a photo (the words may then be empty).
     */
    discord(username: string, content: string, where: 'dm' | 'mention', attachment = false): CustomerDiscordMessage {
      const authorId = accountId('7', username);
      const dm = where === 'dm';
      const channelId = dm ? accountId('13', username) : world.discord.channelId('general');
      const sent = world.discord.dispatchMessage({
        channelId,
        content,
        authorId,
        username,
        ...(dm ? { dm: true } : { mentionsBot: true }),
        ...(attachment ? { attachments: [photoAttachment(channelId)] } : {}),
      });
      const message = {
        id: String(sent.id),
        channelId: String(sent.channel_id),
        username,
        content: String(sent.content),
        dm,
        ...(attachment ? { attachment: PHOTO.filename } : {}),
      };
      discordMessages.push(message);
      return message;
    },
  };
}

export type Customers = ReturnType<typeof customers>;
