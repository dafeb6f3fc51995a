import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { inFlightStates, mentions, replies } from '../db/schema.js';
import { groupBy } from '../group-by.js';
import { batchJobId, newBatchToken, replyJobId, type MentionStage } from '../queues.js';
import type { Services } from '../services.js';

const nextStage = { received: 'ingest', ingested: 'analyze', analyzed: 'notify' } as const satisfies Record<
  (typeof inFlightStates)[number],
  MentionStage
>;

const BATCH = 1000;
/** A job in one of these states will still get to its rows. */
const alive = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The database is the record, Redis only the transport: rows that sat short of their final
 * state for longer than `stuckAfterMs` are queued again when the job they name is gone (a
 * flush, a failover, a crash between storing and queuing) or finished without them. A job
 * still waiting or running keeps its rows, so a long backlog is never queued twice.
 */
export async function reconcile(s: Services, stuckAfterMs: number): Promise<{ mentions: number; replies: number }> {
  const cutoff = sql`now() - make_interval(secs => ${stuckAfterMs / 1000})`;
  const stuck = await s.db
    .select({ id: mentions.id, state: mentions.state, jobId: mentions.jobId })
    .from(mentions)
    .where(and(inArray(mentions.state, [...inFlightStates]), lt(mentions.updatedAt, cutoff)))
    .orderBy(asc(mentions.updatedAt))
    .limit(BATCH);
  let requeued = 0;
  for (const [state, rows] of groupBy(stuck, (r) => r.state as (typeof inFlightStates)[number])) {
    const stage = nextStage[state];
    const orphans: number[] = [];
    for (const [jobId, group] of groupBy(rows, (r) => r.jobId)) {
      const jobState = jobId ? await s.queues[stage].getJobState(jobId) : 'unknown';
      if (!alive.has(jobState)) orphans.push(...group.map((r) => r.id));
    }
    if (!orphans.length) continue;
    // updated_at stays as it is: it is what a notify claim's lease counts from.
    const jobId = batchJobId(stage, newBatchToken());
    const moved = await s.db
      .update(mentions)
      .set({ jobId })
      .where(and(inArray(mentions.id, orphans), eq(mentions.state, state)))
      .returning({ id: mentions.id });
    if (!moved.length) continue;
    await s.queues[stage].add(stage, { mentionIds: moved.map((r) => r.id) }, { jobId });
    requeued += moved.length;
  }

  // A reply caught mid-send ('sending') is re-queued too: its job then marks it 'unknown'
  // rather than risk sending twice.
  const pending = await s.db
    .select({ id: replies.id })
    .from(replies)
    .where(and(inArray(replies.state, ['pending', 'sending']), lt(replies.updatedAt, cutoff)))
    .limit(BATCH);
  await s.queues.outbound.addBulk(pending.map((r) => ({ name: 'outbound', data: { replyId: r.id }, opts: { jobId: replyJobId(r.id) } })));

  if (requeued || pending.length) s.log.info({ mentions: requeued, replies: pending.length }, 'reconciler re-queued stuck work');
  return { mentions: requeued, replies: pending.length };
}
