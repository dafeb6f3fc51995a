import { ChannelType, type Client, type Message } from 'discord.js';
import { ConnectorError, type Sent } from '../../src/connector.js';
import type { Logger } from '../../src/shared/log.js';
import { discordError } from './errors.js';

/**
 * A status update in the announcement channel, crossposted to every server that follows it.
 * A later update replies to the first one so the story reads as one chain.
 */
export async function announceOnDiscord(
  client: Client,
  channelId: string,
  text: string,
  inReplyTo: string | undefined,
  log: Logger,
): Promise<Sent> {
  let sent: Message;
  try {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new ConnectorError(`cannot send in Discord channel ${channelId}`, 'rejected');
    sent = await channel.send({
      content: text,
      allowedMentions: { parse: [] },
      ...(inReplyTo ? { reply: { messageReference: inReplyTo, failIfNotExists: false } } : {}),
    });
  } catch (err) {
    throw discordError(err, 'the announcement');
  }
  // The update is out; a failed crosspost must not make the caller post it a second time.
  if (sent.channel.type === ChannelType.GuildAnnouncement) {
    await sent
      .crosspost()
      .catch((err: Error) => log.warn({ err: err.message, messageId: sent.id }, 'discord: announcement sent but not crossposted'));
  }
  return { externalId: sent.id, url: sent.url };
}
