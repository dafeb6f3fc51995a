// A loopback fake of the X API v2 subset carebot uses: the brand's mention timeline,
// recent search, posting replies and the brand's DMs, with X's field selection, paging, error
// bodies and per-endpoint 15-minute rate-limit windows; and Account Activity deliveries built from
// the real payloads in test/fixtures/twitter.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IClientSettings } from 'twitter-api-v2';
import {
  AwaitableLog,
  FaultQueue,
  HeldAnswers,
  compareIds,
  isRecord,
  matchRoute,
  pathMatches,
  readBody,
  sendJson,
  snowflakeFactory,
  startHttpServer,
  type PathPattern,
} from './http.js';

export type XEndpoint =
  | 'GET /2/users/me'
  | 'GET /2/users/:id/mentions'
  | 'GET /2/tweets/search/recent'
  | 'POST /2/tweets'
  | 'GET /2/dm_events'
  | 'GET /2/dm_conversations/with/:participant_id/dm_events'
  | 'POST /2/dm_conversations/with/:participant_id/messages';

/** Defaults are the per-user 15-minute limits of a paid tier; tests lower them with `setRateLimit`. */
const DEFAULT_LIMITS: Record<XEndpoint, number> = {
  'GET /2/users/me': 75,
  'GET /2/users/:id/mentions': 180,
  'GET /2/tweets/search/recent': 180,
  'POST /2/tweets': 100,
  'GET /2/dm_events': 300,
  'GET /2/dm_conversations/with/:participant_id/dm_events': 300,
  'POST /2/dm_conversations/with/:participant_id/messages': 200,
};
const WINDOW_MS = 15 * 60 * 1000;
const TWITTER_EPOCH_MS = 1288834974657;

/** A tweet as X v2 returns it when every stored field is requested. */
export interface XTweet {
  id: string;
  text: string;
  edit_history_tweet_ids: string[];
  author_id: string;
  created_at: string;
  conversation_id: string;
  lang: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: Array<{ type: 'replied_to' | 'quoted' | 'retweeted'; id: string }>;
  entities?: {
    mentions: Array<{ start: number; end: number; username: string; id?: string }>;
    urls?: Array<{ start: number; end: number; url: string; expanded_url: string; display_url: string; media_key?: string }>;
  };
  /** A long post: `text` is cut at 280, this is whole (only when `tweet.fields` asks for it). */
  note_tweet?: { text: string; entities?: Record<string, unknown> };
  attachments?: { media_keys: string[] };
  public_metrics: {
    retweet_count: number;
    reply_count: number;
    like_count: number;
    quote_count: number;
    bookmark_count: number;
    impression_count: number;
  };
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  created_at: string;
  description: string;
  verified: boolean;
  protected: boolean;
  profile_image_url: string;
  public_metrics: { followers_count: number; following_count: number; tweet_count: number; listed_count: number; like_count: number };
}

/** v2 media (`includes.media`). */
export interface XMedia {
  media_key: string;
  type: 'photo' | 'video' | 'animated_gif';
  url?: string;
  preview_image_url?: string;
  width?: number;
  height?: number;
}

/** A v2 DM event, every field filled (the answer selects with `dm_event.fields`). */
export interface XDmEvent {
  id: string;
  event_type: 'MessageCreate' | 'ParticipantsJoin' | 'ParticipantsLeave';
  text?: string;
  sender_id: string;
  dm_conversation_id: string;
  created_at: string;
  attachments?: { media_keys: string[] };
  participant_ids?: string[];
}

export interface DmInput {
  text: string;
  authorId: string;
  username: string;
  name?: string;
  followers?: number;
  media?: Array<Omit<XMedia, 'media_key'>>;
  createdAt?: Date | string;
}

/** The Account Activity payload files in test/fixtures/twitter (`<name>.account-activity.json`). */
export type ActivityFixture =
  | 'retweet'
  | 'quote'
  | 'extended'
  | 'delete'
  | 'dm'
  | 'dm-from-brand'
  | 'revoke'
  | 'favorite'
  | 'follow'
  | 'reply-to-brand';

export interface MentionInput {
  id?: string;
  /** `@brand` is prepended when the text does not already mention the brand, as every real mention does. */
  text: string;
  authorId: string;
  username: string;
  name?: string;
  followers?: number;
  createdAt?: Date | string;
  conversationId?: string;
  inReplyToTweetId?: string;
  /** A long post: X cuts `text` at 280 (ending in …) and puts the whole in `note_tweet`. */
  long?: boolean;
  media?: Array<Omit<XMedia, 'media_key'>>;
}

export type TwitterFault = { status: 429; resetInSeconds: number } | { status: 500 | 503 };

export interface TwitterRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** Which credential style the caller used; the fake does not verify OAuth 1.0a signatures. */
  auth?: 'bearer' | 'oauth1' | 'oauth2-user' | 'basic';
  status: number;
  at: number;
}

export interface FakeTwitter {
  /** `http://127.0.0.1:PORT` — the value carebot reads from TWITTER_API_URL. */
  url: string;
  brand: XUser;
  addMention(input: MentionInput): XTweet;
  /** A tweet that does not @mention the brand (for keyword search): stored as given. */
  addTweet(input: MentionInput): XTweet;
  /**
   * OAuth 2.0 user tokens (`POST /2/oauth2/token`, grant `refresh_token`), for the client given
   * in `oauth2Client`. Every refresh rotates the refresh token (the old one stops working) and
   * issues an access token (`oauth2-…`) that works as a user-context Bearer until it expires.
   */
  issueRefreshToken(scopes?: string[]): string;
  /** Every issued access token stops working (as after two hours): the next call answers 401. */
  expireAccessTokens(): void;
  /** The user revoked the app: every refresh token stops working. */
  revokeRefreshTokens(): void;
  /** The brand revoked the app's access: every user-context call answers 401 from now on. */
  revokeAccess(): void;
  /** A customer's DM to the brand, in the one-to-one conversation `<lower id>-<higher id>`. */
  addDm(input: DmInput): XDmEvent;
  /** The user accepts no DMs from the brand: sending answers 403. */
  blockDms(userId: string): void;
  /** DMs the brand sent. */
  dmsSent: Array<{ id: string; to: string; text: string; conversationId: string }>;
  /**
   * The v2 tweets, users, media and included tweets of a fixture page (test/fixtures/twitter/*.v2.json),
   * or its DM events (`dm-events.v2.json`), stored as they are: the fake then serves them with its
   * own field selection.
   */
  loadPage(page: unknown): void;
  /**
   * An Account Activity delivery from test/fixtures/twitter, as the raw body X would POST: the
   * fixture's brand id becomes this fake's, and `replace` swaps any other string (an id, a text).
   */
  activity(name: ActivityFixture, replace?: Record<string, string>): string;
  deleteTweet(id: string): void;
  posted: Array<{ id: string; text: string; inReplyTo?: string }>;
  requests: TwitterRequest[];
  waitFor(predicate: (req: TwitterRequest) => boolean, timeoutMs?: number): Promise<TwitterRequest>;
  /** `pathPattern`: a RegExp or a template such as `'/2/users/:id/mentions'` or `'POST /2/tweets'`. */
  failNext(pathPattern: PathPattern, fault: TwitterFault, times?: number): void;
  /**
   * The next matching request is carried out (a tweet is posted) but its answer waits for
   * `release()`; `arrived` resolves when the request is in. An answer to a caller that died meanwhile is dropped.
   * `accepted`: only a request X carries out (not one it refuses, such as a reply to a deleted tweet).
   */
  holdNext(pathPattern: PathPattern, opts?: { accepted?: boolean }): { arrived: Promise<void>; release(): void };
  /** Sets the limit for the current and later windows; requests already made still count. */
  setRateLimit(endpoint: XEndpoint, limit: number): void;
  close(): Promise<void>;
}

/**
 * Client settings that send the real twitter-api-v2 client to the fake. The library has
 * no base-URL option and always calls `https.request`, which accepts `http:` URLs only
 * when handed an `http.Agent`. For tests of the fakes only; carebot has its own copy.
 */
export function twitterClientSettingsFor(url: string): Partial<IClientSettings> {
  const base = url.replace(/\/+$/, '');
  return {
    httpAgent: new http.Agent(),
    plugins: [
      {
        onBeforeRequestConfig({ params }) {
          params.url = params.url.replace(/^https:\/\/api\.(x|twitter)\.com\//, `${base}/`);
        },
      },
    ],
  };
}

// Value lists X validates `tweet.fields`, `user.fields` and `expansions` against.
const TWEET_FIELDS = new Set([
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'media_metadata',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'text',
  'withheld',
]);
const USER_FIELDS = new Set([
  'affiliation',
  'confirmed_email',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'is_identity_verified',
  'location',
  'most_recent_tweet_id',
  'name',
  'parody',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_followers_count',
  'verified_type',
  'withheld',
]);
const TWEET_EXPANSIONS = new Set([
  'article.cover_media',
  'article.media_entities',
  'attachments.media_keys',
  'attachments.media_source_tweet',
  'attachments.poll_ids',
  'author_id',
  'edit_history_tweet_ids',
  'entities.mentions.username',
  'geo.place_id',
  'in_reply_to_user_id',
  'entities.note.mentions.username',
  'referenced_tweets.id',
  'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
]);
const MEDIA_FIELDS = new Set([
  'alt_text',
  'duration_ms',
  'height',
  'media_key',
  'non_public_metrics',
  'organic_metrics',
  'preview_image_url',
  'promoted_metrics',
  'public_metrics',
  'type',
  'url',
  'variants',
  'width',
]);
const DM_EVENT_FIELDS = new Set([
  'attachments',
  'created_at',
  'dm_conversation_id',
  'entities',
  'event_type',
  'id',
  'participant_ids',
  'referenced_tweets',
  'sender_id',
  'text',
]);
const DM_EXPANSIONS = new Set(['attachments.media_keys', 'participant_ids', 'referenced_tweets.id', 'sender_id']);
const FIELD_PARAMS = ['expansions', 'tweet.fields', 'user.fields', 'media.fields', 'place.fields', 'poll.fields'];

interface Problem {
  status: number;
  body: Record<string, unknown>;
}

const problem = (status: number, title: string, detail = title, type = 'about:blank'): Problem => ({
  status,
  body: { title, detail, type, status },
});

const invalidRequest = (errors: Array<{ parameters: Record<string, string[]>; message: string }>): Problem => ({
  status: 400,
  body: {
    errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  },
});

/**
 * X counts text with twitter-text's weights: most Latin/Cyrillic/punctuation code points
 * weigh 1, CJK and other scripts 2, an emoji (whole grapheme) 2 and every URL 23.
 */
export function weightedTweetLength(text: string): number {
  let length = 0;
  const withoutUrls = text.normalize('NFC').replace(/https?:\/\/\S+/g, () => {
    length += 23;
    return '';
  });
  const lightRanges: Array<[number, number]> = [
    [0, 4351],
    [8192, 8205],
    [8208, 8223],
    [8242, 8247],
  ];
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(withoutUrls)) {
    if (/\p{Extended_Pictographic}/u.test(segment)) {
      length += 2;
      continue;
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0) ?? 0;
      length += lightRanges.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
    }
  }
  return length;
}

interface StoredTweet extends XTweet {
  deleted: boolean;
}

export interface FakeTwitterOptions {
  brandUserId?: string;
  brandUsername?: string;
  rateLimits?: Partial<Record<XEndpoint, number>>;
  /** The app's OAuth 2.0 client: confidential when it has a secret (Basic auth), public otherwise. */
  oauth2Client?: { clientId: string; clientSecret?: string; tokenLifetimeSeconds?: number };
  /**
   * The App permissions its OAuth 1.0a tokens were made under: the portal's "Read and write" by
   * default; DM endpoints need "Read and write and Direct message".
   */
  appPermission?: 'read-write' | 'read-write-directmessages';
}

/** Where the Account Activity and v2 payloads collected from X live. */
const FIXTURES = new URL('../test/fixtures/twitter/', import.meta.url);
/** The brand's id in those files. */
const FIXTURE_BRAND_ID = '1500000000000000001';
const DEFAULT_SCOPES = ['tweet.write', 'users.read', 'tweet.read', 'offline.access'];

export async function startFakeTwitter(opts: FakeTwitterOptions = {}): Promise<FakeTwitter> {
  const nextId = snowflakeFactory(TWITTER_EPOCH_MS);
  const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

  const makeUser = (id: string, username: string, name: string, followers = 0): XUser => ({
    id,
    username,
    name,
    created_at: '2015-03-01T10:00:00.000Z',
    description: '',
    verified: false,
    protected: false,
    profile_image_url: `https://pbs.twimg.com/profile_images/${id}/avatar_normal.jpg`,
    public_metrics: { followers_count: followers, following_count: 0, tweet_count: 0, listed_count: 0, like_count: 0 },
  });

  const brandUsername = opts.brandUsername ?? 'carebot_brand';
  const brand = makeUser(opts.brandUserId ?? '1500000000000000001', brandUsername, 'Carebot Brand', 12_000);
  const users = new Map<string, XUser>([[brand.id, brand]]);
  const tweets = new Map<string, StoredTweet>();
  const posted: FakeTwitter['posted'] = [];
  const requests = new AwaitableLog<TwitterRequest>();
  const faults = new FaultQueue<{ method: string; path: string }, TwitterFault>();
  const holds = new HeldAnswers<{ method: string; path: string; status: number }>();
  const pageTokens = new Map<string, string>(); // token → id that the next page must be older than
  const refreshTokens = new Map<string, string[]>(); // token → scopes
  const accessTokens = new Map<string, number>(); // token → expiry (ms)
  const accessScopes = new Map<string, string[]>();
  const issueRefreshToken = (scopes: string[] = DEFAULT_SCOPES) => {
    const token = `rt-${randomBytes(12).toString('hex')}`;
    refreshTokens.set(token, scopes);
    return token;
  };
  let accessRevoked = false;
  const media = new Map<string, XMedia>();
  const dmEvents: XDmEvent[] = [];
  const dmsSent: FakeTwitter['dmsSent'] = [];
  const dmsBlocked = new Set<string>();
  const conversationWith = (a: string, b: string) => (compareIds(a, b) < 0 ? `${a}-${b}` : `${b}-${a}`);
  const addMedia = (list: Array<Omit<XMedia, 'media_key'>> | undefined, ownerId: string): string[] =>
    (list ?? []).map((m, i) => {
      const key = `${m.type === 'photo' ? 3 : m.type === 'video' ? 7 : 16}_${BigInt(ownerId) + BigInt(i + 1)}`;
      media.set(key, { media_key: key, ...m });
      return key;
    });

  const limits: Record<XEndpoint, number> = { ...DEFAULT_LIMITS, ...opts.rateLimits };
  const windows = new Map<XEndpoint, { used: number; resetAt: number }>();
  const windowFor = (endpoint: XEndpoint, now: number) => {
    let w = windows.get(endpoint);
    if (!w || now >= w.resetAt) {
      w = { used: 0, resetAt: now + WINDOW_MS };
      windows.set(endpoint, w);
    }
    return w;
  };
  const rateHeaders = (limit: number, remaining: number, resetAt: number): Record<string, string> => ({
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(Math.max(0, remaining)),
    'x-rate-limit-reset': String(Math.ceil(resetAt / 1000)),
  });

  const mentionEntities = (text: string): NonNullable<XTweet['entities']>['mentions'] => {
    const found: NonNullable<XTweet['entities']>['mentions'] = [];
    for (const m of text.matchAll(/(^|[^\w@])@(\w{1,15})/g)) {
      // X reports offsets in code points, not UTF-16 units.
      const start = [...text.slice(0, (m.index ?? 0) + (m[1]?.length ?? 0))].length;
      const username = m[2] as string;
      const user = [...users.values()].find((u) => u.username.toLowerCase() === username.toLowerCase());
      found.push({ start, end: start + 1 + username.length, username, ...(user ? { id: user.id } : {}) });
    }
    return found;
  };

  const storeTweet = (t: Omit<StoredTweet, 'entities' | 'deleted' | 'edit_history_tweet_ids' | 'public_metrics' | 'lang'>): StoredTweet => {
    const mentions = mentionEntities(t.text);
    const stored: StoredTweet = {
      ...t,
      edit_history_tweet_ids: [t.id],
      lang: 'en',
      public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, bookmark_count: 0, impression_count: 0 },
      ...(mentions.length ? { entities: { mentions } } : {}),
      deleted: false,
    };
    tweets.set(stored.id, stored);
    const author = users.get(stored.author_id);
    if (author) author.public_metrics.tweet_count += 1;
    return stored;
  };

  const publicTweet = (t: StoredTweet): XTweet => {
    const { deleted: _deleted, ...rest } = t;
    return structuredClone(rest);
  };

  const addTweet = (input: MentionInput): XTweet => {
    const existing = users.get(input.authorId);
    const author = existing ?? makeUser(input.authorId, input.username, input.name ?? input.username, input.followers);
    author.username = input.username;
    if (input.name !== undefined) author.name = input.name;
    if (input.followers !== undefined) author.public_metrics.followers_count = input.followers;
    users.set(author.id, author);

    const createdMs = input.createdAt === undefined ? undefined : new Date(input.createdAt).getTime();
    const id = input.id ?? nextId(createdMs);
    const text = input.text;
    const parent = input.inReplyToTweetId ? tweets.get(input.inReplyToTweetId) : undefined;
    const stored = storeTweet({
      id,
      text,
      author_id: author.id,
      created_at: isoSeconds(createdMs ?? Date.now()),
      conversation_id: input.conversationId ?? parent?.conversation_id ?? input.inReplyToTweetId ?? id,
      ...(input.inReplyToTweetId
        ? {
            referenced_tweets: [{ type: 'replied_to' as const, id: input.inReplyToTweetId }],
            in_reply_to_user_id: parent?.author_id ?? brand.id,
          }
        : {}),
    });
    const keys = addMedia(input.media, id);
    // X puts the media's own t.co link at the end of the text, marked with its media_key.
    const link = keys.length
      ? {
          url: `https://t.co/${randomBytes(5).toString('hex')}`,
          expanded_url: `https://x.com/${author.username}/status/${id}/${input.media![0]!.type === 'photo' ? 'photo' : 'video'}/1`,
          display_url: `pic.x.com/${id.slice(-6)}`,
          media_key: keys[0]!,
        }
      : undefined;
    const whole = link ? `${text} ${link.url}` : text;
    const points = [...whole];
    const urls = link ? [{ start: points.length - link.url.length, end: points.length, ...link }] : [];
    if (keys.length) stored.attachments = { media_keys: keys };
    if (input.long && points.length > 280) {
      stored.text = `${points.slice(0, 279).join('')}…`;
      stored.note_tweet = { text: whole, entities: { ...(stored.entities ? { mentions: stored.entities.mentions } : {}), urls } };
    } else if (link) {
      stored.text = whole;
      stored.entities = { mentions: stored.entities?.mentions ?? [], urls };
    }
    return publicTweet(stored);
  };

  const loadPage = (page: unknown) => {
    const p = page as { data?: Partial<XTweet>[]; includes?: { users?: XUser[]; media?: XMedia[]; tweets?: Partial<XTweet>[] } };
    for (const u of p.includes?.users ?? []) {
      if (!users.has(u.id)) users.set(u.id, { ...makeUser(u.id, u.username, u.name), ...u });
    }
    for (const m of p.includes?.media ?? []) media.set(m.media_key, m);
    // A GET /2/dm_events page: its events join the brand's DMs.
    for (const e of (p.data ?? []) as unknown[])
      if (isRecord(e) && 'event_type' in e) dmEvents.push(structuredClone(e) as unknown as XDmEvent);
    if (p.data?.some((e) => 'event_type' in e)) return;
    for (const t of [...(p.includes?.tweets ?? []), ...(p.data ?? [])]) {
      if (!t.id) continue;
      tweets.set(t.id, {
        lang: 'en',
        conversation_id: t.id,
        public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, bookmark_count: 0, impression_count: 0 },
        ...(structuredClone(t) as Partial<XTweet> & Pick<XTweet, 'id' | 'text' | 'author_id' | 'created_at' | 'edit_history_tweet_ids'>),
        // Stored as the customer wrote it, served encoded again (renderTweet) exactly as the page had it.
        text: xDecoded(t.text ?? ''),
        ...(t.note_tweet ? { note_tweet: { ...t.note_tweet, text: xDecoded(t.note_tweet.text) } } : {}),
        deleted: false,
      });
    }
  };

  const addDm = (input: DmInput): XDmEvent => {
    const author = users.get(input.authorId) ?? makeUser(input.authorId, input.username, input.name ?? input.username, input.followers);
    users.set(author.id, author);
    const createdMs = input.createdAt === undefined ? undefined : new Date(input.createdAt).getTime();
    const id = nextId(createdMs);
    const keys = addMedia(input.media, id);
    const event: XDmEvent = {
      id,
      event_type: 'MessageCreate',
      text: input.text,
      sender_id: author.id,
      dm_conversation_id: conversationWith(author.id, brand.id),
      created_at: new Date(createdMs ?? Date.now()).toISOString(),
      ...(keys.length ? { attachments: { media_keys: keys } } : {}),
    };
    dmEvents.push(event);
    return structuredClone(event);
  };

  const activity = (name: ActivityFixture, replace: Record<string, string> = {}) => {
    let body = readFileSync(new URL(`${name}.account-activity.json`, FIXTURES), 'utf8').replaceAll(FIXTURE_BRAND_ID, brand.id);
    for (const [from, to] of Object.entries(replace)) body = body.replaceAll(from, to);
    return body;
  };

  const addMention = (input: MentionInput): XTweet => {
    const mentionsBrand = new RegExp(`(^|[^\\w@])@${brand.username}\\b`, 'i').test(input.text);
    return addTweet({ ...input, text: mentionsBrand ? input.text : `@${brand.username} ${input.text}` });
  };

  /** `POST /2/oauth2/token` with grant_type=refresh_token, as X answers it. */
  const oauth2Token = (authHeader: string, body: Record<string, string>): Result => {
    const client = opts.oauth2Client;
    const oauthError = (status: number, error: string, description: string): Result => ({
      status,
      body: { error, error_description: description },
    });
    if (!client) return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    if (authHeader.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authHeader.slice(6), 'base64').toString().split(':');
      if (id !== client.clientId || secret !== client.clientSecret)
        return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    } else if (client.clientSecret !== undefined || body.client_id !== client.clientId) {
      return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }
    if (body.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'Grant type is not supported');
    const scopes = refreshTokens.get(body.refresh_token ?? '');
    if (!scopes || !refreshTokens.delete(body.refresh_token ?? ''))
      return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
    const lifetime = client.tokenLifetimeSeconds ?? 7200;
    const accessToken = `oauth2-${randomBytes(16).toString('hex')}`;
    accessTokens.set(accessToken, Date.now() + lifetime * 1000);
    accessScopes.set(accessToken, scopes);
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        expires_in: lifetime,
        access_token: accessToken,
        scope: scopes.join(' '),
        refresh_token: issueRefreshToken(scopes),
      },
    };
  };

  // ---- request handling -------------------------------------------------

  interface Ctx {
    query: URLSearchParams;
    params: Record<string, string>;
    body: unknown;
    auth?: TwitterRequest['auth'];
    /** The Bearer token, app-only or user. */
    token?: string;
  }
  type Result = { status: number; body: unknown };

  const checkQuery = (query: URLSearchParams, allowed: string[]): Problem | undefined => {
    const errors: Array<{ parameters: Record<string, string[]>; message: string }> = [];
    for (const key of new Set(query.keys())) {
      if (!allowed.includes(key)) {
        errors.push({
          parameters: { [key]: query.getAll(key) },
          message: `The query parameter [${key}] is not one of [${allowed.join(',')}]`,
        });
      }
    }
    const checkList = (param: string, valid: Set<string>) => {
      for (const value of (query.get(param) ?? '').split(',').filter(Boolean)) {
        if (!valid.has(value)) {
          errors.push({
            parameters: { [param]: [value] },
            message: `The \`${param}\` query parameter value [${value}] is not one of [${[...valid].join(',')}]`,
          });
        }
      }
    };
    checkList('tweet.fields', TWEET_FIELDS);
    checkList('user.fields', USER_FIELDS);
    checkList('media.fields', MEDIA_FIELDS);
    checkList('dm_event.fields', DM_EVENT_FIELDS);
    for (const idParam of ['since_id', 'until_id']) {
      const v = query.get(idParam);
      if (v !== null && !/^[0-9]{1,19}$/.test(v)) {
        errors.push({
          parameters: { [idParam]: [v] },
          message: `The \`${idParam}\` query parameter value [${v}] does not match ^[0-9]{1,19}$`,
        });
      }
    }
    return errors.length ? invalidRequest(errors) : undefined;
  };

  const maxResults = (query: URLSearchParams, min: number, max: number): number | Problem => {
    const raw = query.get('max_results');
    if (raw === null) return 10;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      return invalidRequest([
        {
          parameters: { max_results: [raw] },
          message: `The \`max_results\` query parameter value [${raw}] is not between ${min} and ${max}`,
        },
      ]);
    }
    return n;
  };

  const renderUser = (u: XUser, fields: Set<string>): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: u.id, name: u.name, username: u.username };
    for (const f of fields) if (f in u) out[f] = structuredClone(u[f as keyof XUser]);
    return out;
  };

  const renderTweet = (t: StoredTweet, fields: Set<string>, expansions: Set<string>): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: t.id, text: xEncoded(t.text), edit_history_tweet_ids: [...t.edit_history_tweet_ids] };
    // X adds the field an expansion is built from even when it was not asked for.
    const wanted = new Set(fields);
    if (expansions.has('author_id')) wanted.add('author_id');
    if (expansions.has('in_reply_to_user_id')) wanted.add('in_reply_to_user_id');
    if (expansions.has('referenced_tweets.id')) wanted.add('referenced_tweets');
    if (expansions.has('entities.mentions.username')) wanted.add('entities');
    if (expansions.has('attachments.media_keys')) wanted.add('attachments');
    for (const f of wanted) {
      const value = t[f as keyof StoredTweet];
      if (value !== undefined) out[f] = structuredClone(value);
    }
    if (t.note_tweet && out.note_tweet) out.note_tweet = { ...t.note_tweet, text: xEncoded(t.note_tweet.text) };
    return out;
  };

  const renderMedia = (keys: string[], fields: Set<string>): Record<string, unknown>[] =>
    [...new Set(keys)].flatMap((key) => {
      const m = media.get(key);
      if (!m) return [];
      const out: Record<string, unknown> = { media_key: m.media_key, type: m.type };
      for (const f of fields) if (m[f as keyof XMedia] !== undefined) out[f] = m[f as keyof XMedia];
      return [out];
    });

  /** `{ data, includes, meta }` for DM events, newest first, X style (no since_id: paging only). */
  const dmList = (events: XDmEvent[], ctx: Ctx): Result | Problem => {
    const { query } = ctx;
    const allowed = ['dm_event.fields', 'event_types', 'expansions', 'max_results', 'pagination_token', ...FIELD_PARAMS];
    const bad = checkQuery(query, allowed);
    if (bad) return bad;
    const expansions = new Set((query.get('expansions') ?? '').split(',').filter(Boolean));
    for (const e of expansions) {
      if (!DM_EXPANSIONS.has(e))
        return invalidRequest([
          {
            parameters: { expansions: [e] },
            message: `The \`expansions\` query parameter value [${e}] is not one of [${[...DM_EXPANSIONS].join(',')}]`,
          },
        ]);
    }
    const size = maxResults(query, 1, 100);
    if (typeof size !== 'number') return size;
    let olderThan: string | undefined;
    const token = query.get('pagination_token');
    if (token !== null) {
      olderThan = pageTokens.get(token);
      if (!olderThan)
        return invalidRequest([
          { parameters: { pagination_token: [token] }, message: `The \`pagination_token\` query parameter value [${token}] is not valid` },
        ]);
    }
    const types = (query.get('event_types') ?? '').split(',').filter(Boolean);
    const matching = events
      .filter((e) => !types.length || types.includes(e.event_type))
      .filter((e) => olderThan === undefined || compareIds(e.id, olderThan) < 0)
      .sort((a, b) => compareIds(b.id, a.id));
    const page = matching.slice(0, size);
    if (!page.length) return { status: 200, body: { meta: { result_count: 0 } } };
    const fields = new Set((query.get('dm_event.fields') ?? '').split(',').filter(Boolean));
    if (expansions.has('sender_id')) fields.add('sender_id');
    if (expansions.has('attachments.media_keys')) fields.add('attachments');
    if (expansions.has('participant_ids')) fields.add('participant_ids');
    const data = page.map((e) => {
      const out: Record<string, unknown> = { id: e.id, event_type: e.event_type, ...(e.text !== undefined ? { text: e.text } : {}) };
      for (const f of fields) if (e[f as keyof XDmEvent] !== undefined) out[f] = structuredClone(e[f as keyof XDmEvent]);
      return out;
    });
    const includes: Record<string, unknown[]> = {};
    if (expansions.has('sender_id') || expansions.has('participant_ids')) {
      const ids = new Set(
        page.flatMap((e) => [
          ...(expansions.has('sender_id') ? [e.sender_id] : []),
          ...(expansions.has('participant_ids') ? (e.participant_ids ?? []) : []),
        ]),
      );
      const userFields = new Set((query.get('user.fields') ?? '').split(',').filter(Boolean));
      const found = [...ids].flatMap((id) => (users.has(id) ? [renderUser(users.get(id)!, userFields)] : []));
      if (found.length) includes.users = found;
    }
    if (expansions.has('attachments.media_keys')) {
      const found = renderMedia(
        page.flatMap((e) => e.attachments?.media_keys ?? []),
        new Set((query.get('media.fields') ?? '').split(',').filter(Boolean)),
      );
      if (found.length) includes.media = found;
    }
    const meta: Record<string, unknown> = { result_count: page.length };
    if (matching.length > page.length) {
      const next = randomBytes(12).toString('hex').toUpperCase();
      pageTokens.set(next, page[page.length - 1]!.id);
      meta.next_token = next;
    }
    return { status: 200, body: { data, ...(Object.keys(includes).length ? { includes } : {}), meta } };
  };

  /** DM endpoints take the brand's own token, with the DM permission or scope. */
  const dmForbidden = (ctx: Ctx, scope: 'dm.read' | 'dm.write'): Problem | undefined => {
    if (ctx.auth === 'bearer')
      return {
        status: 403,
        body: {
          title: 'Unsupported Authentication',
          detail:
            'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
          type: 'https://api.twitter.com/2/problems/unsupported-authentication',
          status: 403,
        },
      };
    if (ctx.auth === 'oauth1' && opts.appPermission !== 'read-write-directmessages')
      return problem(
        403,
        'Forbidden',
        'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
        'https://api.twitter.com/2/problems/oauth1-permissions',
      );
    if (ctx.auth === 'oauth2-user' && !(accessScopes.get(ctx.token ?? '') ?? []).includes(scope)) return problem(403, 'Forbidden');
    return undefined;
  };

  /** Builds `{ data, includes, meta }` for a newest-first timeline, X style. */
  const timeline = (candidates: StoredTweet[], ctx: Ctx, pageSize: number, tokenParams: string[]): Result | Problem => {
    const { query } = ctx;
    const expansions = new Set((query.get('expansions') ?? '').split(',').filter(Boolean));
    for (const e of expansions) {
      if (!TWEET_EXPANSIONS.has(e)) {
        return invalidRequest([
          {
            parameters: { expansions: [e] },
            message: `The \`expansions\` query parameter value [${e}] is not one of [${[...TWEET_EXPANSIONS].join(',')}]`,
          },
        ]);
      }
    }
    const tweetFields = new Set((query.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const userFields = new Set((query.get('user.fields') ?? '').split(',').filter(Boolean));

    let olderThan = query.get('until_id');
    for (const param of tokenParams) {
      const token = query.get(param);
      if (token === null) continue;
      const boundary = pageTokens.get(token);
      if (!boundary) {
        return invalidRequest([
          { parameters: { [param]: [token] }, message: `The \`${param}\` query parameter value [${token}] is not valid` },
        ]);
      }
      olderThan = boundary;
    }
    const sinceId = query.get('since_id');
    const startTime = query.get('start_time');
    const endTime = query.get('end_time');
    const matching = candidates
      .filter((t) => !t.deleted)
      .filter((t) => sinceId === null || compareIds(t.id, sinceId) > 0)
      .filter((t) => startTime === null || Date.parse(t.created_at) >= Date.parse(startTime))
      .filter((t) => endTime === null || Date.parse(t.created_at) < Date.parse(endTime))
      .filter((t) => olderThan === null || compareIds(t.id, olderThan) < 0)
      .sort((a, b) => compareIds(b.id, a.id));
    const page = matching.slice(0, pageSize);
    if (page.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };

    const meta: Record<string, unknown> = {
      result_count: page.length,
      newest_id: page[0]!.id,
      oldest_id: page[page.length - 1]!.id,
    };
    if (matching.length > page.length) {
      const token = randomBytes(16).toString('hex');
      pageTokens.set(token, page[page.length - 1]!.id);
      meta.next_token = token;
    }

    const includes: Record<string, unknown[]> = {};
    const includedUsers = new Map<string, XUser>();
    const includedTweets = new Map<string, StoredTweet>();
    for (const t of page) {
      if (expansions.has('author_id')) {
        const u = users.get(t.author_id);
        if (u) includedUsers.set(u.id, u);
      }
      if (expansions.has('in_reply_to_user_id') && t.in_reply_to_user_id) {
        const u = users.get(t.in_reply_to_user_id);
        if (u) includedUsers.set(u.id, u);
      }
      if (expansions.has('entities.mentions.username')) {
        for (const m of t.entities?.mentions ?? []) {
          const u = m.id ? users.get(m.id) : undefined;
          if (u) includedUsers.set(u.id, u);
        }
      }
      if (expansions.has('referenced_tweets.id')) {
        for (const ref of t.referenced_tweets ?? []) {
          const rt = tweets.get(ref.id);
          if (rt && !rt.deleted) includedTweets.set(rt.id, rt);
        }
      }
    }
    if (expansions.has('referenced_tweets.id.author_id')) {
      for (const rt of includedTweets.values()) {
        const u = users.get(rt.author_id);
        if (u) includedUsers.set(u.id, u);
      }
    }
    if (expansions.has('attachments.media_keys')) {
      const keys = page.flatMap((t) => t.attachments?.media_keys ?? []);
      const found = renderMedia(keys, new Set((query.get('media.fields') ?? '').split(',').filter(Boolean)));
      if (found.length) includes.media = found;
    }
    if (includedUsers.size) includes.users = [...includedUsers.values()].map((u) => renderUser(u, userFields));
    if (includedTweets.size) {
      includes.tweets = [...includedTweets.values()].map((t) => renderTweet(t, tweetFields, new Set()));
    }

    return {
      status: 200,
      body: {
        data: page.map((t) => renderTweet(t, tweetFields, expansions)),
        ...(Object.keys(includes).length ? { includes } : {}),
        meta,
      },
    };
  };

  const routes: Array<{ endpoint: XEndpoint; handle: (ctx: Ctx) => Result | Problem }> = [
    {
      endpoint: 'GET /2/users/me',
      handle: ({ query }) => {
        const bad = checkQuery(query, ['expansions', 'tweet.fields', 'user.fields']);
        if (bad) return bad;
        const fields = new Set((query.get('user.fields') ?? '').split(',').filter(Boolean));
        return { status: 200, body: { data: renderUser(brand, fields) } };
      },
    },
    {
      endpoint: 'GET /2/users/:id/mentions',
      handle: (ctx) => {
        const allowed = ['since_id', 'until_id', 'max_results', 'pagination_token', 'start_time', 'end_time', ...FIELD_PARAMS];
        const bad = checkQuery(ctx.query, allowed);
        if (bad) return bad;
        const size = maxResults(ctx.query, 5, 100);
        if (typeof size !== 'number') return size;
        const userId = ctx.params.id ?? '';
        if (!/^[0-9]{1,19}$/.test(userId)) {
          return invalidRequest([
            { parameters: { id: [userId] }, message: `The \`id\` query parameter value [${userId}] does not match ^[0-9]{1,19}$` },
          ]);
        }
        const mentioning = [...tweets.values()].filter((t) => t.entities?.mentions.some((m) => m.id === userId));
        return timeline(mentioning, ctx, size, ['pagination_token']);
      },
    },
    {
      endpoint: 'GET /2/tweets/search/recent',
      handle: (ctx) => {
        const allowed = [
          'query',
          'start_time',
          'end_time',
          'since_id',
          'until_id',
          'max_results',
          'next_token',
          'pagination_token',
          'sort_order',
          ...FIELD_PARAMS,
        ];
        const bad = checkQuery(ctx.query, allowed);
        if (bad) return bad;
        const q = ctx.query.get('query') ?? '';
        if (q.length < 1 || q.length > 512) {
          return invalidRequest([
            { parameters: { query: [q] }, message: 'The `query` query parameter value must be between 1 and 512 characters' },
          ]);
        }
        const size = maxResults(ctx.query, 10, 100);
        if (typeof size !== 'number') return size;
        return timeline([...tweets.values()].filter(searchMatcher(q, users)), ctx, size, ['next_token', 'pagination_token']);
      },
    },
    {
      endpoint: 'POST /2/tweets',
      handle: ({ body }) => {
        if (!isRecord(body)) {
          return invalidRequest([{ parameters: {}, message: 'Request body must be a JSON object' }]);
        }
        const text = body.text;
        if (typeof text !== 'string' || text.length === 0) {
          return invalidRequest([{ parameters: { text: [String(text)] }, message: 'Tweet text is required when no media is attached' }]);
        }
        const weighted = weightedTweetLength(text);
        if (weighted > 280) {
          return invalidRequest([
            { parameters: { text: [text] }, message: `Tweet text is too long: weighted length ${weighted} exceeds 280` },
          ]);
        }
        let inReplyTo: string | undefined;
        if (body.reply !== undefined) {
          const reply = body.reply;
          const target = isRecord(reply) ? reply.in_reply_to_tweet_id : undefined;
          if (typeof target !== 'string' || !/^[0-9]{1,19}$/.test(target)) {
            return invalidRequest([
              {
                parameters: { 'reply.in_reply_to_tweet_id': [String(target)] },
                message: '$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$',
              },
            ]);
          }
          const parent = tweets.get(target);
          if (!parent || parent.deleted) {
            return problem(403, 'Forbidden', 'You attempted to reply to a Tweet that is deleted or not visible to you.');
          }
          inReplyTo = target;
        }
        const parent = inReplyTo ? tweets.get(inReplyTo) : undefined;
        const id = nextId();
        storeTweet({
          id,
          text,
          author_id: brand.id,
          created_at: isoSeconds(Date.now()),
          conversation_id: parent?.conversation_id ?? id,
          ...(parent ? { referenced_tweets: [{ type: 'replied_to' as const, id: parent.id }], in_reply_to_user_id: parent.author_id } : {}),
        });
        if (parent) parent.public_metrics.reply_count += 1;
        posted.push(inReplyTo ? { id, text, inReplyTo } : { id, text });
        return { status: 201, body: { data: { id, text, edit_history_tweet_ids: [id] } } };
      },
    },
  ];

  routes.push(
    {
      endpoint: 'GET /2/dm_events',
      handle: (ctx) => dmForbidden(ctx, 'dm.read') ?? dmList(dmEvents, ctx),
    },
    {
      endpoint: 'GET /2/dm_conversations/with/:participant_id/dm_events',
      handle: (ctx) => {
        const other = ctx.params.participant_id ?? '';
        return (
          dmForbidden(ctx, 'dm.read') ??
          dmList(
            dmEvents.filter((e) => e.dm_conversation_id === conversationWith(brand.id, other)),
            ctx,
          )
        );
      },
    },
    {
      endpoint: 'POST /2/dm_conversations/with/:participant_id/messages',
      handle: (ctx) => {
        const denied = dmForbidden(ctx, 'dm.write');
        if (denied) return denied;
        const to = ctx.params.participant_id ?? '';
        const text = isRecord(ctx.body) ? ctx.body.text : undefined;
        if (!/^[0-9]{1,19}$/.test(to))
          return invalidRequest([
            {
              parameters: { participant_id: [to] },
              message: `The \`participant_id\` query parameter value [${to}] does not match ^[0-9]{1,19}$`,
            },
          ]);
        if (typeof text !== 'string' || text.length === 0 || text.length > 10_000)
          return invalidRequest([{ parameters: { text: [String(text)] }, message: 'text must be between 1 and 10000 characters' }]);
        if (dmsBlocked.has(to)) return problem(403, 'Forbidden', 'You cannot send messages to this user.');
        const id = nextId();
        const conversation = conversationWith(brand.id, to);
        dmEvents.push({
          id,
          event_type: 'MessageCreate',
          text,
          sender_id: brand.id,
          dm_conversation_id: conversation,
          created_at: new Date().toISOString(),
        });
        dmsSent.push({ id, to, text, conversationId: conversation });
        return { status: 201, body: { data: { dm_conversation_id: conversation, dm_event_id: id } } };
      },
    },
  );

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const raw = await readBody(req);
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const authHeader = req.headers.authorization ?? '';
    const bearer = authHeader.startsWith('Bearer ') ? authHeader.slice(7) : undefined;
    const auth = bearer?.startsWith('oauth2-')
      ? 'oauth2-user'
      : bearer !== undefined
        ? 'bearer'
        : authHeader.startsWith('OAuth ')
          ? 'oauth1'
          : authHeader.startsWith('Basic ')
            ? 'basic'
            : undefined;

    let body: unknown;
    let badJson = false;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
        body = raw;
      }
    }

    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method, path, query, ...(raw ? { body } : {}), ...(auth ? { auth } : {}), status, at: Date.now() });
      sendJson(res, status, payload, headers);
    };

    if (method === 'POST' && path === '/2/oauth2/token') {
      // twitter-api-v2 sends this body as JSON; the OAuth spec (and X) take a form: accept both.
      const form = isRecord(body)
        ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]))
        : Object.fromEntries(new URLSearchParams(raw));
      const result = oauth2Token(authHeader, form);
      reply(result.status, result.body);
      return;
    }

    let route: (typeof routes)[number] | undefined;
    let params: Record<string, string> = {};
    for (const r of routes) {
      const [rMethod, template] = r.endpoint.split(' ') as [string, string];
      const m = rMethod === method ? matchRoute(template, path) : null;
      if (m) {
        route = r;
        params = m;
        break;
      }
    }
    if (!route) {
      reply(404, problem(404, 'Not Found').body);
      return;
    }
    const expiredUserToken = auth === 'oauth2-user' && !((accessTokens.get(bearer!) ?? 0) > Date.now());
    const revokedUser = accessRevoked && (auth === 'oauth1' || auth === 'oauth2-user');
    if (!auth || auth === 'basic' || expiredUserToken || revokedUser) {
      reply(401, problem(401, 'Unauthorized').body);
      return;
    }

    const now = Date.now();
    const limit = limits[route.endpoint];
    const window = windowFor(route.endpoint, now);

    const fault = faults.take({ method, path });
    if (fault) {
      if (fault.status === 429) {
        reply(429, problem(429, 'Too Many Requests').body, rateHeaders(limit, 0, now + fault.resetInSeconds * 1000));
      } else {
        const title = fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error';
        reply(fault.status, problem(fault.status, title).body);
      }
      return;
    }

    if (window.used >= limit) {
      reply(429, problem(429, 'Too Many Requests').body, rateHeaders(limit, 0, window.resetAt));
      return;
    }
    window.used += 1;
    const headers = rateHeaders(limit, limit - window.used, window.resetAt);

    if (badJson) {
      reply(400, invalidRequest([{ parameters: {}, message: 'Request body is not valid JSON' }]).body, headers);
      return;
    }
    const result = route.handle({ query: url.searchParams, params, body, auth, token: bearer });
    await holds.wait({ method, path, status: result.status });
    reply(result.status, result.body, headers);
  };

  const server = await startHttpServer(handle);

  return {
    url: `http://127.0.0.1:${server.port}`,
    brand,
    addMention,
    addTweet,
    issueRefreshToken,
    expireAccessTokens: () => {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    revokeRefreshTokens: () => refreshTokens.clear(),
    revokeAccess: () => {
      accessRevoked = true;
      refreshTokens.clear();
    },
    addDm,
    blockDms: (userId) => void dmsBlocked.add(userId),
    dmsSent,
    loadPage,
    activity,
    deleteTweet: (id) => {
      const t = tweets.get(id);
      if (!t) throw new Error(`fake twitter: no tweet ${id}`);
      t.deleted = true;
    },
    posted,
    requests: requests.items,
    waitFor: (predicate, timeoutMs = 2000) =>
      requests.waitFor(predicate, timeoutMs, (items) => items.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ') || 'no requests'),
    failNext: (pattern, fault, times = 1) => faults.add(({ method, path }) => pathMatches(pattern, method, path), fault, times),
    holdNext: (pattern, opts = {}) =>
      holds.add(({ method, path, status }) => pathMatches(pattern, method, path) && (!opts.accepted || status < 300)),
    setRateLimit: (endpoint, limit) => {
      limits[endpoint] = limit;
    },
    close: () => server.close(),
  };
}

/**
 * A small subset of X's query language: space-separated terms are ANDed and matched
 * case-insensitively as substrings (`"quoted phrases"` too); `OR` between terms and
 * `( … )` groups work; `-term` excludes; `from:user` and `to:user` filter on the author or
 * the replied-to user; `is:reply` / `-is:reply` and `-is:retweet` work.
 */
function searchMatcher(query: string, users: Map<string, XUser>): (t: StoredTweet) => boolean {
  const tokens = query.match(/-?"[^"]*"|[()]|[^\s()]+/g) ?? [];
  let pos = 0;
  type Test = (t: StoredTweet) => boolean;
  const atom = (raw: string): Test => {
    const term = raw.replace(/^"|"$/g, '').toLowerCase();
    if (term.startsWith('from:')) return (t) => users.get(t.author_id)?.username.toLowerCase() === term.slice(5);
    if (term.startsWith('to:'))
      return (t) => !!t.in_reply_to_user_id && users.get(t.in_reply_to_user_id)?.username.toLowerCase() === term.slice(3);
    if (term === 'is:reply') return (t) => t.referenced_tweets?.some((r) => r.type === 'replied_to') ?? false;
    if (term === 'is:retweet') return (t) => t.referenced_tweets?.some((r) => r.type === 'retweeted') ?? false;
    return (t) => t.text.toLowerCase().includes(term);
  };
  const term = (): Test => {
    const token = tokens[pos++]!;
    const negate = token.startsWith('-') && token.length > 1;
    let test: Test;
    if ((negate ? token.slice(1) : token) === '(') {
      test = sequence();
      pos++; // ')'
    } else {
      test = atom(negate ? token.slice(1) : token);
    }
    return negate ? (t) => !test(t) : test;
  };
  const alternatives = (): Test => {
    const options = [term()];
    while (tokens[pos] === 'OR') {
      pos++;
      options.push(term());
    }
    return (t) => options.some((o) => o(t));
  };
  const sequence = (): Test => {
    const all: Test[] = [];
    while (pos < tokens.length && tokens[pos] !== ')') all.push(alternatives());
    return (t) => all.every((a) => a(t));
  };
  return sequence();
}

/**
 * How X serves a post's text: `&`, `<` and `>` HTML-encoded (seen in real v2 recordings, "NYC &lt;
 * London"; test/fixtures/twitter/README.md). A customer who typed `&lt;` is served `&amp;lt;`.
 */
export const xEncoded = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xDecoded = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
