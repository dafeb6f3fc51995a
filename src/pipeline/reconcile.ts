import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import { broadcasts, incidentUpdates, inFlightStates, mentions, replies } from '../db/schema.js';
import { groupBy } from '../shared/group-by.js';
import {
  batchJobId,
  broadcastJob,
  broadcastJobId,
  newBatchToken,
  replyJob,
  replyJobId,
  type JobSource,
  type MentionStage,
} from '../queues/queues.js';
import type { Ctx } from '../context.js';
import { isolateRefusedRows, rejectMention } from './refused-rows.js';

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
export async function reconcile(
  s: Ctx<'log' | 'db' | 'queues' | 'metrics'>,
  stuckAfterMs: number,
): Promise<{ mentions: number; replies: number; broadcasts: number }> {
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
    // A row the database refuses to touch is rejected rather than holding the round up for ever.
    const moved = await isolateRefusedRows(
      orphans,
      async (part) =>
        (
          await s.db
            .update(mentions)
            .set({ jobId })
            .where(and(inArray(mentions.id, part), eq(mentions.state, state)))
            .returning({ id: mentions.id })
        ).map((r) => r.id),
      async (id, err) => {
        await rejectMention(s, 'reconcile', [state], id, err);
        return [];
      },
    );
    if (!moved.length) continue;
    await s.queues[stage].add(stage, { mentionIds: moved }, { jobId });
    requeued += moved.length;
  }

  // A reply keeps its job id: a job that is gone (a flush) is added again, and one that ended
  // without settling its row (failed for good after stalling in killed workers again and again,
  // which skips the processor) is replaced. A reply caught mid-send ('sending') goes too: its
  // job asks the network whether it arrived (interrupted-reply.ts).
  const stuckReplies = await s.db
    .select({ id: replies.id, at: replies.createdAt })
    .from(replies)
    .where(and(inArray(replies.state, ['pending', 'sending']), lt(replies.updatedAt, cutoff)))
    .limit(BATCH);
  const pending = await orphaned(s.queues.outbound, stuckReplies, replyJobId);
  await s.queues.outbound.addBulk(pending.map(replyJob));

  // An update decided for broadcast keeps one 'pending' row per network until its job claims it;
  // its job is added again the same way. A row caught mid-call ('sending') is not: unlike a
  // reply, nothing asks the network whether it arrived, and a broadcast is never resent blindly.
  const stuckBroadcasts = await s.db
    .selectDistinct({ id: broadcasts.updateId, at: incidentUpdates.at })
    .from(broadcasts)
    .innerJoin(incidentUpdates, eq(incidentUpdates.id, broadcasts.updateId))
    .where(and(eq(broadcasts.state, 'pending'), lt(broadcasts.createdAt, cutoff)))
    .limit(BATCH);
  const undelivered = await orphaned(s.queues.broadcast, stuckBroadcasts, broadcastJobId);
  await s.queues.broadcast.addBulk(undelivered.map(broadcastJob));

  const counts = { mentions: requeued, replies: pending.length, broadcasts: undelivered.length };
  for (const [what, n] of Object.entries(counts)) if (n) s.metrics.requeued.inc({ what }, n);
  if (requeued || pending.length || undelivered.length) s.log.info(counts, 'reconciler re-queued stuck work');
  return counts;
}

/** The rows whose job is gone or ended without settling them; an ended job is removed so that the row can be queued again. */
async function orphaned<T>(queue: Queue<T>, rows: JobSource[], jobIdOf: (row: JobSource) => string): Promise<JobSource[]> {
  const found = await Promise.all(
    rows.map(async (row) => {
      const job = await queue.getJob(jobIdOf(row));
      if (job && alive.has(await job.getState())) return undefined;
      await job?.remove();
      return row;
    }),
  );
  return found.filter((row) => row !== undefined);
}
