// A loopback fake of the Slack Web API subset carebot uses. Point WebClient's
// `slackApiUrl` (or Bolt's `clientOptions.slackApiUrl`) at `fake.url`.
//
// Like Slack, every answer is HTTP 200 with `{ ok: true | false }`, except injected
// faults (429 with Retry-After, 500).
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { AwaitableLog, FaultQueue, isRecord, readBody, sendJson, startHttpServer } from './http.js';

export type SlackFault = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface SlackCall {
  method: string;
  /**
   * Arguments as Slack decodes them. @slack/web-api 8 always sends form-encoded bodies, so
   * scalars arrive as strings (`'true'`, `'42'`); `blocks`, `attachments`, `view` and
   * `metadata` arrive as JSON strings and are decoded here. The token is not included.
   */
  body: Record<string, unknown>;
  at: number;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Message metadata (`event_type`, `event_payload`), returned by history calls with include_all_metadata. */
  metadata?: Record<string, unknown>;
  /** Set for a person's message (seeded with `addMessage`); unset for the bot's own. */
  user?: string;
  /** Number of chat.update calls applied to this message. */
  edits: number;
}

export interface SlackUserSeed {
  id: string;
  name?: string;
  realName?: string;
  displayName?: string;
  email?: string;
  isBot?: boolean;
  tz?: string;
  /** A workspace admin or owner (users.info `is_admin`, `is_owner`). */
  isAdmin?: boolean;
  isOwner?: boolean;
  /** A multi-channel guest (`is_restricted`) or single-channel guest (`is_ultra_restricted`). */
  guest?: 'multi' | 'single';
  deleted?: boolean;
}

export interface SlackChannelSeed {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** When false, chat.postMessage answers `not_in_channel`, as Slack does for a bot that was never invited. */
  isMember?: boolean;
  /** The people in it, for `conversations.members`. */
  members?: string[];
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/` — the trailing slash matters: WebClient appends the method name. */
  url: string;
  botUserId: string;
  botId: string;
  teamId: string;
  calls: SlackCall[];
  messages(channel?: string): SlackMessage[];
  reactions: Array<{ channel: string; ts: string; name: string }>;
  failNext(method: string, fault: SlackFault, times?: number): void;
  /**
   * Carries out the next call of `method` but keeps its answer back until `release()`: what a
   * client sees when Slack got the message and the client died before hearing back.
   */
  holdNext(method: string): { release(): void };
  /** Resolves with the first call (already received or future) matching `predicate`. */
  waitFor(predicate: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  addUser(user: SlackUserSeed): void;
  addChannel(channel: SlackChannelSeed): void;
  /** A user group (`S…`) and its members, for `usergroups.users.list`. */
  addUserGroup(id: string, users: string[]): void;
  /**
   * A message a person wrote in Slack (history and replies then return it, as Slack would).
   * Tests post it here, then deliver the matching `message` event to the app.
   */
  addMessage(message: { channel: string; user: string; text: string; thread_ts?: string }): SlackMessage;
  /** A view as Slack holds it (opened, updated or published), in the shape payloads carry. */
  view(id: string): Record<string, unknown> | undefined;
  /** The App Home a user was last published, if any. */
  homeOf(user: string): Record<string, unknown> | undefined;
  /** Modals opened with views.open, oldest first. */
  modals(): Array<Record<string, unknown> & { id: string }>;
  /**
   * What Slack does with an app's `response_action: 'update'` answer to a view_submission: the
   * modal now shows `view`. (The answer goes back in the HTTP response, which the fake never sees.)
   */
  replaceView(id: string, view: Record<string, unknown>): void;
  /** Socket Mode connections the app holds open (after apps.connections.open with its xapp- token). */
  socketConnections(): number;
  /**
   * Sends one Socket Mode envelope to the app, as Slack does instead of an HTTP request, and
   * resolves with the app's acknowledgement (`payload` is what an HTTP response body would be).
   */
  sendEnvelope(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<{ envelope_id: string; payload?: unknown }>;
  /** Forgets calls, messages, reactions, views and pending faults; keeps seeded users and channels. */
  reset(): void;
  close(): Promise<void>;
}

// Fields Slack documents as JSON-encoded strings when sent form-encoded.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,}$/;
const USER_ID = /^[UWB][A-Z0-9]{2,}$/;

interface StoredView {
  id: string;
  hash: string;
  external_id?: string;
  view: Record<string, unknown>;
  user_id?: string;
}

export async function startFakeSlack(opts: { botUserId?: string; teamId?: string } = {}): Promise<FakeSlack> {
  const botUserId = opts.botUserId ?? 'U0CAREBOT1';
  const teamId = opts.teamId ?? 'T0CARETEAM';
  const botId = 'B0CAREBOT1';
  const appId = 'A0CAREBOT1';
  const domain = 'carebot-test';

  const calls = new AwaitableLog<SlackCall>();
  const faults = new FaultQueue<string, SlackFault>();
  const messages: SlackMessage[] = [];
  const reactions: FakeSlack['reactions'] = [];
  const views = new Map<string, StoredView>();
  const users = new Map<string, SlackUserSeed>();
  const channels = new Map<string, SlackChannelSeed>();
  const userGroups = new Map<string, string[]>();

  let lastMicros = 0n;
  // Slack's ts is "<epoch seconds>.<6 digits>" and unique per channel; here it is unique globally.
  const nextTs = (): string => {
    const now = BigInt(Date.now()) * 1000n;
    lastMicros = now > lastMicros ? now : lastMicros + 1n;
    return `${lastMicros / 1_000_000n}.${(lastMicros % 1_000_000n).toString().padStart(6, '0')}`;
  };
  const randomId = (prefix: string): string => prefix + randomBytes(6).toString('hex').toUpperCase().slice(0, 10);
  const nextHash = (): string => `${nextTs()}.${randomBytes(4).toString('hex')}`;

  const botProfile = {
    id: botId,
    app_id: appId,
    name: 'carebot',
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
    deleted: false,
    updated: 1700000000,
    team_id: teamId,
  };

  const resolveChannel = (value: unknown): { id: string } | { error: string } => {
    if (typeof value !== 'string' || value === '') return { error: 'channel_not_found' };
    if (value.startsWith('#')) {
      const byName = [...channels.values()].find((c) => c.name === value.slice(1));
      return byName ? { id: byName.id } : { error: 'channel_not_found' };
    }
    if (!CHANNEL_ID.test(value)) return { error: 'channel_not_found' };
    if (channels.get(value)?.isMember === false) return { error: 'not_in_channel' };
    return { id: value };
  };

  // Slack refuses a section whose text is over 3,000 characters, and so does this fake.
  const textFits = (t: unknown) => !isRecord(t) || typeof t.text !== 'string' || t.text.length <= 3000;
  const validBlocks = (blocks: unknown): boolean =>
    Array.isArray(blocks) && blocks.length <= 50 && blocks.every((b) => isRecord(b) && typeof b.type === 'string' && textFits(b.text));

  const messageView = (m: SlackMessage): Record<string, unknown> => ({
    type: 'message',
    ...(m.user ? { user: m.user } : { user: botUserId, bot_id: botId, app_id: appId, bot_profile: botProfile }),
    text: m.text,
    ts: m.ts,
    team: teamId,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: botUserId } : {}),
    ...(m.edits > 0 ? { edited: { user: botUserId, ts: m.ts } } : {}),
  });

  /**
   * conversations.history / .replies: newest first, `oldest` and `latest` exclusive unless
   * `inclusive`, cursor = offset.
   */
  const history = (args: Record<string, unknown>, inThread?: string): Result => {
    const channel = resolveChannel(args.channel);
    if ('error' in channel) return fail(channel.error);
    const oldest = Number(args.oldest ?? 0);
    const latest = args.latest === undefined ? Infinity : Number(args.latest);
    const inclusive = args.inclusive === true || args.inclusive === 'true';
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
    const offset = Number(args.cursor ?? 0) || 0;
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const matching = messages
      .filter((m) => m.channel === channel.id && inRange(Number(m.ts)))
      .filter((m) => (inThread ? m.ts === inThread || m.thread_ts === inThread : !m.thread_ts))
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const page = matching.slice(offset, offset + limit);
    const more = offset + limit < matching.length;
    return {
      ok: true,
      messages: page.map((m) => ({ ...messageView(m), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) })),
      has_more: more,
      response_metadata: { next_cursor: more ? String(offset + limit) : '' },
    };
  };

  const userView = (id: string): Record<string, unknown> => {
    const seed = users.get(id) ?? { id };
    const name = seed.name ?? `user_${id.toLowerCase()}`;
    const realName = seed.realName ?? `User ${id}`;
    const isBot = seed.isBot ?? id === botUserId;
    return {
      id,
      team_id: teamId,
      name,
      deleted: seed.deleted ?? false,
      color: '9f69e7',
      real_name: realName,
      tz: seed.tz ?? 'Europe/Amsterdam',
      tz_label: 'Central European Time',
      tz_offset: 3600,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: seed.displayName ?? name,
        display_name_normalized: seed.displayName ?? name,
        ...(seed.email ? { email: seed.email } : {}),
        image_48: `https://avatars.slack-edge.com/${id}_48.png`,
        image_72: `https://avatars.slack-edge.com/${id}_72.png`,
        team: teamId,
      },
      is_admin: seed.isAdmin ?? seed.isOwner ?? false,
      is_owner: seed.isOwner ?? false,
      is_primary_owner: false,
      is_restricted: seed.guest !== undefined,
      is_ultra_restricted: seed.guest === 'single',
      is_bot: isBot,
      is_app_user: false,
      updated: 1700000000,
    };
  };

  const channelView = (id: string): Record<string, unknown> => {
    if (id.startsWith('D')) {
      return { id, created: 1700000000, is_im: true, is_org_shared: false, user: 'U0CUSTOMER', is_user_deleted: false };
    }
    const seed = channels.get(id);
    const name = seed?.name ?? `channel-${id.toLowerCase()}`;
    const isPrivate = seed?.isPrivate ?? id.startsWith('G');
    return {
      id,
      name,
      name_normalized: name,
      is_channel: !isPrivate,
      is_group: isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: isPrivate,
      created: 1700000000,
      creator: 'U0CREATOR1',
      is_archived: false,
      is_general: false,
      is_shared: false,
      is_ext_shared: false,
      is_org_shared: false,
      is_member: seed?.isMember ?? true,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
    };
  };

  const viewResponse = (v: StoredView): Record<string, unknown> => ({
    id: v.id,
    team_id: teamId,
    app_id: appId,
    bot_id: botId,
    app_installed_team_id: teamId,
    type: v.view.type,
    blocks: v.view.blocks ?? [],
    private_metadata: v.view.private_metadata ?? '',
    callback_id: v.view.callback_id ?? '',
    external_id: v.external_id ?? '',
    state: { values: {} },
    hash: v.hash,
    title: v.view.title ?? null,
    close: v.view.close ?? null,
    submit: v.view.submit ?? null,
    clear_on_close: v.view.clear_on_close ?? false,
    notify_on_close: v.view.notify_on_close ?? false,
    root_view_id: v.id,
    previous_view_id: null,
  });

  type Result = Record<string, unknown>;
  const fail = (error: string): Result => ({ ok: false, error });

  const methods: Record<string, (args: Record<string, unknown>) => Result> = {
    'conversations.history': (args) => history(args),
    'conversations.replies': (args) => (typeof args.ts === 'string' ? history(args, args.ts) : fail('thread_not_found')),

    'auth.test': () => ({
      ok: true,
      url: `https://${domain}.slack.com/`,
      team: 'Carebot Test',
      user: 'carebot',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = resolveChannel(args.channel);
      if ('error' in channel) return fail(channel.error);
      const text = typeof args.text === 'string' ? args.text : '';
      if (args.blocks !== undefined && !validBlocks(args.blocks)) return fail('invalid_blocks');
      if (!text && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
      if (text.length > 40_000) return fail('msg_too_long');
      const message: SlackMessage = { channel: channel.id, ts: nextTs(), text, edits: 0 };
      if (typeof args.thread_ts === 'string' && args.thread_ts) message.thread_ts = args.thread_ts;
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      if (isRecord(args.metadata)) message.metadata = args.metadata;
      messages.push(message);
      return { ok: true, channel: message.channel, ts: message.ts, message: messageView(message) };
    },

    'chat.update': (args) => {
      const channel = resolveChannel(args.channel);
      if ('error' in channel) return fail(channel.error);
      if (typeof args.ts !== 'string') return fail('message_not_found');
      const message = messages.find((m) => m.channel === channel.id && m.ts === args.ts);
      if (!message) return fail('message_not_found');
      if (args.blocks !== undefined && !validBlocks(args.blocks)) return fail('invalid_blocks');
      if (typeof args.text === 'string') message.text = args.text;
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      message.edits += 1;
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text, message: messageView(message) };
    },

    'chat.postEphemeral': (args) => {
      const channel = resolveChannel(args.channel);
      if ('error' in channel) return fail(channel.error);
      if (typeof args.user !== 'string' || !USER_ID.test(args.user)) return fail('user_not_in_channel');
      if (!args.text && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
      return { ok: true, message_ts: nextTs() };
    },

    'chat.getPermalink': (args) => {
      const channel = resolveChannel(args.channel);
      if ('error' in channel) return fail(channel.error);
      if (typeof args.message_ts !== 'string') return fail('message_not_found');
      const base = `https://${domain}.slack.com/archives/${channel.id}/p${args.message_ts.replace('.', '')}`;
      const message = messages.find((m) => m.channel === channel.id && m.ts === args.message_ts);
      const permalink = message?.thread_ts ? `${base}?thread_ts=${message.thread_ts}&cid=${channel.id}` : base;
      return { ok: true, channel: channel.id, permalink };
    },

    'views.open': (args) => {
      if (typeof args.trigger_id !== 'string' || !args.trigger_id) return fail('invalid_arguments');
      if (!isRecord(args.view) || typeof args.view.type !== 'string') return fail('invalid_arguments');
      const stored: StoredView = { id: randomId('V'), hash: nextHash(), view: args.view };
      if (typeof args.view.external_id === 'string') stored.external_id = args.view.external_id;
      views.set(stored.id, stored);
      return { ok: true, view: viewResponse(stored) };
    },

    'views.update': (args) => {
      if (!isRecord(args.view)) return fail('invalid_arguments');
      const stored =
        typeof args.view_id === 'string'
          ? views.get(args.view_id)
          : [...views.values()].find((v) => v.external_id !== undefined && v.external_id === args.external_id);
      if (!stored) return fail('not_found');
      if (typeof args.hash === 'string' && args.hash !== stored.hash) return fail('hash_conflict');
      stored.view = args.view;
      stored.hash = nextHash();
      return { ok: true, view: viewResponse(stored) };
    },

    'views.publish': (args) => {
      if (typeof args.user_id !== 'string' || !USER_ID.test(args.user_id)) return fail('not_found');
      if (!isRecord(args.view) || args.view.type !== 'home') return fail('invalid_arguments');
      let stored = [...views.values()].find((v) => v.user_id === args.user_id);
      if (stored && typeof args.hash === 'string' && args.hash !== stored.hash) return fail('hash_conflict');
      if (!stored) {
        stored = { id: randomId('V'), hash: '', view: args.view, user_id: args.user_id };
        views.set(stored.id, stored);
      }
      stored.view = args.view;
      stored.hash = nextHash();
      return { ok: true, view: viewResponse(stored) };
    },

    'users.info': (args) => {
      if (typeof args.user !== 'string' || !USER_ID.test(args.user)) return fail('user_not_found');
      return { ok: true, user: userView(args.user) };
    },

    'conversations.info': (args) => {
      if (typeof args.channel !== 'string' || !CHANNEL_ID.test(args.channel)) return fail('channel_not_found');
      return { ok: true, channel: channelView(args.channel) };
    },

    'conversations.members': (args) => {
      if (typeof args.channel !== 'string' || !CHANNEL_ID.test(args.channel)) return fail('channel_not_found');
      const members = channels.get(args.channel)?.members ?? [];
      const offset = Number(args.cursor ?? 0) || 0;
      const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
      const more = offset + limit < members.length;
      return {
        ok: true,
        members: members.slice(offset, offset + limit),
        response_metadata: { next_cursor: more ? String(offset + limit) : '' },
      };
    },

    'usergroups.users.list': (args) => {
      const members = typeof args.usergroup === 'string' ? userGroups.get(args.usergroup) : undefined;
      return members ? { ok: true, users: members } : fail('no_such_subteam');
    },

    'reactions.add': (args) => {
      const channel = resolveChannel(args.channel);
      if ('error' in channel) return fail(channel.error);
      if (typeof args.name !== 'string' || !args.name) return fail('invalid_name');
      if (typeof args.timestamp !== 'string') return fail('message_not_found');
      const name = args.name.replace(/^:|:$/g, '');
      if (reactions.some((r) => r.channel === channel.id && r.ts === args.timestamp && r.name === name)) {
        return fail('already_reacted');
      }
      reactions.push({ channel: channel.id, ts: args.timestamp, name });
      return { ok: true };
    },
  };

  const decodeArgs = async (
    req: http.IncomingMessage,
    query: URLSearchParams,
  ): Promise<{ args: Record<string, unknown>; token?: string } | { error: string }> => {
    const raw = await readBody(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const args: Record<string, unknown> = {};
    for (const [k, v] of query) args[k] = v;
    if (contentType === 'application/json' && raw) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { error: 'invalid_json' };
      }
      if (!isRecord(parsed)) return { error: 'invalid_json' };
      Object.assign(args, parsed);
    } else if (raw) {
      for (const [k, v] of new URLSearchParams(raw)) {
        args[k] = JSON_FIELDS.has(k) ? tryJson(v) : v;
      }
    }
    const header = req.headers.authorization;
    // Slack reads a token from the body only for form posts; JSON posts must use the header.
    const bodyToken = contentType !== 'application/json' && typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : bodyToken;
    return token === undefined ? { args } : { args, token };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith('/api/')) {
      sendJson(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const decoded = await decodeArgs(req, url.searchParams);
    if ('error' in decoded) {
      calls.push({ method, body: {}, at: Date.now() });
      sendJson(res, 200, fail(decoded.error));
      return;
    }
    calls.push({ method, body: decoded.args, at: Date.now() });

    const fault = faults.take(method);
    if (fault) {
      if ('error' in fault) sendJson(res, 200, fail(fault.error));
      else if (fault.status === 429) {
        sendJson(res, 429, fail('ratelimited'), { 'retry-after': String(fault.retryAfter) });
      } else {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
      }
      return;
    }

    if (!decoded.token) {
      sendJson(res, 200, fail('not_authed'));
      return;
    }
    // Socket Mode connections are opened with the app-level token, and only they are.
    if ((method === 'apps.connections.open') !== decoded.token.startsWith('xapp-')) {
      sendJson(res, 200, fail('not_allowed_token_type'));
      return;
    }
    if (!decoded.token.startsWith('xoxb-') && !decoded.token.startsWith('xapp-')) {
      sendJson(res, 200, fail('invalid_auth'));
      return;
    }
    const impl = methods[method];
    const result = impl ? impl(decoded.args) : { ok: false, error: 'unknown_method', req_method: method };
    const held = holds.findIndex((h) => h.method === method);
    if (held >= 0) await holds.splice(held, 1)[0]!.released;
    if (!res.destroyed) sendJson(res, 200, result);
  };

  const holds: Array<{ method: string; released: Promise<void> }> = [];

  const server = await startHttpServer(handle);

  // Socket Mode: apps.connections.open hands out a URL on this server; the app connects, gets
  // `hello`, then receives envelopes and acknowledges each by its envelope_id.
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  const wss = new WebSocketServer({ server: server.server, path: '/link/' });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      const ack = tryJson(String(data)) as { envelope_id?: string; payload?: unknown };
      if (ack?.envelope_id)
        acks.get(ack.envelope_id)?.({ envelope_id: ack.envelope_id, ...(ack.payload !== undefined ? { payload: ack.payload } : {}) });
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });
  methods['apps.connections.open'] = () => ({
    ok: true,
    url: `ws://127.0.0.1:${server.port}/link/?ticket=${randomBytes(8).toString('hex')}&app_id=${appId}`,
  });

  return {
    url: `http://127.0.0.1:${server.port}/api/`,
    botUserId,
    botId,
    teamId,
    calls: calls.items,
    messages: (channel) => messages.filter((m) => channel === undefined || m.channel === channel),
    reactions,
    failNext: (method, fault, times = 1) => faults.add((m) => m === method, fault, times),
    holdNext: (method) => {
      let release!: () => void;
      holds.push({ method, released: new Promise<void>((r) => (release = r)) });
      return { release: () => release() };
    },
    waitFor: (predicate, timeoutMs = 2000) =>
      calls.waitFor(predicate, timeoutMs, (items) => items.map((c) => c.method).join(', ') || 'no calls'),
    addUser: (user) => void users.set(user.id, user),
    addChannel: (channel) => void channels.set(channel.id, channel),
    addUserGroup: (id, members) => void userGroups.set(id, members),
    addMessage: ({ channel, user, text, thread_ts }) => {
      const message: SlackMessage = { channel, ts: nextTs(), text, edits: 0, user, ...(thread_ts ? { thread_ts } : {}) };
      messages.push(message);
      return message;
    },
    view: (id) => {
      const stored = views.get(id);
      return stored && viewResponse(stored);
    },
    modals: () =>
      [...views.values()].filter((v) => v.user_id === undefined).map((v) => viewResponse(v) as Record<string, unknown> & { id: string }),
    replaceView: (id, view) => {
      const stored = views.get(id);
      if (!stored) throw new Error(`no view ${id}`);
      stored.view = view;
      stored.hash = nextHash();
    },
    homeOf: (user) => {
      const stored = [...views.values()].find((v) => v.user_id === user);
      return stored && viewResponse(stored);
    },
    reset: () => {
      calls.clear();
      messages.length = 0;
      reactions.length = 0;
      views.clear();
      faults.clear();
    },
    socketConnections: () => sockets.size,
    sendEnvelope: (type, payload, timeoutMs = 3000) => {
      const socket = [...sockets][0];
      if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
      const envelopeId = randomBytes(8).toString('hex');
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(envelopeId);
          reject(new Error(`no ack for ${type} envelope within ${timeoutMs} ms`));
        }, timeoutMs);
        acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          acks.delete(envelopeId);
          resolve(ack);
        });
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            payload,
            type,
            accepts_response_payload: type !== 'events_api',
            retry_attempt: 0,
            retry_reason: '',
          }),
        );
      });
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      await server.close();
    },
  };
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
