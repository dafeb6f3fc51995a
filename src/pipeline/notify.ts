import { and, eq, isNull, sql } from 'drizzle-orm';
import type { WebClient } from '@slack/web-api';
import { mentions, slackThreads } from '../db/schema.js';
import { chooseChannel } from '../routing.js';
import type { Services } from '../services.js';
import { cardMetadata, followUpMessage, mentionCard } from '../slack/card.js';
import { findPosted } from '../slack/find-posted.js';
import type { TriageResult } from '../triage/index.js';
import { advance, loadMention, type MentionRow } from './mention-row.js';
import { RetryLater } from './retry-later.js';

type Thread = typeof slackThreads.$inferSelect;

/**
 * Stage 3: the card in Slack. A conversation's first mention posts a card; later ones reply in
 * its thread. Spam gets no card. Posting is at most once per mention even across crashes.
 */
export async function notify(s: Services & { slack: WebClient }, mentionId: number): Promise<void> {
  const row = await loadMention(s.db, mentionId);
  if (row.state !== 'analyzed') return;
  const triage = row.triage as TriageResult;

  if (triage.spam) {
    await advance(s.db, mentionId, 'analyzed', 'notified', { notifiedAt: new Date() });
    return;
  }
  const thread = await claimThread(s, row, triage);
  const isRoot = thread.rootMentionId === row.id;
  if (!isRoot && !thread.threadTs) {
    throw new RetryLater(`waiting for the first card of conversation ${row.conversationId}`, 500);
  }
  const threadTs = isRoot ? undefined : thread.threadTs!;
  const ts = await postOnce(s, row, thread.channel, threadTs, () =>
    isRoot ? mentionCard(row, triage, { page: s.config.file.slack.p1Mention }) : followUpMessage(row, triage),
  );

  if (isRoot) {
    await s.db
      .update(slackThreads)
      .set({ threadTs: ts, updatedAt: sql`now()` })
      .where(and(eq(slackThreads.platform, row.platform), eq(slackThreads.conversationId, row.conversationId!), isNull(slackThreads.threadTs)));
  }
  await advance(s.db, mentionId, 'analyzed', 'notified', { slackChannel: thread.channel, slackTs: ts, notifiedAt: new Date() });
  s.metrics.endToEndSeconds.observe((Date.now() - row.receivedAt.getTime()) / 1000);
}

/**
 * The conversation's thread row, created by the first mention to get here: that row is the claim
 * that makes exactly one card per conversation even when two mentions are notified at once.
 */
async function claimThread(s: Services, row: MentionRow, triage: TriageResult): Promise<Thread> {
  const key = and(eq(slackThreads.platform, row.platform), eq(slackThreads.conversationId, row.conversationId!));
  const channel = chooseChannel(s.config.file.routes, s.config.SLACK_INBOX_CHANNEL, {
    platform: row.platform,
    text: row.text ?? '',
    triage,
  });
  if (!channel) throw new Error('no Slack channel for this mention: set SLACK_INBOX_CHANNEL or a matching route');

  await s.db
    .insert(slackThreads)
    .values({ platform: row.platform, conversationId: row.conversationId!, rootMentionId: row.id, channel, slaDueAt: slaDue(s, row, triage) })
    .onConflictDoNothing();
  const [thread] = await s.db.select().from(slackThreads).where(key);

  // A root that will never get a card (rejected, failed) must not hold its followers back forever.
  if (thread && !thread.threadTs && thread.rootMentionId !== row.id) {
    const [root] = await s.db.select({ state: mentions.state }).from(mentions).where(eq(mentions.id, thread.rootMentionId));
    if (root && (root.state === 'rejected' || root.state === 'failed')) {
      const [taken] = await s.db
        .update(slackThreads)
        .set({ rootMentionId: row.id, channel, updatedAt: sql`now()` })
        .where(and(key, isNull(slackThreads.threadTs), eq(slackThreads.rootMentionId, thread.rootMentionId)))
        .returning();
      if (taken) return taken;
    }
  }
  return thread!;
}

/** The first-response deadline for a new conversation, from when carebot first saw it. */
function slaDue(s: Services, row: MentionRow, triage: TriageResult): Date | null {
  const minutes = s.config.file.slack.sla[triage.priority];
  return minutes && triage.needsResponse ? new Date(row.receivedAt.getTime() + minutes * 60_000) : null;
}

/**
 * Posts unless an earlier attempt already did. The claim time is stored before the call; a
 * retry that finds it asks Slack for a message carrying this mention's metadata first.
 */
async function postOnce(
  s: Services & { slack: WebClient },
  row: MentionRow,
  channel: string,
  threadTs: string | undefined,
  message: () => { text: string; blocks: object[] },
): Promise<string> {
  if (row.notifyClaimedAt) {
    const found = await findPosted(s.slack, row.id, { channel, threadTs, since: row.notifyClaimedAt });
    if (found) return found;
  }
  await s.db.update(mentions).set({ notifyClaimedAt: new Date() }).where(eq(mentions.id, row.id));
  const res = await s.slack.chat.postMessage({
    channel,
    thread_ts: threadTs,
    ...message(),
    metadata: cardMetadata(row.id),
    unfurl_links: false,
    unfurl_media: false,
  } as Parameters<WebClient['chat']['postMessage']>[0]);
  if (!res.ts) throw new Error(`Slack accepted the message but returned no ts (channel ${channel})`);
  return res.ts;
}
