import { and, eq } from 'drizzle-orm';
import { ZodError, prettifyError } from 'zod';
import { normalizers } from '../../connectors/normalize.js';
import { mentions } from '../db/schema.js';
import { mentionSchema, platforms, type Mention, type Platform } from '../mention.js';
import { mentionJobId } from '../queues.js';
import type { Services } from '../services.js';
import { advance, loadMention, reject } from './mention-row.js';

function describe(err: unknown): string {
  if (err instanceof ZodError) return prettifyError(err).replace(/\n\s*/g, ' ');
  return err instanceof Error ? err.message : String(err);
}

/**
 * Stage 1: turns the stored network payload into a validated Mention. A payload that does not
 * fit is rejected with the reason on the row; the queue goes on with the next one.
 */
export async function ingest(s: Services, mentionId: number): Promise<void> {
  const row = await loadMention(s.db, mentionId);
  if (row.state === 'received') {
    if (!(platforms as readonly string[]).includes(row.platform)) {
      await reject(s.db, mentionId, `unknown platform '${row.platform}'`);
    }
    let mention: Mention;
    try {
      mention = mentionSchema.parse(normalizers[row.platform as Platform](row.payload));
    } catch (err) {
      return reject(s.db, mentionId, `invalid ${row.platform} payload: ${describe(err)}`);
    }
    await advance(s.db, mentionId, 'received', 'ingested', {
      conversationId: await conversationOf(s, mention),
      inReplyTo: mention.inReplyTo,
      authorId: mention.author.id,
      authorHandle: mention.author.handle,
      authorName: mention.author.displayName,
      authorFollowers: mention.author.followers,
      authorUrl: mention.author.profileUrl,
      text: mention.text,
      url: mention.url,
      createdAt: mention.createdAt,
      language: mention.language,
      ingestedAt: new Date(),
    });
  } else if (row.state !== 'ingested') {
    return; // an earlier delivery of this job already went further
  }
  await s.queues.analyze.add('analyze', { mentionId }, { jobId: mentionJobId(mentionId) });
}

/**
 * A reply to a message we already hold joins that message's conversation, so networks without
 * a native conversation id (Discord channels, generic webhooks) still thread in Slack.
 */
async function conversationOf(s: Services, mention: Mention): Promise<string> {
  if (!mention.inReplyTo) return mention.conversationId;
  const [parent] = await s.db
    .select({ conversationId: mentions.conversationId })
    .from(mentions)
    .where(and(eq(mentions.platform, mention.platform), eq(mentions.externalId, mention.inReplyTo)));
  return parent?.conversationId ?? mention.conversationId;
}
