import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { KnownBlock } from '@slack/web-api';
import { replies, slackThreads } from '../../db/schema.js';
import type { SlackCtx } from '../../context.js';
import type { ReplyRow } from '../../db/rows.js';
import { actionIds } from '../views/action-ids.js';
import { refreshCard, secondsSinceOpened, threadAt, updateThread } from '../inbox/conversation.js';
import { escapeMrkdwn, quote } from '../views/escape.js';
import { fitRendered } from '../../shared/fit-text.js';
import { writtenInThread } from '../inbox/request-reply.js';
import { slackLink } from '../views/link.js';

/**
 * How a reply went, in the thread it belongs to. A reply written in the modal (or sent with the
 * shortcut) is quoted, so teammates see what the customer was told without leaving Slack; one
 * written in the thread is there already.
 */
function resultMessage(r: ReplyRow): { text: string; blocks: KnownBlock[] } {
  const by = r.requestedBy ? ` (from <@${r.requestedBy}>)` : '';
  const words: KnownBlock[] = writtenInThread(r.idempotencyKey)
    ? []
    : [{ type: 'section', text: { type: 'mrkdwn', text: fitRendered(r.text, quote) } }];
  const retry: KnownBlock = {
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Retry' }, action_id: actionIds.retryReply, value: String(r.id) }],
  };
  if (r.state === 'sent') {
    const link = r.url ? ` · ${slackLink(r.url, 'view it')}` : '';
    const text = `:white_check_mark: Sent to the customer${by}${link}`;
    return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }, ...words] };
  }
  const text =
    r.state === 'unknown'
      ? `:warning: Not known whether the reply reached the customer${by}: ${escapeMrkdwn(r.error ?? '')}. Check the network, then retry only if it is not there.`
      : `:x: Not sent${by}: ${escapeMrkdwn(r.error ?? 'unknown error')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...words, retry] };
}

/**
 * Tells the thread the reply was written in how it went, once per outcome, and moves the
 * conversation to "replied" (the first response is what the SLA measures).
 */
export async function reportReply(s: SlackCtx<'db'>, replyId: number): Promise<void> {
  const [r] = await s.db
    .select()
    .from(replies)
    .where(and(eq(replies.id, replyId), isNull(replies.reportedAt), inArray(replies.state, ['sent', 'failed', 'unknown'])));
  if (!r?.slackChannel || !r.slackThreadTs) return;
  // Posted before it is marked: a crash in between repeats a note to agents, never loses one.
  await s.slack.chat.postMessage({ channel: r.slackChannel, thread_ts: r.slackThreadTs, ...resultMessage(r), unfurl_links: false });
  await s.db.update(replies).set({ reportedAt: sql`now()` }).where(eq(replies.id, replyId));
  if (r.state !== 'sent') return;

  const thread = await threadAt(s.db, r.slackChannel, r.slackThreadTs);
  if (!thread) return;
  const updated = await updateThread(s.db, thread, {
    status: thread.status === 'resolved' ? 'resolved' : 'replied',
    firstResponseAt: sql`coalesce(${slackThreads.firstResponseAt}, now())` as unknown as Date,
    firstResponseSeconds: thread.firstResponseSeconds ?? secondsSinceOpened(),
  });
  await refreshCard(s, updated);
}
