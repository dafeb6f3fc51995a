import { and, eq, sql } from 'drizzle-orm';
import { audit, conversationSubject, SYSTEM } from '../db/audit.js';
import { slackThreads } from '../db/schema.js';
import type { SlackCtx } from '../context.js';
import { sentFollowUp, settledBy } from '../incidents/close-cards.js';
import { refreshCard } from '../slack/inbox/conversation.js';
import { close } from '../slack/listeners/card-actions.js';

/**
 * A customer's incident follow-up was sent: the cards of their conversations it settles
 * (`settledBy`: linked to the incident, open, nothing new from the customer since) are resolved
 * as an agent's Resolve would, audited as carebot's own doing, and re-rendered. Runs each time
 * the reply's outcome is reported, so a repeated delivery finds them closed and changes nothing.
 */
export async function closeFollowedUp(s: SlackCtx<'db'>, replyId: number): Promise<void> {
  const f = await sentFollowUp(s.db, replyId);
  if (!f) return;
  const open = await s.db.select().from(slackThreads).where(settledBy(s.db, f));
  for (const thread of open) {
    const [closed] = await s.db
      .update(slackThreads)
      .set({ ...close('resolved'), updatedAt: sql`now()` })
      .where(and(eq(slackThreads.platform, thread.platform), eq(slackThreads.conversationId, thread.conversationId), settledBy(s.db, f)))
      .returning();
    if (!closed) continue; // the customer wrote, or someone closed it, in between
    await audit(s.db, SYSTEM, 'resolve', conversationSubject(thread), {
      from: { status: thread.status, assignee: thread.assignee },
      to: { status: closed.status, assignee: closed.assignee },
      reason: 'incident follow-up sent',
      incidentId: f.incidentId,
      replyId,
    });
    await refreshCard(s, closed);
  }
}
