import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import type { ReplyRow } from '../../db/rows.js';
import { replies } from '../../db/schema.js';
import { replyKeys } from './request-reply.js';

/** Why a reply was not sent when its agent deleted the Slack message it came from. */
export const DELETED_IN_SLACK = 'its message was deleted in Slack before it went out';

/**
 * The reply a message in a card's thread became, if it became one. The idempotency key is the
 * only link between the two, and the same one Slack's retries are matched by.
 */
export async function replyFromMessage(db: Db, channel: string, ts: string): Promise<ReplyRow | undefined> {
  const [row] = await db
    .select()
    .from(replies)
    .where(eq(replies.idempotencyKey, replyKeys.threadMessage(channel, ts)));
  return row;
}

/**
 * Withdraws the reply a deleted message became, but only while no worker has claimed it: the
 * outbound worker claims with the same `where state = 'pending'`, so exactly one of the two wins
 * and a reply already in the network's hands is never marked as not sent.
 */
export async function cancelPendingReply(db: Db, channel: string, ts: string): Promise<ReplyRow | undefined> {
  const [row] = await db
    .update(replies)
    .set({ state: 'skipped', error: DELETED_IN_SLACK, updatedAt: sql`now()` })
    .where(and(eq(replies.idempotencyKey, replyKeys.threadMessage(channel, ts)), eq(replies.state, 'pending')))
    .returning();
  return row;
}

/** Records that the thread was told how the reply ended, as reportReply does for the others. */
export async function markReported(db: Db, replyId: number): Promise<void> {
  await db.update(replies).set({ reportedAt: sql`now()` }).where(eq(replies.id, replyId));
}
