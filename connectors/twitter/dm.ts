import type { TwitterApi, TwitterRateLimit } from 'twitter-api-v2';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { ConnectorError, type ConnectorStore, type Receive, type ReplyTarget, type Sent } from '../../src/connector.js';
import type { Incoming } from '../../src/mention.js';
import { twitterError } from './errors.js';
import type { DmPayload } from './normalize.js';
import { nextPollDelayMs } from './poll.js';
import { revokedError } from './revoked.js';
import { asBrand, type UserContext } from './user-context.js';

/** As for mentions: 10 pages of 100 bring back a long outage's DMs (X keeps 30 days of them). */
const MAX_PAGES = 10;

// twitter-api-v2 does not export its DM types: they are taken from the method.
type DmEventsParams = NonNullable<Parameters<TwitterApi['v2']['listDmEvents']>[0]>;
type DMEventV2 = Awaited<ReturnType<TwitterApi['v2']['listDmEvents']>>['events'][number];

const fields: DmEventsParams = {
  max_results: 100,
  'dm_event.fields': ['id', 'event_type', 'text', 'sender_id', 'dm_conversation_id', 'created_at', 'attachments', 'entities'],
  expansions: ['sender_id', 'attachments.media_keys'],
  'media.fields': ['url', 'preview_image_url', 'type'],
  'user.fields': ['username', 'name', 'public_metrics'],
};

/**
 * Why the brand's DMs are not polled, or undefined when they are. With webhooks on, Account
 * Activity delivers them; polling needs the brand's own token (an app-only bearer token reads no DMs).
 */
export function dmPollingOff(config: Config, has: { user: boolean; brandId?: string }): string | undefined {
  if (config.TWITTER_WEBHOOKS === 'on') return 'DMs arrive by Account Activity (TWITTER_WEBHOOKS=on), not polled';
  if (!has.user)
    return "DMs not polled: they need the brand account's credentials (OAuth 1.0a tokens with Direct Message permission, or OAuth 2.0 with dm.read)";
  if (!has.brandId) return 'DMs not polled until the brand account is known (users/me)';
  return undefined;
}

/** The brand's DM feed's cursor: the newest event seen (GET /2/dm_events has no since_id). */
export const dmCursor = (brandId: string) => `twitter:dms:${brandId}`;

const newer = (a: string, b: string) => BigInt(a) > BigInt(b);

/**
 * One poll of the brand's DMs (GET /2/dm_events, newest first, user context with dm.read),
 * down to the event the cursor names. The brand's own messages (carebot's replies) and
 * non-messages (someone joining) are not mentions. Group conversations are left out: a reply goes
 * one-to-one (POST /2/dm_conversations/with/:id/messages), which would answer outside the group.
 */
export async function pollDms(
  user: UserContext,
  store: ConnectorStore,
  brandId: string,
  receive: Receive,
  intervalMs: number,
): Promise<{ nextInMs: number; received: number }> {
  const cursor = await store.cursor(dmCursor(brandId));
  const items: Incoming[] = [];
  let newest: string | undefined;
  let limit: TwitterRateLimit | undefined;
  try {
    let token: string | undefined;
    pages: for (let page = 0; page < (cursor ? MAX_PAGES : 1); page++) {
      const res = await asBrand(user, (c) => c.v2.listDmEvents({ ...fields, ...(token ? { pagination_token: token } : {}) }));
      limit = res.rateLimit;
      const users = new Map(res.includes.users.map((u) => [u.id, u]));
      const media = res.includes.media;
      for (const event of res.events) {
        if (cursor && !newer(event.id, cursor)) break pages;
        if (!newest || newer(event.id, newest)) newest = event.id;
        const payload = dmPayloadOf(event, brandId, users, media);
        if (payload) items.push({ platform: 'twitter', externalId: event.id, payload });
      }
      token = res.meta.next_token;
      if (!token) break;
    }
  } catch (err) {
    const e = (await revokedError(err, store)) ?? twitterError(err, 'the DM events');
    if (e instanceof ConnectorError && e.kind === 'rate_limited') return { nextInMs: e.retryAfterMs!, received: 0 };
    throw e;
  }
  if (items.length) await receive(items);
  if (newest) await store.saveCursor(dmCursor(brandId), newest);
  return { nextInMs: nextPollDelayMs(limit, intervalMs), received: items.length };
}

type Users = Map<string, { id: string; username: string; name?: string; public_metrics?: { followers_count?: number } }>;

function dmPayloadOf(
  event: DMEventV2,
  brandId: string,
  users: Users,
  media: ReadonlyArray<{ media_key: string; type: string; url?: string; preview_image_url?: string }>,
): DmPayload | undefined {
  if (event.event_type !== 'MessageCreate' || !event.sender_id || event.sender_id === brandId) return undefined;
  if (!event.dm_conversation_id?.includes('-')) return undefined;
  const keys = new Set(event.attachments?.media_keys ?? []);
  const own = media
    .filter((m) => keys.has(m.media_key))
    .map(({ media_key, type, url, preview_image_url }) => ({
      media_key,
      type,
      ...(url ? { url } : {}),
      ...(preview_image_url ? { preview_image_url } : {}),
    }));
  const sender = users.get(event.sender_id);
  return {
    dm: {
      id: event.id,
      text: event.text,
      sender_id: event.sender_id,
      dm_conversation_id: event.dm_conversation_id,
      ...(event.created_at ? { created_at: event.created_at } : {}),
      ...(event.entities?.urls
        ? { entities: { urls: event.entities.urls.map((u) => ({ url: u.url, expanded_url: u.expanded_url })) } }
        : {}),
      ...(event.attachments?.media_keys ? { attachments: { media_keys: event.attachments.media_keys } } : {}),
    },
    ...(sender
      ? {
          sender: {
            id: sender.id,
            username: sender.username,
            ...(sender.name ? { name: sender.name } : {}),
            ...(sender.public_metrics ? { public_metrics: { followers_count: sender.public_metrics.followers_count } } : {}),
          },
        }
      : {}),
    ...(own.length ? { media: own } : {}),
  };
}

const sentSchema = z.object({ dm_conversation_id: z.string().regex(/^[\d-]{1,64}$/), dm_event_id: z.string().regex(/^\d{1,19}$/) });

export const dmUrl = (conversationId: string) => `https://x.com/messages/${conversationId}`;

/** A reply to a DM goes back as a DM to its author, never as a public post. */
export async function sendDm(user: UserContext, to: ReplyTarget, text: string): Promise<Sent> {
  // twitter-api-v2 types the answer as its `data`; X (and the library at run time) hands back `{ data }`.
  const res: unknown = await asBrand(user, (c) => c.v2.sendDmToParticipant(to.author.id, { text }));
  const data = sentSchema.parse((res as { data?: unknown }).data ?? res);
  return { externalId: data.dm_event_id, url: dmUrl(data.dm_conversation_id) };
}

/**
 * Whether a DM reply whose sender died went out. X's DM list carries no link from a reply to the
 * message it answers, and findReply is not told the reply's words: no DM from the brand to this
 * customer since `since` means it did not go out (send it); any DM means it may have, and
 * carebot cannot tell which it is, so it says so and an agent checks rather than the customer
 * getting it twice.
 */
export async function findDmReply(user: UserContext, brandId: string, to: ReplyTarget, since: Date): Promise<null> {
  const res = await asBrand(user, (c) =>
    c.v2.listDmEventsWithParticipant(to.author.id, {
      max_results: 100,
      'dm_event.fields': ['id', 'event_type', 'sender_id', 'created_at'],
    }),
  );
  const from = Math.floor(since.getTime() / 1000) * 1000;
  const brandSince = res.events.filter(
    (e) => e.event_type === 'MessageCreate' && e.sender_id === brandId && e.created_at && Date.parse(e.created_at) >= from,
  );
  if (brandSince.length) {
    throw new ConnectorError(
      `X shows ${brandSince.length} DM(s) from the brand to this customer since the reply was started; which one is this reply cannot be told`,
      'rejected',
    );
  }
  return null;
}
