import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { audit } from '../../db/audit.js';
import { replies } from '../../db/schema.js';
import { replyJob, replyJobId } from '../../queues/queues.js';

/**
 * Sends a failed (or unknown) reply again, once per failure: the row moving back to 'pending'
 * is the claim, so a second click finds nothing to retry (false).
 */
export async function retryReply(s: Ctx<'db' | 'queues'>, replyId: number, user: string): Promise<boolean> {
  const [again] = await s.db
    .update(replies)
    .set({ state: 'pending', error: null, reportedAt: null, updatedAt: sql`now()` })
    .where(and(eq(replies.id, replyId), inArray(replies.state, ['failed', 'unknown'])))
    .returning({ id: replies.id, at: replies.createdAt });
  if (!again) return false;
  await audit(s.db, user, 'reply.retry', { type: 'reply', id: replyId });
  // The failed job keeps its id in Redis for a while: it must go before the same id can run again.
  await (await s.queues.outbound.getJob(replyJobId(again)))?.remove();
  await s.queues.outbound.addBulk([replyJob(again)]);
  return true;
}
