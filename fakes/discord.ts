// A loopback fake of Discord: the REST subset carebot uses (API v10) and a gateway
// WebSocket that logs a bot into one guild and dispatches MESSAGE_CREATE events.
// Point discord.js at it with `new Client({ ..., rest: { api: fake.apiUrl } })`; the
// gateway URL is discovered through GET /gateway/bot like in production.
import type http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
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

const DISCORD_EPOCH_MS = 1420070400000;
/** Message flag HAS_SNAPSHOT (1 << 14): the message is a forward. */
const HAS_SNAPSHOT = 1 << 14;
/** The fields a gateway message carries beyond the REST message object. */
const GATEWAY_ONLY = new Set(['guild_id', 'member', 'channel_type']);
const HEARTBEAT_INTERVAL_MS = 41250;

export const ChannelTypes = { GuildText: 0, DM: 1, GuildAnnouncement: 5, PublicThread: 11 } as const;

// Gateway intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents).
const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;
const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;
const ALL_INTENTS = (1 << 26) - 1;

// Permission bits; role permissions travel as decimal strings.
const P = {
  CreateInstantInvite: 1n << 0n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
};
const EVERYONE_PERMISSIONS =
  P.CreateInstantInvite |
  P.AddReactions |
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.UseExternalEmojis |
  P.CreatePublicThreads |
  P.SendMessagesInThreads;
const BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | P.ManageMessages;

export interface DiscordChannelSeed {
  id?: string;
  name: string;
  type?: typeof ChannelTypes.GuildText | typeof ChannelTypes.GuildAnnouncement;
}

export interface FakeDiscordOptions {
  botUserId?: string;
  guildId?: string;
  /** Defaults to `general` (text), `announcements` (announcement, type 5) and `support` (text). */
  channels?: DiscordChannelSeed[];
  /** When set, REST and IDENTIFY must present exactly this token. */
  token?: string;
  /**
   * Whether the privileged intents are switched on in the (imaginary) developer portal.
   * When false, an IDENTIFY asking for them is closed with 4014 as Discord does.
   */
  privilegedIntentsEnabled?: boolean;
  /**
   * Per-bucket limit reported in x-ratelimit-* headers and enforced with 429s. Discord's own
   * per-channel message limit is 5 per 5 s; the default is looser so tests never stall on it.
   */
  rateLimit?: { limit: number; windowMs: number };
}

export interface DispatchMessageInput {
  channelId: string;
  content: string;
  authorId: string;
  username: string;
  id?: string;
  /** Puts the bot in `mentions` and prefixes `<@bot>` to the content if it is not there yet. */
  mentionsBot?: boolean;
  /** A direct message: `channel_type: 1`, no guild_id, no member. */
  dm?: boolean;
  /** `guild: false` is the same as `dm: true`. */
  guild?: boolean;
  /** Id of the message this one replies to (same channel). */
  messageReference?: string;
  /** Makes `channelId` a public thread under this channel (THREAD_CREATE is sent first). */
  threadParentId?: string;
  /** Attachment objects as Discord sends them (`id, filename, size, url, proxy_url, content_type`, …). */
  attachments?: Json[];
  /** `sticker_items`: `{ id, name, format_type }` (1 PNG, 2 APNG, 3 LOTTIE, 4 GIF). */
  stickerItems?: Json[];
  /**
   * Makes the message a forward (`message_reference.type: 1`, flag HAS_SNAPSHOT): its own content
   * and attachments stay empty, what was forwarded is `message_snapshots[0].message`.
   */
  forward?: { content: string; attachments?: Json[]; channelId?: string; messageId?: string };
}

/** A gateway dispatch as it travels on the socket, e.g. a file of test/fixtures/discord/. */
export interface GatewayDispatch {
  t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE';
  d: Json;
  [key: string]: unknown;
}

export type DiscordFault = { status: 429; retryAfter: number } | { status: 500 };

export interface DiscordRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  /** The query string without `?` (`after=…&limit=100`), empty when there is none. */
  query: string;
  body?: unknown;
  status: number;
  at: number;
}

export interface SentMessage {
  id: string;
  channelId: string;
  content: string;
  messageReference?: Record<string, unknown>;
  /** As sent on the wire (snake_case), e.g. `{ replied_user: false }`. */
  allowedMentions?: Record<string, unknown>;
}

export interface IdentifyPayload {
  token: string;
  intents: number;
  properties: Record<string, unknown>;
  shard?: [number, number];
  compress?: boolean;
  [key: string]: unknown;
}

type Json = Record<string, unknown>;

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api` — discord.js appends `/v10/...`. */
  apiUrl: string;
  gatewayUrl: string;
  botUser: Json;
  guildId: string;
  /** Id of a seeded channel by name (`general`, `announcements`, `support` by default). */
  channelId(name: string): string;
  identifies: IdentifyPayload[];
  /** Session ids of every successful RESUME. */
  resumes: string[];
  /** Number of gateway connections currently open. */
  readonly connections: number;
  /**
   * Cuts every gateway connection as a network failure would (no close frame): the sessions
   * stay resumable and collect what is dispatched meanwhile. Resolves once all are closed.
   */
  dropConnections(): Promise<void>;
  /** The user has blocked the bot (or closed DMs): sending to their DM channel fails with 50007. */
  blockDirectMessages(userId: string): void;
  /** Discord forgets every session: a RESUME is answered with INVALID_SESSION (op 9, not resumable). */
  invalidateSessions(): void;
  dispatchMessage(input: DispatchMessageInput): Json;
  /**
   * Sends a recorded or hand-made dispatch as Discord would: MESSAGE_CREATE stores the message
   * (REST reads return it; a DM's channel is created), MESSAGE_UPDATE merges into it, MESSAGE_DELETE
   * forgets it. Intents apply as for `dispatchMessage`; an update without `author` (the older
   * partial form) and a delete go out as given. A guild message's channel must be seeded.
   */
  dispatchEvent(event: GatewayDispatch): void;
  /** The author edits a stored message: MESSAGE_UPDATE with the whole message and a new `edited_timestamp`. */
  editMessage(id: string, edit: { content: string; mentionsBot?: boolean }): Json;
  /** Discord resolves a link preview: MESSAGE_UPDATE without an edit (`edited_timestamp` unchanged), or only `{ id, channel_id, embeds, guild_id }` when `partial`. */
  resolveEmbeds(id: string, embeds: Json[], opts?: { partial?: boolean }): Json;
  /** The author deletes a stored message: MESSAGE_DELETE `{ id, channel_id, guild_id? }`. */
  deleteMessage(id: string): void;
  sent: SentMessage[];
  crossposted: string[];
  requests: DiscordRequest[];
  waitFor(predicate: (req: DiscordRequest) => boolean, timeoutMs?: number): Promise<DiscordRequest>;
  /** `pathPattern` is matched against the path after `/api/v10`, e.g. `'POST /channels/:id/messages'`. */
  failNext(pathPattern: PathPattern, fault: DiscordFault, times?: number): void;
  /**
   * The next matching request is carried out but its answer waits for `release()`; `arrived`
   * resolves when the request is in. An answer to a caller that died meanwhile is dropped.
   */
  holdNext(pathPattern: PathPattern): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

interface Session {
  ws: WebSocket;
  seq: number;
  sessionId?: string;
  intents: number;
  /** Recent dispatches, replayed after the sequence number a RESUME names (as Discord does). */
  history: Array<{ s: number; payload: Json }>;
}

/** How many dispatches a session keeps for a RESUME. */
const RESUME_HISTORY = 1000;

class HttpError {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {}
}

const unknownChannel = () => new HttpError(404, { message: 'Unknown Channel', code: 10003 });
const unknownMessage = () => new HttpError(404, { message: 'Unknown Message', code: 10008 });
const invalidFormBody = (errors: Json) => new HttpError(400, { message: 'Invalid Form Body', code: 50035, errors });

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const snowflake = snowflakeFactory(DISCORD_EPOCH_MS);
  const nowIso = () => new Date().toISOString().replace('Z', '000+00:00');
  const rate = opts.rateLimit ?? { limit: 50, windowMs: 1000 };
  const guildId = opts.guildId ?? snowflake();
  const botUserId = opts.botUserId ?? snowflake();
  const everyoneRoleId = guildId; // Discord gives @everyone the guild's id.
  const botRoleId = snowflake();
  const joinedAt = nowIso();

  const userObject = (id: string, username: string, bot = false): Json => ({
    id,
    username,
    global_name: bot ? null : username,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
    flags: 0,
    ...(bot ? { bot: true } : {}),
  });
  const botUser = userObject(botUserId, 'carebot', true);
  const owner = userObject(snowflake(), 'acme-owner');
  const users = new Map<string, Json>([
    [botUserId, botUser],
    [owner.id as string, owner],
  ]);
  const memberObject = (roles: string[]): Json => ({
    roles,
    nick: null,
    avatar: null,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  });

  const channels = new Map<string, Json>();
  const channelIdsByName = new Map<string, string>();
  const seeds: DiscordChannelSeed[] = opts.channels ?? [
    { name: 'general', type: ChannelTypes.GuildText },
    { name: 'announcements', type: ChannelTypes.GuildAnnouncement },
    { name: 'support', type: ChannelTypes.GuildText },
  ];
  seeds.forEach((seed, position) => {
    const id = seed.id ?? snowflake();
    channels.set(id, {
      id,
      type: seed.type ?? ChannelTypes.GuildText,
      guild_id: guildId,
      name: seed.name,
      position,
      permission_overwrites: [],
      parent_id: null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    });
    channelIdsByName.set(seed.name, id);
  });

  const guildPayload = (): Json => ({
    id: guildId,
    name: 'Acme Support',
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: owner.id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    features: ['COMMUNITY', 'NEWS'],
    application_id: null,
    system_channel_id: seeds.length ? channelIdsByName.get(seeds[0]!.name) : null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    max_members: 500000,
    roles: [
      roleObject(everyoneRoleId, '@everyone', EVERYONE_PERMISSIONS, 0),
      roleObject(botRoleId, 'carebot', BOT_ROLE_PERMISSIONS, 1, { bot_id: botUserId }),
    ],
    emojis: [],
    stickers: [],
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: 2,
    members: [
      { ...memberObject([botRoleId]), user: botUser },
      { ...memberObject([]), user: owner },
    ],
    // GUILD_CREATE lists channels without guild_id.
    channels: [...channels.values()]
      .filter((c) => c.guild_id === guildId && c.type !== ChannelTypes.PublicThread)
      .map(({ guild_id: _omit, ...c }) => c),
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  });

  // ---- stored messages ----------------------------------------------------

  const messages = new Map<string, Json>(); // id → canonical message (full content)
  const blockedDms = new Set<string>();
  const sent: SentMessage[] = [];
  const crossposted: string[] = [];

  const requireChannel = (id: string): Json => {
    const channel = channels.get(id);
    if (!channel) throw unknownChannel();
    return channel;
  };

  const dmChannelFor = (userId: string, id?: string): Json => {
    const existing = [...channels.values()].find((c) => c.type === ChannelTypes.DM && (c.recipients as Json[])[0]?.id === userId);
    if (existing) return existing;
    const channel: Json = {
      id: id ?? snowflake(),
      type: ChannelTypes.DM,
      last_message_id: null,
      flags: 0,
      recipients: [users.get(userId) ?? userObject(userId, `user${userId}`)],
    };
    channels.set(channel.id as string, channel);
    return channel;
  };

  const ensureThread = (threadId: string, parentId: string, ownerId: string): { channel: Json; created: boolean } => {
    const existing = channels.get(threadId);
    if (existing) return { channel: existing, created: false };
    const parent = requireChannel(parentId);
    const now = nowIso();
    const channel: Json = {
      id: threadId,
      type: ChannelTypes.PublicThread,
      guild_id: parent.guild_id,
      parent_id: parentId,
      owner_id: ownerId,
      name: `thread-${threadId.slice(-4)}`,
      last_message_id: null,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: now, locked: false, create_timestamp: now },
    };
    channels.set(threadId, channel);
    return { channel, created: true };
  };

  const buildMessage = (args: {
    id: string;
    channel: Json;
    author: Json;
    content: string;
    mentions: Json[];
    reference?: Json;
    flags?: number;
    attachments?: Json[];
    stickerItems?: Json[];
    forward?: NonNullable<DispatchMessageInput['forward']>;
  }): Json => {
    const referenced = args.reference ? messages.get(args.reference.message_id as string) : undefined;
    const forward = args.forward
      ? {
          message_reference: {
            type: 1,
            channel_id: args.forward.channelId ?? args.channel.id,
            message_id: args.forward.messageId ?? snowflake(),
            ...(typeof args.channel.guild_id === 'string' ? { guild_id: args.channel.guild_id } : {}),
          },
          // The snapshot's field subset (message.mdx "Message Snapshot Structure"): no author, no id.
          message_snapshots: [
            {
              message: {
                type: 0,
                content: args.forward.content,
                embeds: [],
                attachments: args.forward.attachments ?? [],
                timestamp: nowIso(),
                edited_timestamp: null,
                flags: 0,
                mentions: [],
                mention_roles: [],
                components: [],
              },
            },
          ],
        }
      : {};
    return {
      id: args.id,
      type: args.reference ? 19 : 0,
      channel_id: args.channel.id,
      author: args.author,
      content: args.content,
      timestamp: nowIso(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: args.mentions,
      mention_roles: [],
      attachments: args.attachments ?? [],
      embeds: [],
      components: [],
      pinned: false,
      flags: (args.flags ?? 0) | (args.forward ? HAS_SNAPSHOT : 0),
      ...(args.stickerItems ? { sticker_items: args.stickerItems } : {}),
      ...(args.reference ? { message_reference: { type: 0, ...args.reference }, referenced_message: referenced ?? null } : {}),
      ...forward,
    };
  };

  // ---- gateway ---------------------------------------------------------------

  const sessions = new Set<Session>();
  const sessionsById = new Map<string, Session>();
  const resumes: string[] = [];
  const identifies: IdentifyPayload[] = [];
  const gatewayHttp = await startHttpServer((_req, res) => sendJson(res, 404, { message: '404: Not Found', code: 0 }));
  const wss = new WebSocketServer({ server: gatewayHttp.server });
  const gatewayUrl = `ws://127.0.0.1:${gatewayHttp.port}`;

  const send = (session: Session, payload: Json) => {
    if (session.ws.readyState === session.ws.OPEN) session.ws.send(JSON.stringify(payload));
  };
  const dispatch = (session: Session, t: string, d: unknown) => {
    session.seq += 1;
    const payload = { op: 0, t, s: session.seq, d };
    session.history.push({ s: session.seq, payload });
    if (session.history.length > RESUME_HISTORY) session.history.shift();
    send(session, payload);
  };
  /** Identified sessions, connected or not: a dropped one still collects events for its RESUME. */
  const resumable = () => new Set(sessionsById.values());

  /**
   * MESSAGE_CREATE / MESSAGE_UPDATE as each session is entitled to see it: guild messages need
   * GUILD_MESSAGES, DMs need DIRECT_MESSAGES, and without MESSAGE_CONTENT a guild message
   * that neither mentions the bot nor was sent by it arrives with empty content.
   */
  const broadcastMessage = (
    message: Json,
    where: { dm: boolean; guildId?: string; channelType: number; member?: Json },
    event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' = 'MESSAGE_CREATE',
  ) => {
    const authorIsBot = (message.author as Json).id === botUserId;
    const mentionsBot = (message.mentions as Json[]).some((u) => u.id === botUserId);
    for (const session of resumable()) {
      if (where.dm ? !(session.intents & Intent.DirectMessages) : !(session.intents & Intent.GuildMessages)) continue;
      const canRead = where.dm || authorIsBot || mentionsBot || (session.intents & Intent.MessageContent) !== 0;
      const payload: Json = {
        ...message,
        ...(canRead ? {} : { content: '', embeds: [], attachments: [], components: [] }),
        // A forward's words and files are message content too.
        ...(canRead || !Array.isArray(message.message_snapshots)
          ? {}
          : {
              message_snapshots: (message.message_snapshots as Json[]).map((snap) => ({
                message: { ...(snap.message as Json), content: '', embeds: [], attachments: [], components: [] },
              })),
            }),
        channel_type: where.channelType,
        ...(where.guildId ? { guild_id: where.guildId } : {}),
        ...(where.member ? { member: where.member } : {}),
      };
      dispatch(session, event, payload);
    }
  };

  /** An event with no content to withhold (a delete, a partial update), to every session entitled to its channel. */
  const broadcastRaw = (t: string, d: Json, dm: boolean) => {
    for (const session of resumable()) {
      if (session.intents & (dm ? Intent.DirectMessages : Intent.GuildMessages)) dispatch(session, t, d);
    }
  };
  /** Where a stored message lives, as broadcastMessage needs it. */
  const whereOf = (message: Json) => {
    const channel = requireChannel(message.channel_id as string);
    const dm = channel.type === ChannelTypes.DM;
    const fromBot = (message.author as Json | undefined)?.id === botUserId;
    return {
      dm,
      channelType: channel.type as number,
      ...(dm ? {} : { guildId: channel.guild_id as string, member: memberObject(fromBot ? [botRoleId] : []) }),
    };
  };
  const storedMessage = (id: string): Json => {
    const message = messages.get(id);
    if (!message) throw new Error(`fake discord: no message ${id}`);
    return message;
  };

  const privilegedAllowed = opts.privilegedIntentsEnabled ?? true;

  wss.on('connection', (ws) => {
    const session: Session = { ws, seq: 0, intents: 0, history: [] };
    sessions.add(session);
    ws.on('close', (code) => {
      sessions.delete(session);
      // A client that closes with 1000/1001 ends its session; any other close can be resumed.
      if ((code === 1000 || code === 1001) && session.sessionId && sessionsById.get(session.sessionId) === session) {
        sessionsById.delete(session.sessionId);
      }
    });
    send(session, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS, _trace: ['["fake-gateway",{}]'] }, s: null, t: null });

    ws.on('message', (data) => {
      let payload: unknown;
      try {
        payload = JSON.parse(String(data));
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      if (!isRecord(payload) || typeof payload.op !== 'number') {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      const d = payload.d;
      switch (payload.op) {
        case 1:
          send(session, { op: 11, d: null, s: null, t: null });
          return;
        case 2: {
          if (session.sessionId !== undefined) {
            ws.close(4005, 'Already authenticated.');
            return;
          }
          if (!isRecord(d) || typeof d.token !== 'string' || !d.token || (opts.token && d.token !== opts.token)) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          if (typeof d.intents !== 'number' || (d.intents & ~ALL_INTENTS) !== 0) {
            ws.close(4013, 'Invalid intent(s).');
            return;
          }
          if (!privilegedAllowed && (d.intents & PRIVILEGED_INTENTS) !== 0) {
            ws.close(4014, 'Disallowed intent(s).');
            return;
          }
          identifies.push(structuredClone(d) as IdentifyPayload);
          session.intents = d.intents;
          session.sessionId = randomBytes(16).toString('hex');
          sessionsById.set(session.sessionId, session);
          dispatch(session, 'READY', {
            v: 10,
            user: { ...botUser, verified: true, mfa_enabled: false, email: null },
            guilds: [{ id: guildId, unavailable: true }],
            session_id: session.sessionId,
            session_type: 'normal',
            resume_gateway_url: gatewayUrl,
            shard: Array.isArray(d.shard) ? d.shard : [0, 1],
            application: { id: botUserId, flags: 0 },
            private_channels: [],
            presences: [],
            relationships: [],
            guild_join_requests: [],
            user_settings: {},
            geo_ordered_rtc_regions: ['rotterdam', 'frankfurt'],
            _trace: ['["fake-gateway",{}]'],
          });
          if (session.intents & Intent.Guilds) dispatch(session, 'GUILD_CREATE', guildPayload());
          return;
        }
        case 6: {
          const previous = isRecord(d) && typeof d.session_id === 'string' ? sessionsById.get(d.session_id) : undefined;
          if (!previous) {
            send(session, { op: 9, d: false, s: null, t: null });
            return;
          }
          session.sessionId = previous.sessionId;
          session.intents = previous.intents;
          session.seq = previous.seq;
          session.history = previous.history;
          sessionsById.set(session.sessionId as string, session);
          resumes.push(session.sessionId as string);
          const after = isRecord(d) && typeof d.seq === 'number' ? d.seq : 0;
          for (const entry of session.history) if (entry.s > after) send(session, entry.payload);
          dispatch(session, 'RESUMED', null);
          return;
        }
        case 3:
        case 4:
        case 8:
          if (session.sessionId === undefined) ws.close(4003, 'Not authenticated.');
          return;
        default:
          ws.close(4001, 'Unknown opcode.');
      }
    });
  });

  // ---- REST --------------------------------------------------------------------

  const requests = new AwaitableLog<DiscordRequest>();
  const faults = new FaultQueue<{ method: string; path: string }, DiscordFault>();
  const holds = new HeldAnswers<{ method: string; path: string }>();
  const buckets = new Map<string, { used: number; resetAt: number }>();

  type RouteHandler = (ctx: { params: Record<string, string>; body: unknown; query: URLSearchParams }) => {
    status?: number;
    body: unknown;
  };
  const routes: Array<{ method: string; template: string; handle: RouteHandler }> = [];
  const route = (method: string, template: string, handle: RouteHandler) => void routes.push({ method, template, handle });
  let afterResponse: Array<() => void> = [];

  route('GET', '/users/@me', () => ({ body: botUser }));
  route('GET', '/gateway', () => ({ body: { url: gatewayUrl } }));
  route('GET', '/gateway/bot', () => ({
    body: {
      url: gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    },
  }));
  route('GET', '/users/:id', ({ params }) => {
    const user = users.get(params.id!);
    if (!user) throw new HttpError(404, { message: 'Unknown User', code: 10013 });
    return { body: user };
  });
  route('GET', '/channels/:id', ({ params }) => ({ body: requireChannel(params.id!) }));
  // Newest first, like Discord; with `after`, the oldest `limit` messages after that id.
  route('GET', '/channels/:id/messages', ({ params, query }) => {
    requireChannel(params.id!);
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalidFormBody({
        limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] },
      });
    const after = query.get('after');
    const before = query.get('before');
    const inChannel = [...messages.values()]
      .filter((m) => m.channel_id === params.id)
      .filter((m) => !after || compareIds(m.id as string, after) > 0)
      .filter((m) => !before || compareIds(m.id as string, before) < 0)
      .sort((a, b) => compareIds(a.id as string, b.id as string));
    const page = after ? inChannel.slice(0, limit) : inChannel.slice(-limit);
    return { body: page.reverse() };
  });
  route('GET', '/channels/:id/messages/:mid', ({ params }) => {
    requireChannel(params.id!);
    const message = messages.get(params.mid!);
    if (!message || message.channel_id !== params.id) throw unknownMessage();
    return { body: message };
  });
  route('POST', '/users/@me/channels', ({ body }) => {
    if (!isRecord(body) || typeof body.recipient_id !== 'string') {
      throw invalidFormBody({ recipient_id: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } });
    }
    return { body: dmChannelFor(body.recipient_id) };
  });

  route('POST', '/channels/:id/messages', ({ params, body }) => {
    const channel = requireChannel(params.id!);
    if (channel.type === ChannelTypes.DM && blockedDms.has((channel.recipients as Json[])[0]?.id as string)) {
      throw new HttpError(403, { message: 'Cannot send messages to this user', code: 50007 });
    }
    if (!isRecord(body)) throw new HttpError(400, { message: 'Cannot send an empty message', code: 50006 });
    const content = typeof body.content === 'string' ? body.content : '';
    if (content.length > 2000) {
      throw invalidFormBody({ content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } });
    }
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    const hasOther = ['components', 'sticker_ids', 'attachments', 'poll'].some((k) =>
      Array.isArray(body[k]) ? (body[k] as unknown[]).length > 0 : body[k] !== undefined,
    );
    if (!content && !hasEmbeds && !hasOther) throw new HttpError(400, { message: 'Cannot send an empty message', code: 50006 });

    let reference: Json | undefined;
    let replied: Json | undefined;
    if (isRecord(body.message_reference)) {
      const ref = body.message_reference;
      const refChannelId = typeof ref.channel_id === 'string' ? ref.channel_id : channel.id;
      replied = typeof ref.message_id === 'string' ? messages.get(ref.message_id) : undefined;
      if (!replied || replied.channel_id !== refChannelId) {
        if (ref.fail_if_not_exists !== false) {
          throw invalidFormBody({
            message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] },
          });
        }
        replied = undefined;
      } else {
        reference = {
          message_id: replied.id,
          channel_id: replied.channel_id,
          ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
        };
      }
    }

    const allowed = isRecord(body.allowed_mentions) ? body.allowed_mentions : undefined;
    const mentions: Json[] = [];
    const parse = Array.isArray(allowed?.parse) ? (allowed.parse as string[]) : undefined;
    const allowedUsers = Array.isArray(allowed?.users) ? (allowed.users as string[]) : [];
    for (const m of content.matchAll(/<@!?(\d+)>/g)) {
      const user = users.get(m[1]!);
      if (user && (!allowed || parse?.includes('users') || allowedUsers.includes(m[1]!))) mentions.push(user);
    }
    // Without allowed_mentions a reply pings its target; with it, replied_user defaults to false.
    if (replied && (!allowed || allowed.replied_user === true)) {
      const author = replied.author as Json;
      if (!mentions.some((u) => u.id === author.id)) mentions.push(author);
    }

    const message = buildMessage({
      id: snowflake(),
      channel,
      author: botUser,
      content,
      mentions,
      ...(reference ? { reference } : {}),
    });
    if (hasEmbeds) message.embeds = body.embeds;
    messages.set(message.id as string, message);
    channel.last_message_id = message.id;
    sent.push({
      id: message.id as string,
      channelId: channel.id as string,
      content,
      ...(isRecord(body.message_reference) ? { messageReference: body.message_reference } : {}),
      ...(allowed ? { allowedMentions: allowed } : {}),
    });
    // Discord echoes the bot's own messages over the gateway; handlers must ignore them.
    afterResponse.push(() =>
      broadcastMessage(message, {
        dm: channel.type === ChannelTypes.DM,
        channelType: channel.type as number,
        ...(typeof channel.guild_id === 'string' ? { guildId: channel.guild_id, member: memberObject([botRoleId]) } : {}),
      }),
    );
    return { body: message };
  });

  route('POST', '/channels/:id/messages/:mid/crosspost', ({ params }) => {
    const channel = requireChannel(params.id!);
    const message = messages.get(params.mid!);
    if (!message || message.channel_id !== channel.id) throw unknownMessage();
    if (channel.type !== ChannelTypes.GuildAnnouncement) {
      throw new HttpError(400, { message: 'Cannot execute action on this channel type', code: 50024 });
    }
    if (((message.flags as number) & 1) !== 0) {
      throw new HttpError(400, { message: 'This message has already been crossposted.', code: 40033 });
    }
    message.flags = (message.flags as number) | 1; // CROSSPOSTED
    crossposted.push(message.id as string);
    // discord.js returns the cached Message from crosspost() unpatched; the flag reaches it
    // through this MESSAGE_UPDATE, as with the real gateway.
    afterResponse.push(() =>
      broadcastMessage(
        message,
        { dm: false, channelType: channel.type as number, guildId: channel.guild_id as string, member: memberObject([botRoleId]) },
        'MESSAGE_UPDATE',
      ),
    );
    return { body: message };
  });

  const bucketHash = (method: string, template: string) => createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api\/v10(?=\/)/, '');
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }

    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method, path, query: url.searchParams.toString(), ...(raw ? { body } : {}), status, at: Date.now() });
      sendJson(res, status, payload, headers);
    };

    if (!url.pathname.startsWith('/api/v10/')) {
      reply(404, { message: '404: Not Found', code: 0 });
      return;
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bot ') || auth.length <= 4 || (opts.token && auth !== `Bot ${opts.token}`)) {
      reply(401, { message: '401: Unauthorized', code: 0 });
      return;
    }

    let match: { r: (typeof routes)[number]; params: Record<string, string> } | undefined;
    for (const r of routes) {
      const params = r.method === method ? matchRoute(r.template, path) : null;
      if (params) {
        match = { r, params };
        break;
      }
    }
    if (!match) {
      reply(404, { message: '404: Not Found', code: 0 });
      return;
    }

    // Buckets are per route and major parameter (the channel), like Discord's.
    const major = match.params.id ?? '';
    const hash = bucketHash(method, match.r.template);
    const key = `${hash}:${major}`;
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { used: 0, resetAt: now + rate.windowMs };
      buckets.set(key, bucket);
    }
    const limitHeaders = (remaining: number, resetAfterSec: number): Record<string, string> => ({
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': ((now + resetAfterSec * 1000) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfterSec.toFixed(3),
      'x-ratelimit-bucket': hash,
    });
    const rateLimited = (retryAfter: number) =>
      reply(
        429,
        { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
        { ...limitHeaders(0, retryAfter), 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': 'user' },
      );

    const fault = faults.take({ method, path });
    if (fault) {
      if (fault.status === 429) rateLimited(fault.retryAfter);
      else reply(500, { message: '500: Internal Server Error', code: 0 });
      return;
    }
    if (bucket.used >= rate.limit) {
      rateLimited((bucket.resetAt - now) / 1000);
      return;
    }
    bucket.used += 1;
    const headers = limitHeaders(rate.limit - bucket.used, (bucket.resetAt - now) / 1000);

    try {
      const result = match.r.handle({ params: match.params, body, query: url.searchParams });
      await holds.wait({ method, path });
      reply(result.status ?? 200, result.body, headers);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply(err.status, err.body, headers);
    }
    const pending = afterResponse;
    afterResponse = [];
    for (const fn of pending) setImmediate(fn);
  };

  const rest = await startHttpServer(handle);

  return {
    apiUrl: `http://127.0.0.1:${rest.port}/api`,
    gatewayUrl,
    botUser,
    guildId,
    channelId: (name) => {
      const id = channelIdsByName.get(name);
      if (!id) throw new Error(`fake discord: no channel named ${name}`);
      return id;
    },
    identifies,
    resumes,
    dropConnections: async () => {
      const open = [...sessions];
      await Promise.all(
        open.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.ws.once('close', () => resolve());
              s.ws.terminate();
            }),
        ),
      );
    },
    blockDirectMessages: (userId) => void blockedDms.add(userId),
    invalidateSessions: () => sessionsById.clear(),
    get connections() {
      return sessions.size;
    },
    dispatchMessage: (input) => {
      const dm = input.dm ?? input.guild === false;
      const author = users.get(input.authorId) ?? userObject(input.authorId, input.username);
      author.username = input.username;
      users.set(input.authorId, author);

      let channel: Json;
      if (dm) {
        channel = dmChannelFor(input.authorId, input.channelId);
      } else if (input.threadParentId) {
        const thread = ensureThread(input.channelId, input.threadParentId, input.authorId);
        channel = thread.channel;
        if (thread.created) {
          for (const s of resumable()) {
            if (s.intents & Intent.Guilds) dispatch(s, 'THREAD_CREATE', { ...channel, newly_created: true });
          }
        }
      } else {
        channel = requireChannelForDispatch(channels, input.channelId);
      }

      const botMention = `<@${botUserId}>`;
      const content = input.mentionsBot && !input.content.includes(botMention) ? `${botMention} ${input.content}` : input.content;
      const mentions: Json[] = input.mentionsBot ? [dm ? botUser : { ...botUser, member: memberObject([botRoleId]) }] : [];
      let reference: Json | undefined;
      if (input.messageReference) {
        const replied = messages.get(input.messageReference);
        reference = {
          message_id: input.messageReference,
          channel_id: channel.id,
          ...(dm ? {} : { guild_id: guildId }),
        };
        // A reply pings its target by default, which is how customers "mention" the bot by replying.
        if (replied && (replied.author as Json).id === botUserId && !mentions.length) {
          mentions.push(dm ? botUser : { ...botUser, member: memberObject([botRoleId]) });
        }
      }
      const message = buildMessage({
        id: input.id ?? snowflake(),
        channel,
        author,
        content,
        mentions,
        ...(reference ? { reference } : {}),
        ...(input.attachments ? { attachments: input.attachments } : {}),
        ...(input.stickerItems ? { stickerItems: input.stickerItems } : {}),
        ...(input.forward ? { forward: input.forward } : {}),
      });
      messages.set(message.id as string, message);
      channel.last_message_id = message.id;
      if (channel.type === ChannelTypes.PublicThread) {
        channel.message_count = (channel.message_count as number) + 1;
        channel.total_message_sent = (channel.total_message_sent as number) + 1;
      }
      broadcastMessage(message, {
        dm,
        channelType: channel.type as number,
        ...(dm ? {} : { guildId, member: memberObject([]) }),
      });
      return structuredClone(message);
    },
    dispatchEvent: ({ t, d }) => {
      const id = d.id as string;
      const dm = typeof d.guild_id !== 'string';
      if (t === 'MESSAGE_DELETE') {
        messages.delete(id);
        broadcastRaw(t, d, dm);
        return;
      }
      const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !GATEWAY_ONLY.has(k)));
      if (t === 'MESSAGE_CREATE') {
        const author = d.author as Json;
        if (!users.has(author.id as string)) users.set(author.id as string, author);
        const channel = dm
          ? (channels.get(d.channel_id as string) ?? dmChannelFor(author.id as string, d.channel_id as string))
          : requireChannelForDispatch(channels, d.channel_id as string);
        messages.set(id, rest);
        channel.last_message_id = id;
      } else {
        const stored = messages.get(id);
        if (stored) messages.set(id, { ...stored, ...rest });
        if (!d.author) {
          broadcastRaw(t, d, dm);
          return;
        }
      }
      const where = {
        dm,
        channelType: typeof d.channel_type === 'number' ? d.channel_type : dm ? ChannelTypes.DM : ChannelTypes.GuildText,
        ...(dm ? {} : { guildId: d.guild_id as string, ...(isRecord(d.member) ? { member: d.member } : {}) }),
      };
      broadcastMessage(rest, where, t);
    },
    editMessage: (id, edit) => {
      const before = storedMessage(id);
      const botMention = `<@${botUserId}>`;
      const content = edit.mentionsBot && !edit.content.includes(botMention) ? `${botMention} ${edit.content}` : edit.content;
      const where = whereOf(before);
      const mentions = (before.mentions as Json[]).filter((u) => u.id !== botUserId);
      if (edit.mentionsBot || content.includes(botMention))
        mentions.push(where.dm ? botUser : { ...botUser, member: memberObject([botRoleId]) });
      const message = { ...before, content, mentions, edited_timestamp: nowIso() };
      messages.set(id, message);
      broadcastMessage(message, where, 'MESSAGE_UPDATE');
      return structuredClone(message);
    },
    resolveEmbeds: (id, embeds, { partial = false } = {}) => {
      const message: Json = { ...storedMessage(id), embeds };
      messages.set(id, message);
      const where = whereOf(message);
      if (partial) {
        const d = { id, channel_id: message.channel_id, embeds, ...(where.guildId ? { guild_id: where.guildId } : {}) };
        broadcastRaw('MESSAGE_UPDATE', d, where.dm);
        return d;
      }
      broadcastMessage(message, where, 'MESSAGE_UPDATE');
      return structuredClone(message);
    },
    deleteMessage: (id) => {
      const message = storedMessage(id);
      const where = whereOf(message);
      messages.delete(id);
      broadcastRaw(
        'MESSAGE_DELETE',
        { id, channel_id: message.channel_id, ...(where.guildId ? { guild_id: where.guildId } : {}) },
        where.dm,
      );
    },
    sent,
    crossposted,
    requests: requests.items,
    waitFor: (predicate, timeoutMs = 2000) =>
      requests.waitFor(predicate, timeoutMs, (items) => items.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ') || 'no requests'),
    failNext: (pattern, fault, times = 1) => faults.add(({ method, path }) => pathMatches(pattern, method, path), fault, times),
    holdNext: (pattern) => holds.add(({ method, path }) => pathMatches(pattern, method, path)),
    close: async () => {
      for (const s of sessions) s.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await Promise.all([gatewayHttp.close(), rest.close()]);
    },
  };
}

function roleObject(id: string, name: string, permissions: bigint, position: number, tags?: Json): Json {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: tags !== undefined,
    mentionable: false,
    flags: 0,
    ...(tags ? { tags } : {}),
  };
}

function requireChannelForDispatch(channels: Map<string, Json>, id: string): Json {
  const channel = channels.get(id);
  if (!channel || channel.guild_id === undefined) {
    throw new Error(`fake discord: dispatchMessage to unknown guild channel ${id}; use channelId(name), dm: true or threadParentId`);
  }
  return channel;
}
