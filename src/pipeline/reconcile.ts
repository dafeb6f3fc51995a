import { and, asc, inArray, lt, sql } from 'drizzle-orm';
import { inFlightStates, mentions, replies } from '../db/schema.js';
import { mentionJobId, replyJobId, type QueueName } from '../queues.js';
import type { Services } from '../services.js';

const nextStage = { received: 'ingest', ingested: 'analyze', analyzed: 'notify' } as const satisfies Record<
  (typeof inFlightStates)[number],
  QueueName
>;

const BATCH = 1000;

/**
 * The database is the record, Redis only the transport: rows that sat short of their final
 * state for longer than `stuckAfterMs` get their next job added again. Adding is a no-op while
 * the job still exists, so this only revives work that Redis lost (a flush, a failover).
 */
export async function reconcile(s: Services, stuckAfterMs: number): Promise<{ mentions: number; replies: number }> {
  const cutoff = sql`now() - make_interval(secs => ${stuckAfterMs / 1000})`;
  const stuck = await s.db
    .select({ id: mentions.id, state: mentions.state })
    .from(mentions)
    .where(and(inArray(mentions.state, [...inFlightStates]), lt(mentions.updatedAt, cutoff)))
    .orderBy(asc(mentions.updatedAt))
    .limit(BATCH);
  for (const state of inFlightStates) {
    const ids = stuck.filter((r) => r.state === state).map((r) => r.id);
    if (!ids.length) continue;
    const queue = s.queues[nextStage[state]];
    await queue.addBulk(ids.map((mentionId) => ({ name: queue.name, data: { mentionId }, opts: { jobId: mentionJobId(mentionId) } })));
  }

  // A reply caught mid-send ('sending') is re-queued too: its job then marks it 'unknown'
  // rather than risk sending twice.
  const pending = await s.db
    .select({ id: replies.id })
    .from(replies)
    .where(and(inArray(replies.state, ['pending', 'sending']), lt(replies.updatedAt, cutoff)))
    .limit(BATCH);
  await s.queues.outbound.addBulk(pending.map((r) => ({ name: 'outbound', data: { replyId: r.id }, opts: { jobId: replyJobId(r.id) } })));

  if (stuck.length || pending.length) s.log.info({ mentions: stuck.length, replies: pending.length }, 'reconciler re-queued stuck work');
  return { mentions: stuck.length, replies: pending.length };
}
