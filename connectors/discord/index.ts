import { Events, type Client } from 'discord.js';
import type { Config } from '../../config/index.js';
import type { Connector } from '../../src/connector.js';
import type { Db } from '../../src/db/open.js';
import type { Logger } from '../../src/log.js';
import { announceOnDiscord } from './broadcast.js';
import { catchUp } from './catch-up.js';
import { createDiscordClient } from './client.js';
import { mentionHandler } from './listen.js';
import { replyOnDiscord } from './reply.js';

export const DISCORD_MESSAGE_LENGTH = 2000;

/** Logs in and waits for READY, so the bot's own id is known before the first message. */
async function connect(client: Client, token: string, askedForContent: boolean): Promise<Client<true>> {
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(token);
  } catch (err) {
    const message = (err as Error).message;
    if (askedForContent && /disallowed intent/i.test(message)) {
      throw new Error(
        'discord: the Message Content intent is off for this bot: switch it on in the developer portal (Bot → Privileged Gateway Intents), or remove discord.supportChannels',
      );
    }
    throw new Error(`discord: login failed: ${message}`);
  }
  return ready;
}

/**
 * Discord: the gateway delivers mentions of the bot, DMs and support-channel messages; replies
 * are Discord replies; broadcasts go to the announcement channel and are crossposted.
 */
export function createDiscordConnector(config: Config, db: Db, log: Logger): Connector {
  const settings = config.file.discord;
  const client = createDiscordClient(config);
  const announcements = settings.announcementChannel;

  return {
    platform: 'discord',
    limits: { textLength: DISCORD_MESSAGE_LENGTH },

    async start(receive) {
      const ready = await connect(client, config.DISCORD_TOKEN!, settings.supportChannels.length > 0);
      const handle = mentionHandler(ready, settings.supportChannels, receive, log);
      ready.on(Events.MessageCreate, (message) => void handle(message));
      // A RESUME replays what was missed; a new session (after a restart, or when Discord
      // refuses to resume) does not, so the support channels are read back through REST.
      const recover = () => catchUp(ready, db, settings.supportChannels, handle, log);
      ready.on(Events.ShardReady, () => void recover());
      ready.on(Events.ShardError, (err) => log.warn({ err: err.message }, 'discord: gateway error; reconnecting'));
      // A fatal close (token reset, intents revoked) is not retried by discord.js: say so loudly.
      ready.on(Events.ShardDisconnect, (event) => log.error({ code: event.code }, 'discord: the gateway closed for good; no mentions arrive until carebot restarts'));
      await recover();
      log.info({ bot: ready.user.tag, supportChannels: settings.supportChannels.length }, 'discord: connected to the gateway');
    },

    reply: (to, text) => replyOnDiscord(client, to, text, settings.pingOnReply),

    ...(announcements ? { broadcast: (text, opts) => announceOnDiscord(client, announcements, text, opts?.inReplyTo, log) } : {}),

    async stop() {
      await client.destroy();
    },
  };
}
