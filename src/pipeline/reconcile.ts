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

  // A reply keeps its job id: a job that is gone (a flush) is added again, and one that ended
  // without settling its row (failed for good after stalling in killed workers again and again,
  // which skips the processor) is replaced. A reply caught mid-send ('sending') goes too: its
  // job asks the network whether it arrived (interrupted-reply.ts).
  const stuckReplies = await s.db
    .select({ id: replies.id })
    .from(replies)
    .where(and(inArray(replies.state, ['pending', 'sending']), lt(replies.updatedAt, cutoff)))
    .limit(BATCH);
  const orphaned = await Promise.all(
    stuckReplies.map(async ({ id }) => {
      const job = await s.queues.outbound.getJob(replyJobId(id));
      if (job && alive.has(await job.getState())) return undefined;
      await job?.remove();
      return id;
    }),
  );
  const pending = orphaned.filter((id) => id !== undefined);
  await s.queues.outbound.addBulk(pending.map((id) => ({ name: 'outbound', data: { replyId: id }, opts: { jobId: replyJobId(id) } })));

  if (requeued || pending.length) s.log.info({ mentions: requeued, replies: pending.length }, 'reconciler re-queued stuck work');
  return { mentions: requeued, replies: pending.length };
}
