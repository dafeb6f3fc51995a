/**
 * Erasing customer data, shared by `carebot forget` (one customer, on request) and the daily
 * retention job (what is older than RETENTION_DAYS). docs/data.md is the contract: what is
 * erased, what stays and why.
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray, isNotNull, like, not, sql, TransactionRollbackError } from 'drizzle-orm';
import type { Platform } from '../mention.js';
import type { Db } from './open.js';
import { query } from './query.js';
import { auditLog, corrections, mentions, replies, slackThreads } from './schema.js';

/**
 * An erased mention: state `rejected` (a state that promises no column, so no stage and no view
 * expects its text) with this as its error. The row itself stays, holding only its platform and
 * external id: it is the dedupe record, so a re-delivered message is not stored and carded again.
 */
export const ERASED = 'erased';
/** Replies to an erased mention keep their row (the brand's record) under a key that names no one. */
const ERASED_KEY = 'erased:';

/** How the audit log names a customer or a conversation once erased: a hash, not the id. */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const customerHash = (platform: string, authorId: string) => sha256(`${platform}:${authorId}`);

/** A Slack message carebot posted about the erased data; Slack's copy is not carebot's to erase. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export interface Erasure {
  mentions: number;
  /** Replies whose text was blanked (pending ones are also cancelled). */
  replies: number;
  corrections: number;
  /** Conversation rows (slack_threads) deleted. */
  conversations: number;
  slackMessages: SlackMessageRef[];
}

export const noErasure = (): Erasure => ({ mentions: 0, replies: 0, corrections: 0, conversations: 0, slackMessages: [] });

export function addErasure(total: Erasure, e: Erasure): Erasure {
  return {
    mentions: total.mentions + e.mentions,
    replies: total.replies + e.replies,
    corrections: total.corrections + e.corrections,
    conversations: total.conversations + e.conversations,
    slackMessages: [...total.slackMessages, ...e.slackMessages],
  };
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Erases the mentions `ids` in one transaction: their replies' text, the corrections of them,
 * the conversations whose root they are (and the audit log's name for those), then the rows
 * themselves, blanked down to their id. `dryRun` does all of it and rolls back, so the counts it
 * returns are exactly what a real run would do. Rows already erased are left alone and not counted.
 */
export async function eraseMentions(db: Db, ids: number[], opts: { dryRun?: boolean } = {}): Promise<Erasure> {
  if (!ids.length) return noErasure();
  let result = noErasure();
  try {
    await db.transaction(async (tx) => {
      result = await eraseIn(tx, ids);
      if (opts.dryRun) tx.rollback();
    });
  } catch (err) {
    if (!(opts.dryRun && err instanceof TransactionRollbackError)) throw err;
  }
  return result;
}

async function eraseIn(tx: Tx, candidates: number[]): Promise<Erasure> {
  // Locked first, so a pipeline stage moving one of them waits and then finds it erased.
  const rows = await tx
    .select({
      id: mentions.id,
      platform: mentions.platform,
      conversationId: mentions.conversationId,
      channel: mentions.slackChannel,
      ts: mentions.slackTs,
    })
    .from(mentions)
    .where(and(inArray(mentions.id, candidates), sql`${mentions.error} is distinct from ${ERASED}`))
    .for('update');
  const ids = rows.map((r) => r.id);
  if (!ids.length) return noErasure();

  const threads = await tx.delete(slackThreads).where(inArray(slackThreads.rootMentionId, ids)).returning();
  const slackMessages = new Map<string, SlackMessageRef>();
  const note = (channel: string | null, ts: string | null) => {
    if (channel && ts) slackMessages.set(`${channel} ${ts}`, { channel, ts });
  };
  for (const t of threads) {
    note(t.channel, t.threadTs);
    note(t.channel, t.earlierThreadTs);
  }
  for (const r of rows) note(r.channel, r.ts);

  const erasedCorrections = await tx.delete(corrections).where(inArray(corrections.mentionId, ids)).returning({ id: corrections.id });
  const erasedReplies = await tx
    .update(replies)
    .set({
      text: '',
      // A reply not sent yet never goes: there is no one to send it to any more. One in the
      // network's hands may have arrived or not; it is not retried.
      state: sql`case ${replies.state} when 'pending' then 'skipped' when 'sending' then 'unknown' else ${replies.state} end`,
      error: sql`case when ${replies.state} in ('pending', 'sending') then ${ERASED} else ${replies.error} end`,
      // Follow-up and acknowledgement keys name the customer's id.
      idempotencyKey: sql`${ERASED_KEY} || ${replies.id}`,
      updatedAt: sql`now()`,
    })
    .where(and(inArray(replies.mentionId, ids), not(like(replies.idempotencyKey, `${ERASED_KEY}%`))))
    .returning({ id: replies.id });

  await tx
    .update(mentions)
    .set({
      state: 'rejected',
      error: ERASED,
      payload: {},
      jobId: null,
      conversationId: null,
      inReplyTo: null,
      authorId: null,
      authorHandle: null,
      authorName: null,
      authorFollowers: null,
      authorUrl: null,
      text: null,
      url: null,
      createdAt: null,
      language: null,
      attachments: [],
      triage: null,
      priority: null,
      category: null,
      sentiment: null,
      slackChannel: null,
      slackTs: null,
      notifyClaim: null,
      notifyClaimedAt: null,
      updatedAt: sql`now()`,
    })
    .where(inArray(mentions.id, ids));

  // The audit log keeps every action on an erased conversation, naming it by a hash: a DM's
  // conversation id holds the customer's own id. An escalation's note is an agent's free text.
  const keys = [...new Set(rows.flatMap((r) => (r.conversationId ? [`${r.platform}:${r.conversationId}`] : [])))];
  if (keys.length) {
    const live = await tx
      .select({ key: sql<string>`${slackThreads.platform} || ':' || ${slackThreads.conversationId}` })
      .from(slackThreads)
      .where(inArray(sql`${slackThreads.platform} || ':' || ${slackThreads.conversationId}`, keys));
    const kept = new Set(live.map((l) => l.key));
    for (const key of keys.filter((k) => !kept.has(k))) {
      const platform = key.slice(0, key.indexOf(':'));
      await tx
        .update(auditLog)
        .set({
          subjectId: `${platform}:erased:${sha256(key).slice(0, 16)}`,
          detail: sql`case when ${auditLog.detail} ? 'note' then jsonb_set(${auditLog.detail}, '{note}', ${JSON.stringify(ERASED)}::jsonb) else ${auditLog.detail} end`,
        })
        .where(and(eq(auditLog.subjectType, 'conversation'), eq(auditLog.subjectId, key)));
    }
  }

  return {
    mentions: ids.length,
    replies: erasedReplies.length,
    corrections: erasedCorrections.length,
    conversations: threads.length,
    slackMessages: [...slackMessages.values()],
  };
}

/** The customer's stored mentions (not erased yet) whose author carebot has read: ingested or later. */
export async function mentionsByAuthor(db: Db, platform: Platform, authorId: string): Promise<number[]> {
  const rows = await db
    .select({ id: mentions.id })
    .from(mentions)
    .where(and(eq(mentions.platform, platform), eq(mentions.authorId, authorId)))
    .orderBy(mentions.id);
  return rows.map((r) => r.id);
}

/**
 * Rows whose author carebot has not read (still `received`, or stopped before ingest) and whose
 * payload is still there: only reading the payload tells whose they are. Keyset pages by id.
 */
export async function unreadMentions(
  db: Db,
  platform: Platform,
  afterId: number,
  limit: number,
): Promise<Array<{ id: number; payload: unknown }>> {
  return query<{ id: number; payload: unknown }>(
    db,
    sql`select ${mentions.id} as id, ${mentions.payload} as payload from ${mentions}
        where ${mentions.platform} = ${platform} and ${mentions.authorId} is null and ${mentions.payload} <> '{}'::jsonb
          and ${mentions.error} is distinct from ${ERASED} and ${mentions.id} > ${afterId}
        order by ${mentions.id} limit ${limit}`,
  ).then((rows) => rows.map((r) => ({ id: Number(r.id), payload: r.payload })));
}

/** The author ids stored with a handle (for a support person who knows the customer by their @name). */
export async function authorsWithHandle(db: Db, platform: Platform, handle: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: mentions.authorId })
    .from(mentions)
    .where(and(eq(mentions.platform, platform), isNotNull(mentions.authorId), sql`lower(${mentions.authorHandle}) = lower(${handle})`));
  return rows.map((r) => r.id!);
}
