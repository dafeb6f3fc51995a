import type { Config } from '../../config/index.js';
import { ConnectorError, type Connector } from '../../src/connector.js';
import type { Db } from '../../src/db/open.js';
import type { Logger } from '../../src/log.js';
import { createTwitterClients } from './client.js';
import { twitterError } from './errors.js';
import { pollMentions } from './poll.js';

export const TWEET_LENGTH = 280;

/** X/Twitter: polls the brand's mentions (bearer token) and replies threaded (user context). */
export function createTwitterConnector(config: Config, db: Db, log: Logger): Connector {
  const clients = createTwitterClients(config);
  let userId = config.TWITTER_USER_ID;

  return {
    platform: 'twitter',
    limits: { textLength: TWEET_LENGTH },

    async start() {
      if (userId || !clients.write) return;
      // users/me needs user context: the bearer token alone cannot say who the brand is.
      userId = (await clients.write.v2.me()).data.id;
      log.info({ userId }, 'twitter: brand account looked up with users/me');
    },

    async poll(receive) {
      if (!clients.read) return { nextInMs: 3600_000 };
      if (!userId) throw new ConnectorError('twitter: set TWITTER_USER_ID or the posting credentials to look it up', 'rejected');
      const { nextInMs, received } = await pollMentions(clients.read, db, userId, receive, config.TWITTER_POLL_SECONDS * 1000);
      if (received) log.info({ received, nextInMs }, 'twitter: polled mentions');
      return { nextInMs };
    },

    async reply(to, text) {
      if (!clients.write) throw new ConnectorError(`twitter posting is off (${config.networks.twitterWrite.why})`, 'rejected');
      try {
        const { data } = await clients.write.v2.reply(text, to.externalId);
        return { externalId: data.id, url: `https://x.com/i/web/status/${data.id}` };
      } catch (err) {
        throw twitterError(err, 'the reply');
      }
    },
  };
}
