import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { mentions, slackThreads } from '../db/schema.js';
import { chooseChannel } from './routing.js';
import { isolateRefusedRows } from './refused-rows.js';
import type { Ctx } from '../context.js';
import { audit, conversationSubject, SYSTEM } from '../db/audit.js';
import type { AnalyzedRow, ThreadRow } from '../db/rows.js';

export const conversationKey = (r: { platform: string; conversationId: string | null }) => `${r.platform}\u0000${r.conversationId}`;

/**
 * The Slack thread of each conversation in a batch, created by the first mention to get there:
 * the row is the claim that makes exactly one card per conversation, even when two batches
 * notify the same conversation at once. `firsts` holds each conversation's earliest mention here.
 */
export async function claimThreads(
  s: Ctx<'config' | 'db'>,
  firsts: AnalyzedRow[],
): Promise<{ threads: Map<string, ThreadRow>; refused: Map<string, unknown> }> {
  const refused = new Map<string, unknown>();
  if (!firsts.length) return { threads: new Map(), refused };
  const values = firsts.map((row) => {
    const channel = chooseChannel(s.config.file.routes, s.config.SLACK_INBOX_CHANNEL, {
      platform: row.platform,
      text: row.text,
      triage: row.triage,
    });
    if (!channel) throw new Error('no Slack channel for this mention: set SLACK_INBOX_CHANNEL or a matching route');
    return {
      platform: row.platform,
      conversationId: row.conversationId,
      rootMentionId: row.id,
      channel,
      slaDueAt: slaDue(s, row),
    };
  });
  // A conversation whose thread row the database refuses gets no card; the others go on.
  await isolateRefusedRows(
    values,
    async (part) => {
      await s.db.insert(slackThreads).values(part).onConflictDoNothing();
      return [];
    },
    async (v, err) => {
      refused.set(conversationKey(v), err);
      return [];
    },
  );
  const threads = await s.db
    .select()
    .from(slackThreads)
    .where(or(...firsts.map((r) => and(eq(slackThreads.platform, r.platform), eq(slackThreads.conversationId, r.conversationId)))));
  const byKey = new Map(threads.map((t) => [conversationKey(t), t]));

  // A root that will never get a card (rejected, failed) must not hold its followers back forever.
  const waiting = threads.filter((t) => !t.threadTs && !firsts.some((r) => r.id === t.rootMentionId));
  if (waiting.length) {
    const dead = await s.db
      .select({ id: mentions.id })
      .from(mentions)
      .where(
        and(
          inArray(
            mentions.id,
            waiting.map((t) => t.rootMentionId),
          ),
          inArray(mentions.state, ['rejected', 'failed']),
        ),
      );
    for (const t of waiting.filter((w) => dead.some((d) => d.id === w.rootMentionId))) {
      const heir = firsts.find((r) => conversationKey(r) === conversationKey(t))!;
      const [taken] = await s.db
        .update(slackThreads)
        .set({ rootMentionId: heir.id, updatedAt: sql`now()` })
        .where(
          and(
            eq(slackThreads.platform, t.platform),
            eq(slackThreads.conversationId, t.conversationId),
            isNull(slackThreads.threadTs),
            eq(slackThreads.rootMentionId, t.rootMentionId),
          ),
        )
        .returning();
      if (taken) byKey.set(conversationKey(taken), taken);
    }
  }
  for (const t of threads) {
    const heir = firsts.find((r) => conversationKey(r) === conversationKey(t))!;
    if (longResolved(s, t, heir)) {
      const fresh = await startAgain(s, t, heir);
      if (fresh) byKey.set(conversationKey(fresh), fresh);
    }
  }
  return { threads: byKey, refused };
}

/** A resolved conversation the customer came back to after `slack.reopenWithinHours`: it gets a new card. */
function longResolved(s: Ctx<'config'>, t: ThreadRow, next: AnalyzedRow): boolean {
  if (t.status !== 'resolved' || !t.resolvedAt || !t.threadTs) return false;
  return next.createdAt.getTime() - t.resolvedAt.getTime() > s.config.file.slack.reopenWithinHours * 3_600_000;
}

/**
 * The conversation's row starts over from `heir`: its next card is a new root that links the
 * earlier one, with a fresh SLA and no assignee. Taken only from the state it was read in, so two
 * batches never start it twice.
 */
async function startAgain(s: Ctx<'config' | 'db'>, t: ThreadRow, heir: AnalyzedRow): Promise<ThreadRow | undefined> {
  const [fresh] = await s.db
    .update(slackThreads)
    .set({
      rootMentionId: heir.id,
      threadTs: null,
      earlierThreadTs: t.threadTs,
      status: 'new',
      assignee: null,
      replyingUser: null,
      replyingSince: null,
      slaDueAt: slaDue(s, heir),
      slaRemindedAt: null,
      slaBreachedAt: null,
      firstResponseAt: null,
      firstResponseSeconds: null,
      resolvedAt: null,
      resolutionSeconds: null,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(slackThreads.platform, t.platform),
        eq(slackThreads.conversationId, t.conversationId),
        eq(slackThreads.status, 'resolved'),
        eq(slackThreads.threadTs, t.threadTs!),
      ),
    )
    .returning();
  if (fresh)
    await audit(s.db, SYSTEM, 'reopen', conversationSubject(t), {
      reason: 'the customer wrote again after the reopen window: a new card links the earlier one',
    });
  return fresh;
}

/** Records the cards just posted as their conversations' threads, in one statement. */
export async function setThreadTs(s: Ctx<'db'>, posted: Array<{ thread: ThreadRow; ts: string }>): Promise<void> {
  if (!posted.length) return;
  const values = JSON.stringify(posted.map((p) => ({ platform: p.thread.platform, conversation_id: p.thread.conversationId, ts: p.ts })));
  await s.db.execute(sql`
    update ${slackThreads} as t set thread_ts = v.ts, updated_at = now()
    from jsonb_to_recordset(${values}::jsonb) as v(platform text, conversation_id text, ts text)
    where t.platform = v.platform and t.conversation_id = v.conversation_id and t.thread_ts is null`);
}

/** The first-response deadline for a new conversation, from when carebot first saw it. */
function slaDue(s: Ctx<'config'>, row: AnalyzedRow): Date | null {
  const minutes = s.config.file.slack.sla[row.priority];
  return minutes && row.triage.needsResponse ? new Date(row.receivedAt.getTime() + minutes * 60_000) : null;
}
