import { DiscordAPIError, Events, type Client } from 'discord.js';
import { ConfigError, type Config } from '../../config/index.js';
import type { Connector, ConnectorStore, Receive } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import { announceOnDiscord } from './broadcast.js';
import { catchUp } from './catch-up.js';
import { changeHandlers } from './changes.js';
import { conversationChannels } from './channels.js';
import { createDiscordClient } from './client.js';
import { findReplyOnDiscord } from './find-reply.js';
import { mentionHandler } from './listen.js';
import { discord } from './meta.js';
import { perMessage } from './ordered.js';
import { replyOnDiscord } from './reply.js';

/** Retry waits while Discord cannot be reached at start: 5 s doubling to 5 min. */
const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 300_000;

/**
 * Logs in and waits for READY, so the bot's own id is known before the first message. A token
 * or intents Discord refuses is a configuration error; anything else (Discord down, no route)
 * is worth another try.
 */
async function connect(client: Client, token: string, askedForContent: boolean): Promise<Client<true>> {
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(token);
  } catch (err) {
    const message = (err as Error).message;
    if (askedForContent && /disallowed intent/i.test(message)) {
      throw new ConfigError(
        'DISCORD_TOKEN: the Message Content intent is off for this bot: switch it on in the developer portal (Bot → Privileged Gateway Intents), or remove discord.supportChannels',
      );
    }
    if ((err as { code?: string }).code === 'TokenInvalid' || (err instanceof DiscordAPIError && err.status === 401)) {
      throw new ConfigError(`DISCORD_TOKEN: Discord refused the bot token (${message})`);
    }
    throw new Error(`discord: login failed: ${message}`);
  }
  return ready;
}

/**
 * Discord: the gateway delivers mentions of the bot, DMs and support-channel messages; replies
 * are Discord replies; broadcasts go to the announcement channel and are crossposted.
 */
export function createDiscordConnector(config: Config, store: ConnectorStore, log: Logger): Connector {
  const settings = config.file.discord;
  const announcements = settings.announcementChannel;
  let client = createDiscordClient(config);
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const conversations = conversationChannels(store, log);

  const listen = async (ready: Client<true>, receive: Receive) => {
    const deps = {
      client: ready,
      supportChannels: new Set(settings.supportChannels),
      receive,
      channels: conversations,
      inOrder: perMessage(),
      log,
    };
    const handle = mentionHandler(deps);
    const changes = changeHandlers(deps);
    // Each handler logs what it can foresee; this is for what it cannot, so nothing is dropped silently.
    const unexpected = (event: string) => (err: Error) =>
      log.error({ event, err: err.message }, 'discord: a gateway event could not be handled');
    ready.on(Events.MessageCreate, (message) => void handle(message).catch(unexpected('message')));
    ready.on(Events.MessageUpdate, (before, after) => void changes.edited(before, after).catch(unexpected('edit')));
    ready.on(Events.MessageDelete, (message) => void changes.deleted(message).catch(unexpected('delete')));
    // A RESUME replays what was missed; a new session (after a restart, or when Discord
    // refuses to resume) does not, so the conversations are read back through REST.
    const recover = () => catchUp(ready, store, settings.supportChannels, conversations, handle, log);
    ready.on(Events.ShardReady, () => void recover());
    ready.on(Events.ShardError, (err) => log.warn({ err: err.message }, 'discord: gateway error; reconnecting'));
    // A fatal close (token reset, intents revoked) is not retried by discord.js: say so loudly.
    ready.on(Events.ShardDisconnect, (event) =>
      log.error({ code: event.code }, 'discord: the gateway closed for good; no mentions arrive until carebot restarts'),
    );
    await recover();
    log.info({ bot: ready.user.tag, supportChannels: settings.supportChannels.length }, 'discord: connected to the gateway');
  };

  return {
    platform: 'discord',
    limits: { textLength: discord.textLength },

    async start(receive) {
      let wait = FIRST_RETRY_MS;
      // A failed login destroys its client: each attempt gets a new one.
      const attempt = async (): Promise<void> => {
        try {
          await listen(await connect(client, config.DISCORD_TOKEN!, settings.supportChannels.length > 0), receive);
        } catch (err) {
          if (err instanceof ConfigError || stopped) throw err;
          log.warn({ err: (err as Error).message, retryInMs: wait }, 'discord: cannot reach Discord; carebot runs on and tries again');
          client = createDiscordClient(config);
          retry = setTimeout(() => void attempt().catch((e: Error) => log.error({ err: e.message }, 'discord: giving up')), wait);
          wait = Math.min(wait * 2, LAST_RETRY_MS);
        }
      };
      await attempt();
    },

    reply: (to, text) => replyOnDiscord(client, to, text, settings.pingOnReply),

    findReply: (to, since) => findReplyOnDiscord(client, to, since),

    ...(announcements ? { broadcast: (text, opts) => announceOnDiscord(client, announcements, text, opts?.inReplyTo, log) } : {}),

    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client.destroy();
    },
  };
}
