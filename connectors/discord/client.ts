import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { Config } from '../../config/index.js';

/** Longer waits than this come back to carebot as a rate-limit error instead of blocking the job. */
const MAX_QUEUED_RATE_LIMIT_MS = 5000;

/**
 * A discord.js client for carebot's bot. REST goes to DISCORD_API_URL when set (the gateway
 * follows, since its address comes from GET /gateway/bot). MessageContent is privileged: it is
 * asked for only when support channels need the text of messages that do not mention the bot.
 */
export function createDiscordClient(config: Config): Client {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  if (config.file.discord.supportChannels.length) intents.push(GatewayIntentBits.MessageContent);
  return new Client({
    intents,
    // Without the Channel partial discord.js drops DMs: their channel is not cached yet. Without
    // the Message partial it drops edits and deletes of messages it has not cached (sent before
    // a restart, or pushed out of its cache of the last 200 a channel).
    partials: [Partials.Channel, Partials.Message],
    rest: {
      ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL.replace(/\/$/, '') } : {}),
      // A message to a customer is sent at most once: a timed-out POST may have landed, so it
      // is never retried blindly (the outbound stage decides what to do with the error).
      retries: 0,
      rejectOnRateLimit: (limit) => limit.retryAfter > MAX_QUEUED_RATE_LIMIT_MS,
    },
  });
}
