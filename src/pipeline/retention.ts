import { and, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { audit, SYSTEM } from '../db/audit.js';
import { addErasure, eraseMentions, ERASED, noErasure } from '../db/erase.js';
import { query } from '../db/query.js';
import { slackThreads } from '../db/schema.js';

const SCHEDULER_ID = 'retention-daily';
const DAY_MS = 24 * 3600 * 1000;
/** Rows per statement and transaction: each batch locks only its own rows, never a table. */
const BATCH = 200;

/**
 * One daily run for the whole deployment (BullMQ's job scheduler keeps a single next run in
 * Redis, however many processes call this). Unset RETENTION_DAYS removes the schedule, so
 * turning retention off stops it.
 */
export async function ensureRetentionSchedule(s: Ctx<'config' | 'queues'>): Promise<void> {
  if (!s.config.RETENTION_DAYS) {
    await s.queues.retention.removeJobScheduler(SCHEDULER_ID);
    return;
  }
  await s.queues.retention.upsertJobScheduler(
    SCHEDULER_ID,
    { every: DAY_MS },
    { name: 'retention', data: {}, opts: { attempts: 3, removeOnComplete: true, removeOnFail: 100 } },
  );
}

export interface RetentionResult {
  /** Mentions whose raw network payload was replaced by `{}`. */
  payloads: number;
  /** Mentions erased (as `carebot forget` does), with their replies' text and corrections. */
  mentions: number;
  replies: number;
  corrections: number;
  /** Closed conversations (slack_threads rows) erased. */
  conversations: number;
}

// What must never be touched, as SQL over a mention aliased `m`: a row still moving through the
// pipeline, a row an open incident's follow-up will answer, a row with a reply not settled yet.
const inFlight = (m: string) => `${m}.state in ('received', 'ingested', 'analyzed')`;
const awaited = (m: string) =>
  `(exists (select 1 from incidents i where i.id = ${m}.incident_id and i.state <> 'resolved')
    or exists (select 1 from replies r where r.mention_id = ${m}.id and r.state in ('pending', 'sending')))`;

/**
 * Everything older than RETENTION_DAYS that nobody is working on: closed conversations (resolved
 * or spam) whose last activity is past the cutoff are erased, and so are past messages that never
 * became a conversation (collapsed into a spike, rejected, failed); every other mention past the
 * cutoff loses its raw payload. Open conversations, rows in flight and replies not settled are
 * never touched. docs/data.md has the rules.
 */
export async function applyRetention(s: Ctx<'config' | 'db' | 'log'>, now = new Date()): Promise<RetentionResult> {
  const days = s.config.RETENTION_DAYS;
  if (!days) return { payloads: 0, ...counts(noErasure()) };
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  let erased = noErasure();
  let conversationsLeft = 0;

  // 1. Closed conversations with nothing newer than the cutoff: every message of theirs, any author.
  let after = { platform: '', conversationId: '' };
  for (;;) {
    const page = await query<{ platform: string; conversation_id: string }>(
      s.db,
      sql`select t.platform, t.conversation_id from slack_threads t
          where t.status in ('resolved', 'spam') and t.updated_at < ${cutoff}
            and (t.platform, t.conversation_id) > (${after.platform}, ${after.conversationId})
            and not exists (
              select 1 from mentions m where m.platform = t.platform and m.conversation_id = t.conversation_id
                and (m.received_at >= ${cutoff} or ${sql.raw(inFlight('m'))} or ${sql.raw(awaited('m'))}
                     or exists (select 1 from replies r where r.mention_id = m.id and r.updated_at >= ${cutoff})))
          order by t.platform, t.conversation_id limit ${BATCH}`,
    );
    if (!page.length) break;
    const ids = await query<{ id: number }>(
      s.db,
      sql`select m.id from mentions m
          where (m.platform, m.conversation_id) in (${sql.join(
            page.map((p) => sql`(${p.platform}, ${p.conversation_id})`),
            sql`, `,
          )})
            and m.received_at < ${cutoff} and not ${sql.raw(inFlight('m'))}`,
    );
    erased = addErasure(
      erased,
      await eraseMentions(
        s.db,
        ids.map((r) => Number(r.id)),
      ),
    );
    // A conversation row whose root was erased before (by `forget`, say) goes too.
    const keys = page.map((p) => `${p.platform}:${p.conversation_id}`);
    const left = await s.db
      .delete(slackThreads)
      .where(
        and(
          inArray(sql`${slackThreads.platform} || ':' || ${slackThreads.conversationId}`, keys),
          inArray(slackThreads.status, ['resolved', 'spam']),
        ),
      )
      .returning({ platform: slackThreads.platform });
    conversationsLeft += left.length;
    const last = page.at(-1)!;
    after = { platform: last.platform, conversationId: last.conversation_id };
    if (page.length < BATCH) break;
  }

  // 2. Past messages that never became a conversation in Slack, with nothing newer beside them.
  let afterId = 0;
  for (;;) {
    const page = await query<{ id: number }>(
      s.db,
      sql`select m.id from mentions m
          where m.id > ${afterId} and m.received_at < ${cutoff} and m.state in ('notified', 'rejected', 'failed')
            and m.error is distinct from ${ERASED} and not ${sql.raw(awaited('m'))}
            and not exists (select 1 from slack_threads t where t.platform = m.platform and t.conversation_id = m.conversation_id)
            and not exists (
              select 1 from mentions o where o.platform = m.platform and o.conversation_id = m.conversation_id
                and (o.received_at >= ${cutoff} or ${sql.raw(inFlight('o'))}))
          order by m.id limit ${BATCH}`,
    );
    if (!page.length) break;
    const ids = page.map((r) => Number(r.id));
    erased = addErasure(erased, await eraseMentions(s.db, ids));
    afterId = ids.at(-1)!;
    if (page.length < BATCH) break;
  }

  // 3. The raw payload of every other mention past the cutoff, unless its conversation is open.
  let payloads = 0;
  afterId = 0;
  for (;;) {
    const page = await query<{ id: number }>(
      s.db,
      sql`update mentions set payload = '{}'::jsonb where id in (
            select m.id from mentions m
            where m.id > ${afterId} and m.received_at < ${cutoff} and m.payload <> '{}'::jsonb
              and not ${sql.raw(inFlight('m'))} and not ${sql.raw(awaited('m'))}
              and not exists (
                select 1 from slack_threads t where t.platform = m.platform and t.conversation_id = m.conversation_id
                  and t.status not in ('resolved', 'spam'))
            order by m.id limit ${BATCH})
          returning id`,
    );
    payloads += page.length;
    if (page.length < BATCH) break;
    afterId = Math.max(...page.map((r) => Number(r.id)));
  }

  const result: RetentionResult = { payloads, ...counts(erased) };
  result.conversations += conversationsLeft;
  // Counts only: what was erased is gone, and the log must not name it.
  s.log.info({ days, ...result }, 'retention: purged what is past RETENTION_DAYS');
  if (Object.values(result).some(Boolean)) {
    await audit(
      s.db,
      SYSTEM,
      'retention',
      { type: 'retention', id: cutoff.toISOString() },
      { days, cutoff: cutoff.toISOString(), ...result, slackMessages: erased.slackMessages.length },
    );
  }
  return result;
}

const counts = (e: ReturnType<typeof noErasure>) => ({
  mentions: e.mentions,
  replies: e.replies,
  corrections: e.corrections,
  conversations: e.conversations,
});
