import { DiscordAPIError, REST, Routes, type APIUser } from 'discord.js';
import type { Config } from '../../config/index.js';

/** How long the one call to Discord may take before the check gives up on it. */
const TIMEOUT_MS = 3000;

/** Why Discord said no, or why it said nothing: `401 Unauthorized`, `ECONNREFUSED`, a timeout. */
function reason(err: unknown): string {
  if (err instanceof DiscordAPIError) return `${err.status} ${err.message.replace(/^\d+: /, '')}`;
  const e = err as {
    name?: string;
    code?: unknown;
    message?: string;
    cause?: { code?: string; message?: string; errors?: { code?: string }[] };
  };
  if (e?.name === 'AbortError') return `timeout after ${TIMEOUT_MS / 1000} s`;
  if (typeof e?.code === 'string') return e.code;
  // fetch's "fetch failed" hides the cause one level down (two for both of localhost's addresses).
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  return code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/**
 * `carebot doctor`: is DISCORD_TOKEN a working bot token? Only its REST call, bounded and not
 * retried: no gateway is opened. Answers `<API base> (DISCORD_TOKEN): bot <name> (<id>)`, or throws
 * the same with the cause.
 */
export async function checkDiscord(config: Config): Promise<string> {
  if (!config.DISCORD_TOKEN) return `off (${config.networks.discord.why})`;
  const api = (config.DISCORD_API_URL ?? 'https://discord.com/api').replace(/\/$/, '');
  const target = `${api} (DISCORD_TOKEN)`;
  const rest = new REST({ api, timeout: TIMEOUT_MS, retries: 0 }).setToken(config.DISCORD_TOKEN);
  try {
    const me = (await rest.get(Routes.user())) as APIUser;
    return `${target}: bot ${me.username} (${me.id})`;
  } catch (err) {
    throw new Error(`${target}: GET /users/@me: ${reason(err)}`, { cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
