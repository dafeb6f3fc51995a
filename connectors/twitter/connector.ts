import type { UserV2 } from 'twitter-api-v2';
import type { Config } from '../../config/index.js';
import { ConnectorError, type Connector, type ConnectorStore, type Receive, type Sent } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import { createTwitterClients } from './client.js';
import { dmCursor, dmPollingOff, findDmReply, pollDms, sendDm } from './dm.js';
import { twitter } from './meta.js';
import { findReplyOnX } from './find-reply.js';
import { twitterError } from './errors.js';
import { pollTimeline } from './poll.js';
import { clearRevoked, revokedError } from './revoked.js';
import { mentionsTimeline, searchQuery, searchTimeline } from './timelines.js';
import { asBrand } from './user-context.js';

/** Something carebot polls on X, with its own cursor and rate-limit window. */
interface Feed {
  cursor: string;
  poll(): Promise<{ nextInMs: number; received: number; retweets?: number }>;
}

/**
 * X/Twitter: polls the brand's mentions, as an option a keyword search (bearer token), and its
 * DMs when webhooks are off (user context); replies threaded, or by DM to a DM, and posts status
 * updates as the brand (user context). `now` is the clock that says when each feed is due (a
 * test's, to be minutes later without waiting).
 */
export function createTwitterConnector(config: Config, store: ConnectorStore, log: Logger, now: () => number = Date.now): Connector {
  const clients = createTwitterClients(config, store);
  const intervalMs = config.TWITTER_POLL_SECONDS * 1000;
  let brand: { id?: string; username?: string } = { id: config.TWITTER_USER_ID };
  /** When each feed may be polled again: each has its own rate-limit window. */
  const dueAt = new Map<string, number>();
  /** Why DMs are not polled after X refused them (a token without dm.read), for this process. */
  let dmsRefused: string | undefined;

  const feeds = (receive: Receive): Feed[] => {
    const search = config.file.twitter.search;
    const timelines = clients.read
      ? [
          ...(brand.id ? [mentionsTimeline(clients.read, brand.id)] : []),
          ...(search !== false ? [searchTimeline(clients.read, searchQuery(search, config.file.brand.keywords))] : []),
        ]
      : [];
    const tweetFeeds = timelines.map((t) => ({ cursor: t.cursor, poll: () => pollTimeline(t, store, brand.id, receive, intervalMs) }));
    const user = clients.user;
    const brandId = brand.id;
    const dms =
      user && brandId && !dmsRefused && !dmPollingOff(config, { user: true, brandId })
        ? [{ cursor: dmCursor(brandId), poll: () => pollDmsOrStop(() => pollDms(user, store, brandId, receive, intervalMs)) }]
        : [];
    return [...tweetFeeds, ...dms];
  };

  /** A 403 that is not a recorded revoke is a token without dm.read: mentions go on, DMs stop here. */
  const pollDmsOrStop = async (poll: () => Promise<{ nextInMs: number; received: number }>) => {
    try {
      return await poll();
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.kind !== 'rejected' || /revoked/.test(err.message)) throw err;
      dmsRefused = err.message;
      log.warn({ reason: err.message }, 'twitter: X refused the DM events; DMs are not polled until carebot restarts');
      return { nextInMs: intervalMs, received: 0 };
    }
  };

  const tweetUrl = (id: string) => `https://x.com/${brand.username ?? 'i/web'}/status/${id}`;

  /** A revoke X announced explains a 401/403 better than X's own words. */
  const xError = async (err: unknown, what: string) => (await revokedError(err, store)) ?? twitterError(err, what);

  const post = async (what: string, text: string, inReplyTo?: string): Promise<Sent> => {
    if (!clients.user) throw new ConnectorError(`twitter posting is off (${config.networks.twitterWrite.why})`, 'rejected');
    try {
      const { data } = await asBrand(clients.user, (c) => (inReplyTo ? c.v2.reply(text, inReplyTo) : c.v2.tweet(text)));
      return { externalId: data.id, url: tweetUrl(data.id) };
    } catch (err) {
      throw await xError(err, what);
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
        const e = await xError(err, 'users/me');
        if (!brand.id) throw e;
        log.warn({ err: (e as Error).message }, 'twitter: users/me failed; going on with TWITTER_USER_ID');
        return;
      }
      if (brand.id && brand.id !== me.id)
        throw new Error(`twitter: TWITTER_USER_ID is ${brand.id} but the posting credentials belong to user ${me.id}`);
      brand = { id: me.id, username: me.username };
      // The brand's credentials work: a revoke recorded earlier was followed by a new authorization.
      await clearRevoked(store);
      log.info({ userId: me.id, username: me.username }, 'twitter: brand account looked up with users/me');
    },

    async poll(receive) {
      const all = feeds(receive);
      if (!all.length) {
        if (!clients.read) return { nextInMs: 3600_000 };
        throw new ConnectorError('twitter: set TWITTER_USER_ID or the posting credentials to look it up', 'rejected');
      }
      const due = (f: Feed) => dueAt.get(f.cursor) ?? 0;
      // The scheduler calls when the earliest is due; the others wait for their own windows.
      const at = now();
      const ready = all.filter((f) => due(f) <= at);
      const earliest = all.reduce((a, b) => (due(b) < due(a) ? b : a));
      for (const feed of ready.length ? ready : [earliest]) {
        const { nextInMs, received, retweets } = await feed.poll();
        dueAt.set(feed.cursor, now() + nextInMs);
        if (received) log.info({ feed: feed.cursor, received, nextInMs }, 'twitter: polled');
        if (retweets) log.info({ feed: feed.cursor, retweets }, 'twitter: retweets counted, not carded');
      }
      // Counted again: a feed X refused for good this round (DMs without the permission) is gone.
      const left = feeds(receive);
      if (!left.length) return { nextInMs: 3600_000 };
      return { nextInMs: Math.max(Math.min(...left.map(due)) - now(), 1000) };
    },

    async reply(to, text) {
      if (!to.private) return post('the reply', text, to.externalId);
      if (!clients.user) throw new ConnectorError(`twitter DMs are off (${config.networks.twitterWrite.why})`, 'rejected');
      try {
        return await sendDm(clients.user, to, text);
      } catch (err) {
        throw await xError(err, 'the DM');
      }
    },

    // Public replies are searched for with the bearer token and the brand's handle (known once
    // users/me answered); DM replies are looked up as the brand.
    ...(clients.read || clients.user
      ? {
          async findReply(to, since) {
            if (to.private) {
              if (!clients.user || !brand.id) throw new ConnectorError('DMs cannot be looked up without the brand account', 'rejected');
              try {
                return await findDmReply(clients.user, brand.id, to, since);
              } catch (err) {
                throw await xError(err, 'the DM lookup');
              }
            }
            if (!clients.read)
              throw new ConnectorError('public replies are looked up with TWITTER_BEARER_TOKEN, which is not set', 'rejected');
            if (!brand.username) throw new ConnectorError('the brand account is not known yet (users/me)', 'rejected');
            try {
              const id = await findReplyOnX(clients.read, brand.username, to, since);
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
