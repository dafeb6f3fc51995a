import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { audit } from '../../db/audit.js';
import { replies } from '../../db/schema.js';
import { replyJob, replyJobId } from '../../queues/queues.js';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { may } from '../inbox/permissions.js';

/**
 * Retry under a ❌ (or ⚠️ unknown) result. A reply that failed goes again only when an agent
 * says so, and once per failure: the row moving back to 'pending' is the claim, so a second
 * click finds nothing to retry.
 */
export function onRetryReply(app: App, s: SlackCtx<'config' | 'db' | 'queues'>): void {
  app.action<BlockAction<ButtonAction>>(actionIds.retryReply, async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id;
    const replyId = Number(action.value);
    if (!channel || !Number.isSafeInteger(replyId)) return;
    if (!(await may(s.slack, s.config.file.slack, body.user.id, 'reply'))) {
      await s.slack.chat.postEphemeral({
        channel,
        user: body.user.id,
        text: 'You are not allowed to reply to customers, so nothing was retried.',
      });
      return;
    }
    const [again] = await s.db
      .update(replies)
      .set({ state: 'pending', error: null, reportedAt: null, updatedAt: sql`now()` })
      .where(and(eq(replies.id, replyId), inArray(replies.state, ['failed', 'unknown'])))
      .returning({ id: replies.id });
    if (!again) return;
    await audit(s.db, body.user.id, 'reply.retry', { type: 'reply', id: replyId });
    // The failed job keeps its id in Redis for a while: it must go before the same id can run again.
    await (await s.queues.outbound.getJob(replyJobId(replyId)))?.remove();
    await s.queues.outbound.addBulk([replyJob(replyId)]);
  });
}
