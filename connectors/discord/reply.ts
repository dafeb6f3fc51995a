import type { Client } from 'discord.js';
import { ConnectorError, type ReplyTarget, type Sent } from '../../src/connector.js';
import { discordError } from './errors.js';
import { discordPayloadSchema } from './normalize.js';

/**
 * Answers a customer's message as a Discord reply in its channel (thread or DM). Agents' text
 * never pings anyone it names (@everyone, roles, users); the customer is pinged only if asked.
 */
export async function replyOnDiscord(client: Client, to: ReplyTarget, text: string, pingCustomer: boolean): Promise<Sent> {
  const parsed = discordPayloadSchema.safeParse(to.payload);
  if (!parsed.success) throw new ConnectorError('the stored Discord message has no channel to reply in', 'rejected');
  try {
    const channel = await client.channels.fetch(parsed.data.channel_id);
    if (!channel?.isSendable()) throw new ConnectorError(`cannot send in Discord channel ${parsed.data.channel_id}`, 'rejected');
    const sent = await channel.send({
      content: text,
      reply: { messageReference: to.externalId, failIfNotExists: true },
      allowedMentions: { parse: [], repliedUser: pingCustomer },
    });
    return { externalId: sent.id, url: sent.url };
  } catch (err) {
    throw discordError(err, 'the reply');
  }
}
