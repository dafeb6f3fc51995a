// The customers' side: what a visitor posts as a customer, delivered the way each network
// delivers it to carebot — a tweet through X's Account Activity webhook (signed, v1.1 shape;
// the poller would find the same tweet later and the database keeps it once), a Discord
// message through the gateway — and what came back from the brand on each network.
import { createHash } from 'node:crypto';
import { twitterSignature } from '../connectors/twitter/webhook.js';
import { BRAND, type World } from './world.js';

export interface CustomerTweet {
  id: string;
  username: string;
  text: string;
  inReplyTo?: string;
}

export interface CustomerDiscordMessage {
  id: string;
  channelId: string;
  username: string;
  content: string;
  dm: boolean;
}

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

export function customers(world: World, carebotUrl: string, consumerSecret: string) {
  const tweets: CustomerTweet[] = [];
  const discordMessages: CustomerDiscordMessage[] = [];

  return {
    tweets,
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
      const tweet = { id: posted.id, username, text: posted.text, ...(inReplyTo ? { inReplyTo } : {}) };
      tweets.push(tweet);
      const body = JSON.stringify({
        for_user_id: BRAND.id,
        tweet_create_events: [
          {
            id_str: posted.id,
            text: posted.text,
            created_at: v1Date(new Date(posted.created_at)),
            lang: 'en',
            in_reply_to_status_id_str: inReplyTo ?? null,
            user: { id_str: authorId, screen_name: username, name: username, followers_count: 120 },
          },
        ],
      });
      const res = await fetch(`${carebotUrl}/webhooks/twitter`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': twitterSignature(consumerSecret, body) },
        body,
      });
      if (!res.ok) throw new Error(`carebot refused the X delivery: ${res.status} ${await res.text()}`);
      return tweet;
    },

    /** A direct message to the brand's bot, or a message mentioning it in the server's #general. */
    discord(username: string, content: string, where: 'dm' | 'mention'): CustomerDiscordMessage {
      const authorId = accountId('7', username);
      const dm = where === 'dm';
      const channelId = dm ? accountId('13', username) : world.discord.channelId('general');
      const sent = world.discord.dispatchMessage({
        channelId,
        content,
        authorId,
        username,
        ...(dm ? { dm: true } : { mentionsBot: true }),
      });
      const message = { id: String(sent.id), channelId: String(sent.channel_id), username, content: String(sent.content), dm };
      discordMessages.push(message);
      return message;
    },
  };
}

export type Customers = ReturnType<typeof customers>;
