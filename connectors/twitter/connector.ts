import type { UserV2 } from 'twitter-api-v2';
import type { Config } from '../../config/index.js';
import { ConnectorError, type Connector, type ConnectorStore, type Sent } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import { createTwitterClients } from './client.js';
import { twitter } from './meta.js';
import { findReplyOnX } from './find-reply.js';
import { twitterError } from './errors.js';
import { pollTimeline } from './poll.js';
import { mentionsTimeline, searchQuery, searchTimeline, type Timeline } from './timelines.js';
import { asBrand } from './user-context.js';

/**
 * X/Twitter: polls the brand's mentions and, as an option, a keyword search (bearer token);
 * replies threaded and posts status updates as the brand (user context). `now` is the clock
 * that says when each timeline is due (a test's, to be minutes later without waiting).
 */
export function createTwitterConnector(config: Config, store: ConnectorStore, log: Logger, now: () => number = Date.now): Connector {
  const clients = createTwitterClients(config, store);
  const intervalMs = config.TWITTER_POLL_SECONDS * 1000;
  let brand: { id?: string; username?: string } = { id: config.TWITTER_USER_ID };
  /** When each timeline may be polled again: each has its own rate-limit window. */
  const dueAt = new Map<string, number>();

  const timelines = (): Timeline[] => {
    if (!clients.read) return [];
    const search = config.file.twitter.search;
    return [
      ...(brand.id ? [mentionsTimeline(clients.read, brand.id)] : []),
      ...(search !== false ? [searchTimeline(clients.read, searchQuery(search, config.file.brand.keywords))] : []),
    ];
  };

  const tweetUrl = (id: string) => `https://x.com/${brand.username ?? 'i/web'}/status/${id}`;

  const post = async (what: string, text: string, inReplyTo?: string): Promise<Sent> => {
    if (!clients.user) throw new ConnectorError(`twitter posting is off (${config.networks.twitterWrite.why})`, 'rejected');
    try {
      const { data } = await asBrand(clients.user, (c) => (inReplyTo ? c.v2.reply(text, inReplyTo) : c.v2.tweet(text)));
      return { externalId: data.id, url: tweetUrl(data.id) };
    } catch (err) {
      throw twitterError(err, what);
    }
  };

  return {
    platform: 'twitter',
    limits: { textLength: twitter.textLength },

    async start() {
      if (!clients.user) {
        if (!brand.id && clients.read)
          log.warn('twitter: mentions are not polled until TWITTER_USER_ID is set (or posting credentials to look it up)');
        return;
      }
      // users/me needs user context: the bearer token alone cannot say who the brand is.
      let me: UserV2;
      try {
        ({ data: me } = await asBrand(clients.user, (c) => c.v2.me()));
      } catch (err) {
        const e = twitterError(err, 'users/me');
        if (!brand.id) throw e;
        log.warn({ err: (e as Error).message }, 'twitter: users/me failed; going on with TWITTER_USER_ID');
        return;
      }
      if (brand.id && brand.id !== me.id)
        throw new Error(`twitter: TWITTER_USER_ID is ${brand.id} but the posting credentials belong to user ${me.id}`);
      brand = { id: me.id, username: me.username };
      log.info({ userId: me.id, username: me.username }, 'twitter: brand account looked up with users/me');
    },

    async poll(receive) {
      const all = timelines();
      if (!all.length) {
        if (!clients.read) return { nextInMs: 3600_000 };
        throw new ConnectorError('twitter: set TWITTER_USER_ID or the posting credentials to look it up', 'rejected');
      }
      const due = (t: Timeline) => dueAt.get(t.cursor) ?? 0;
      // The scheduler calls when the earliest is due; the others wait for their own windows.
      const at = now();
      const ready = all.filter((t) => due(t) <= at);
      const earliest = all.reduce((a, b) => (due(b) < due(a) ? b : a));
      for (const timeline of ready.length ? ready : [earliest]) {
        const { nextInMs, received } = await pollTimeline(timeline, store, brand.id, receive, intervalMs);
        dueAt.set(timeline.cursor, now() + nextInMs);
        if (received) log.info({ timeline: timeline.cursor, received, nextInMs }, 'twitter: polled');
      }
      return { nextInMs: Math.max(Math.min(...all.map(due)) - now(), 1000) };
    },

    reply: (to, text) => post('the reply', text, to.externalId),

    // Searching needs the bearer token, and the brand's handle (known once users/me answered).
    ...(clients.read
      ? {
          async findReply(to, since) {
            if (!brand.username) throw new ConnectorError('the brand account is not known yet (users/me)', 'rejected');
            try {
              const id = await findReplyOnX(clients.read!, brand.username, to, since);
              return id ? { externalId: id, url: tweetUrl(id) } : null;
            } catch (err) {
              throw twitterError(err, 'the reply lookup');
            }
          },
        }
      : {}),

    broadcast: (text, opts) => post('the status update', text, opts?.inReplyTo),
  };
}
