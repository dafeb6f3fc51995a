import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { errorReason } from '../../shared/log.js';
import type { Db } from '../../db/open.js';
import { mentions, slackThreads } from '../../db/schema.js';
import { loadMention } from '../../db/mention-row.js';
import type { MentionRow, ThreadInsert, ThreadRow } from '../../db/rows.js';
import type { SlackCtx } from '../../context.js';
import { followUpMessage, mentionCard, type CardCustomer } from '../views/card.js';
import { messageLink } from '../api/permalink.js';

/** The conversation whose card is the Slack message at (channel, ts), if it is one of ours. */
export async function threadAt(db: Db, channel: string, ts: string): Promise<ThreadRow | undefined> {
  const [thread] = await db
    .select()
    .from(slackThreads)
    .where(and(eq(slackThreads.channel, channel), eq(slackThreads.threadTs, ts)));
  return thread;
}

/** The conversation a mention belongs to (a card's buttons carry the root mention's id). */
export async function threadOfMention(db: Db, mentionId: number): Promise<ThreadRow | undefined> {
  const [row] = await db
    .select({ thread: slackThreads })
    .from(mentions)
    .innerJoin(slackThreads, and(eq(slackThreads.platform, mentions.platform), eq(slackThreads.conversationId, mentions.conversationId)))
    .where(eq(mentions.id, mentionId));
  return row?.thread;
}

/**
 * The card customer's latest message in the conversation: an agent's reply is threaded under it.
 * The card's customer is the author of its root mention; anyone else writing in the same
 * conversation (a third party answering the customer's tweet) is never the one answered, even when
 * theirs is the newest message. A root without an author id (none of the networks sends one
 * without) is answered itself.
 */
export async function latestMention(db: Db, thread: ThreadRow): Promise<MentionRow> {
  const root = await loadMention(db, thread.rootMentionId);
  if (!root.authorId) return root;
  const [row] = await db
    .select()
    .from(mentions)
    .where(
      and(
        eq(mentions.platform, thread.platform),
        eq(mentions.conversationId, thread.conversationId),
        eq(mentions.authorId, root.authorId),
        // A message the customer took back cannot be answered on the network.
        isNull(mentions.deletedAt),
      ),
    )
    .orderBy(desc(mentions.createdAt), desc(mentions.id))
    .limit(1);
  return row ?? root;
}

/** Who the conversation's card is about (its root mention's author), to tell their messages from anyone else's. */
export async function cardCustomer(db: Db, thread: Pick<ThreadRow, 'rootMentionId'>): Promise<CardCustomer> {
  const [row] = await db
    .select({ authorId: mentions.authorId, authorHandle: mentions.authorHandle })
    .from(mentions)
    .where(eq(mentions.id, thread.rootMentionId));
  return row ?? { authorId: null, authorHandle: null };
}

/**
 * Seconds from the conversation's first message reaching carebot until now, computed by the
 * database inside an update of the conversation's row (SLA clocks start when carebot saw it).
 */
export const secondsSinceOpened = () =>
  sql`(select extract(epoch from now() - ${mentions.receivedAt})::integer from ${mentions} where ${mentions.id} = ${slackThreads.rootMentionId})` as unknown as number;

export async function updateThread(db: Db, thread: ThreadRow, set: Partial<ThreadInsert>): Promise<ThreadRow> {
  const [row] = await db
    .update(slackThreads)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(slackThreads.platform, thread.platform), eq(slackThreads.conversationId, thread.conversationId)))
    .returning();
  return row!;
}

/** The state a reopened conversation returns to, from what has happened in it. */
export const reopenedStatus = (t: ThreadRow): ThreadRow['status'] => (t.firstResponseAt ? 'replied' : t.assignee ? 'assigned' : 'new');

/** The link to the card this conversation had before its current one, if it had one. */
export const earlierCard = (s: SlackCtx, t: Pick<ThreadRow, 'channel' | 'earlierThreadTs'>) =>
  t.earlierThreadTs ? messageLink(s.slack, t.channel, t.earlierThreadTs) : Promise.resolve(undefined);

/** Re-renders the conversation's card in place after its state changed. */
export async function refreshCard(s: SlackCtx<'db'>, thread: ThreadRow): Promise<void> {
  if (!thread.threadTs) return;
  const root = await loadMention(s.db, thread.rootMentionId, 'analyzed');
  const card = mentionCard(root, root.triage, { state: thread, earlier: await earlierCard(s, thread) });
  await s.slack.chat.update({ channel: thread.channel, ts: thread.threadTs, ...card });
}

/**
 * Re-renders the cards whose root is one of `mentionIds` (complaints linked to an incident declared
 * after they were carded now say so). One card Slack refuses never keeps the others stale.
 */
export async function refreshCardsOf(s: SlackCtx<'db' | 'log'>, mentionIds: number[]): Promise<void> {
  if (!mentionIds.length) return;
  const threads = await s.db
    .select()
    .from(slackThreads)
    .where(and(inArray(slackThreads.rootMentionId, mentionIds), isNotNull(slackThreads.threadTs)));
  for (const thread of threads) {
    try {
      await refreshCard(s, thread);
    } catch (err) {
      s.log.warn({ rootMentionId: thread.rootMentionId, reason: errorReason(err) }, 'card not refreshed');
    }
  }
}

/**
 * Re-renders the Slack message a mention is shown in after the customer edited or deleted it:
 * the card when it is the conversation's root, its message in the thread otherwise. A mention
 * not posted yet needs nothing: its card is rendered from the row when it is.
 */
export async function refreshMentionMessage(s: SlackCtx<'db'>, mentionId: number): Promise<void> {
  const m = await loadMention(s.db, mentionId);
  if (!m.slackChannel || !m.slackTs || !m.triage) return;
  const thread = await threadOfMention(s.db, m.id);
  if (thread?.rootMentionId === m.id) return refreshCard(s, thread);
  const message = followUpMessage(m, m.triage, thread && (await cardCustomer(s.db, thread)));
  await s.slack.chat.update({ channel: m.slackChannel, ts: m.slackTs, ...message });
}
