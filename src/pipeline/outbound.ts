import { UnrecoverableError } from 'bullmq';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { ConnectorError } from '../connector.js';
import { replies } from '../db/schema.js';
import type { ReplyInsert } from '../db/rows.js';
import type { Ctx } from '../context.js';
import { reportReply } from '../slack/api/reply-result.js';
import { incidentReplyWait } from '../incidents/reply-pace.js';
import { retakeInterrupted } from './interrupted-reply.js';
import { closeFollowedUp } from './close-followed-up.js';
import { loadMention, replyTarget } from '../db/mention-row.js';
import { RetryLater } from '../queues/retry-later.js';

/**
 * Sends one reply to a customer, at most once. The row moves pending → sending before the
 * network call; a delivery that finds it still 'sending' (its worker died mid-call) asks the
 * network before anything goes again (interrupted-reply.ts).
 */
export async function sendReply(s: Ctx<'config' | 'db' | 'redis' | 'slack' | 'connectors'>, replyId: number): Promise<void> {
  const wait = await incidentReplyWait(s, replyId);
  if (wait) throw new RetryLater("pacing incident replies within the network's limits", wait);
  const [pending] = await s.db
    .update(replies)
    .set({ state: 'sending', attempts: sql`${replies.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(replies.id, replyId), eq(replies.state, 'pending')))
    .returning();
  const claimed = pending ?? (await retakeInterrupted(s, replyId));
  if (!claimed) {
    await report(s, replyId); // sent, failed, unknown: already final; make sure the thread heard
    return;
  }

  const settle = (set: Partial<ReplyInsert>) =>
    s.db
      .update(replies)
      .set({ ...set, updatedAt: sql`now()` })
      .where(and(eq(replies.id, replyId), inArray(replies.state, ['sending'])));

  const connector = s.connectors[claimed.platform];
  if (!connector) {
    await settle({ state: 'failed', error: `${claimed.platform} is not connected` });
    await report(s, replyId);
    throw new UnrecoverableError(`${claimed.platform} is not connected`);
  }
  const mention = await loadMention(s.db, claimed.mentionId, 'ingested');
  try {
    const sent = await connector.reply(
      replyTarget(mention),
      claimed.text,
      // A source that receives the same key twice (a retry after a lost answer) can drop the repeat.
      { idempotencyKey: claimed.idempotencyKey },
    );
    await settle({ state: 'sent', externalId: sent.externalId, url: sent.url, error: null, sentAt: new Date() });
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err; // a crash of ours: the row stays 'sending'
    if (err.kind === 'rejected') {
      // A follow-up or acknowledgement to a deleted tweet or a blocked DM is skipped, not failed.
      await settle({ state: claimed.kind === 'reply' ? 'failed' : 'skipped', error: err.message });
      await report(s, replyId);
      throw new UnrecoverableError(err.message);
    }
    // The network answered and did nothing: safe to send again later.
    await settle({ state: 'pending', error: err.message });
    throw err;
  }
  await report(s, replyId);
}

/**
 * The agents' thread hears how the reply went, and a sent incident follow-up closes the cards it
 * settles (when Slack is connected). Every delivery ends here, a repeated one too: both are idempotent.
 */
async function report(s: Ctx<'db' | 'slack'>, replyId: number): Promise<void> {
  if (!s.slack) return;
  await reportReply({ ...s, slack: s.slack }, replyId);
  await closeFollowedUp({ ...s, slack: s.slack }, replyId);
}
