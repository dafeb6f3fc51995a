import { sql } from 'drizzle-orm';
import { networks } from '../../../connectors/networks.js';
import { audit, conversationSubject } from '../../db/audit.js';
import { replies } from '../../db/schema.js';
import { replyJob } from '../../queues/queues.js';
import type { SlackCtx } from '../../context.js';
import type { ThreadRow } from '../../db/rows.js';
import { clearReplying } from './collision.js';
import { latestMention, updateThread } from './conversation.js';
import { refusal } from './roles.js';

/** What names a reply request for good: the agent's message in the card's thread, or the modal it was written in. */
export const replyKeys = {
  threadMessage: (channel: string, ts: string) => `slack-message:${channel}:${ts}`,
  modal: (viewId: string) => `slack-view:${viewId}`,
};
/** Whether the reply's words are already in the card's thread (the agent wrote them there). */
export const writtenInThread = (idempotencyKey: string) => idempotencyKey.startsWith('slack-message:');

export interface ReplyRequest {
  thread: ThreadRow;
  text: string;
  /** The Slack user who wrote it. */
  user: string;
  /**
   * Names this request for good: the Slack message ts or the modal's view id. The same
   * request arriving twice (a double click, Slack retrying an event) finds the first row.
   */
  idempotencyKey: string;
}

/** What sending a customer reply from Slack takes. */
export type ReplyCtx = SlackCtx<'config' | 'log' | 'db' | 'queues' | 'connectors'>;

export type ReplyOutcome = { ok: true; replyId: number; duplicate: boolean } | { ok: false; reason: string };

/**
 * Everything that must hold before a reply may go to a customer, checked before anything is
 * stored so the agent hears at once what is wrong; then the reply row (the promise to send it
 * exactly once) and its outbound job.
 */
export async function requestReply(s: ReplyCtx, req: ReplyRequest): Promise<ReplyOutcome> {
  const { thread, user } = req;
  const text = req.text.trim();
  const network = networks[thread.platform].name;
  if (s.config.file.slack.alertsOnly.includes(thread.channel)) {
    return { ok: false, reason: 'This channel is alerts-only: replies here do not reach customers. Nothing was sent.' };
  }
  if (!text) return { ok: false, reason: 'The reply is empty. Nothing was sent.' };
  const refused = await refusal(s, user, 'agent', 'reply to customers', conversationSubject(thread));
  if (refused) return { ok: false, reason: refused };
  const connector = s.connectors[thread.platform];
  if (!connector) return { ok: false, reason: `${network} is not connected to carebot, so the reply cannot be sent.` };
  const length = [...text].length;
  if (length > connector.limits.textLength) {
    return {
      ok: false,
      reason: `Too long for ${network}: ${length} characters, the limit is ${connector.limits.textLength}. Nothing was sent.`,
    };
  }

  const target = await latestMention(s.db, thread);
  const [row] = await s.db
    .insert(replies)
    .values({
      idempotencyKey: req.idempotencyKey,
      mentionId: target.id,
      platform: thread.platform,
      text,
      requestedBy: user,
      slackChannel: thread.channel,
      slackThreadTs: thread.threadTs,
    })
    .onConflictDoNothing()
    .returning({ id: replies.id, at: replies.createdAt });
  if (!row) {
    const [first] = await s.db.select({ id: replies.id }).from(replies).where(sql`${replies.idempotencyKey} = ${req.idempotencyKey}`);
    return { ok: true, replyId: first!.id, duplicate: true };
  }

  await audit(s.db, user, 'reply', { type: 'reply', id: row.id }, { mentionId: target.id, platform: thread.platform, length });
  try {
    await s.queues.outbound.addBulk([replyJob(row)]);
  } catch (err) {
    s.log.warn({ err, replyId: row.id }, 'stored the reply but could not queue it; the reconciler will');
  }
  // The card's bookkeeping comes after the promise to the customer is kept safe.
  try {
    const current = thread.status === 'new' && !thread.assignee ? await updateThread(s.db, thread, { assignee: user }) : thread;
    await clearReplying(s, current, user);
  } catch (err) {
    s.log.warn({ err: (err as Error).message, replyId: row.id }, 'reply queued; the card could not be updated');
  }
  return { ok: true, replyId: row.id, duplicate: false };
}
