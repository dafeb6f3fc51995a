import { and, desc, eq, gt, lt, ne } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { mentions, replies, slackThreads } from '../../db/schema.js';
import type { SlackCtx } from '../../context.js';
import type { ThreadRow } from '../../db/rows.js';
import { refreshCard, updateThread } from './conversation.js';

/** A reply window left open longer than this no longer holds the conversation. */
export const REPLYING_FOR_MS = 15 * 60_000;

const holds = (thread: ThreadRow, now: number) =>
  !!thread.replyingUser && !!thread.replyingSince && now - thread.replyingSince.getTime() < REPLYING_FOR_MS;

/** The other agent who has the reply window open on this conversation right now, if any. */
export function otherReplier(thread: ThreadRow, user: string, now = Date.now()): string | undefined {
  return holds(thread, now) && thread.replyingUser !== user ? thread.replyingUser! : undefined;
}

/**
 * Shows on the card that `user` is writing to the customer, unless another agent already is
 * (the first one keeps the mark; the second was warned in the modal).
 */
export async function markReplying(s: SlackCtx<'db'>, thread: ThreadRow, user: string): Promise<ThreadRow> {
  if (otherReplier(thread, user)) return thread;
  const updated = await updateThread(s.db, thread, { replyingUser: user, replyingSince: new Date() });
  await refreshCard(s, updated);
  return updated;
}

/** Takes `user`'s mark off the card (modal closed or reply sent); another agent's mark stays. */
export async function clearReplying(s: SlackCtx<'db'>, thread: ThreadRow, user: string): Promise<ThreadRow> {
  if (thread.replyingUser !== user) return thread;
  const updated = await updateThread(s.db, thread, { replyingUser: null, replyingSince: null });
  await refreshCard(s, updated);
  return updated;
}

/** A reply another agent sent to this conversation after `since` (while `user` was still writing). */
export async function replyByOtherSince(
  db: Db,
  thread: ThreadRow,
  user: string,
  since: Date,
): Promise<{ id: number; by: string; text: string } | undefined> {
  const [row] = await db
    .select({ id: replies.id, by: replies.requestedBy, text: replies.text })
    .from(replies)
    .innerJoin(mentions, eq(mentions.id, replies.mentionId))
    .where(
      and(
        eq(mentions.platform, thread.platform),
        eq(mentions.conversationId, thread.conversationId),
        ne(replies.requestedBy, user),
        gt(replies.createdAt, since),
      ),
    )
    .orderBy(desc(replies.createdAt))
    .limit(1);
  return row?.by ? { id: row.id, by: row.by, text: row.text } : undefined;
}

/** Takes stale "is replying" marks (a modal abandoned without Cancel) off their cards. */
export async function releaseStaleReplying(s: SlackCtx<'db'>, now = Date.now()): Promise<number> {
  const released = await s.db
    .update(slackThreads)
    .set({ replyingUser: null, replyingSince: null })
    .where(lt(slackThreads.replyingSince, new Date(now - REPLYING_FOR_MS)))
    .returning();
  for (const thread of released) await refreshCard(s, thread);
  return released.length;
}
