import { SnowflakeUtil, type Client } from 'discord.js';
import { ConnectorError, type ReplyTarget, type Sent } from '../../src/connector.js';
import { discordError } from './errors.js';
import { discordPayloadSchema } from './normalize.js';

/** Pages of 100 read after `since` before giving up: a busy channel cannot be searched for ever. */
const PAGES = 10;

/** The bot's reply to one message since `since`, read from its channel (Discord's reads follow its writes). */
export async function findReplyOnDiscord(client: Client, to: ReplyTarget, since: Date): Promise<Sent | null> {
  const parsed = discordPayloadSchema.safeParse(to.payload);
  if (!parsed.success) throw new ConnectorError('the stored Discord message has no channel to look in', 'rejected');
  try {
    const channel = await client.channels.fetch(parsed.data.channel_id);
    if (!channel?.isTextBased()) throw new ConnectorError(`cannot read Discord channel ${parsed.data.channel_id}`, 'rejected');
    let after = SnowflakeUtil.generate({ timestamp: since.getTime() }).toString();
    for (let page = 0; page < PAGES; page++) {
      const batch = await channel.messages.fetch({ after, limit: 100, cache: false });
      const mine = batch.find((m) => m.author.id === client.user?.id && m.reference?.messageId === to.externalId);
      if (mine) return { externalId: mine.id, url: mine.url };
      if (batch.size < 100) return null;
      after = [...batch.keys()].reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
    }
  } catch (err) {
    throw discordError(err, 'the reply lookup');
  }
  throw new ConnectorError(`more than ${PAGES * 100} messages in the channel since the reply was started`, 'rejected');
}
