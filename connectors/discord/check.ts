import { Routes, type APIUser } from 'discord.js';
import type { Config } from '../../config/index.js';
import { createDiscordClient } from './client.js';
import { discordError } from './errors.js';

/** `carebot doctor`: is DISCORD_TOKEN a working bot token? */
export async function checkDiscord(config: Config): Promise<string> {
  if (!config.DISCORD_TOKEN) return `off (${config.networks.discord.why})`;
  const client = createDiscordClient(config);
  try {
    const me = (await client.rest.setToken(config.DISCORD_TOKEN).get(Routes.user())) as APIUser;
    return `bot ${me.username} (${me.id})`;
  } catch (err) {
    throw discordError(err, 'GET /users/@me');
  } finally {
    await client.destroy();
  }
}
