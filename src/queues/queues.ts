import { randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Platform } from '../mention.js';

/** One BullMQ queue per pipeline stage; the worker for each lives in workers/<name>.ts. */
export const queueNames = ['ingest', 'analyze', 'notify', 'outbound', 'broadcast', 'poll', 'spikes', 'sla', 'retention'] as const;
export type QueueName = (typeof queueNames)[number];

/**
 * The mention stages carry batches: a poll page or a burst of webhooks travels as one job per
 * stage, so the database sees one select and one update per batch instead of per mention.
 * Each stage is idempotent per row (it only moves rows that are in the state it expects).
 */
export interface MentionBatch {
  mentionIds: number[];
}

export interface JobData {
  ingest: MentionBatch;
  analyze: MentionBatch;
  notify: MentionBatch;
  outbound: { replyId: number };
  /** An incident update someone chose to broadcast: sent to each network by a worker (whose connectors are logged in). */
  broadcast: { updateId: number };
  poll: { connector: Platform };
  /** `alert`: post one spike's alert now; `tick` (scheduled): edit, digest and close open spikes. */
  spikes: { spikeId?: number };
  /**
   * The scheduled SLA check of the Slack inbox: it looks at every open conversation, as of when
   * it runs (the schedule gives no data), or as of `now` (an ISO time) when a test gives one.
   */
  sla: { now?: string };
  /** The daily purge of what is past RETENTION_DAYS (src/pipeline/retention.ts), as of `now` when a test gives one. */
  retention: { now?: string };
}

export type Queues = { [N in QueueName]: Queue<JobData[N]> };

export type MentionStage = 'ingest' | 'analyze' | 'notify';

/**
 * A batch's job ids share one token from stage to stage (`ingest-k3x…`, `analyze-k3x…`), so a
 * retried stage adds the same next job again, which BullMQ ignores while it exists. Custom ids
 * must not be bare integers nor contain ':'.
 */
export const newBatchToken = () => randomBytes(8).toString('hex');
export const batchJobId = (stage: MentionStage, token: string, part?: string) => (part ? `${stage}-${token}-${part}` : `${stage}-${token}`);
/** The token of a batch job id, to name the next stage's job after it. */
export const batchTokenOf = (jobId: string) => jobId.split('-')[1]!;
/**
 * The row a job is named after. Its id alone repeats: a database restored from a backup, or a
 * fresh one on a Redis that still holds finished jobs (kept an hour, failed ones a week), hands
 * out the same ids again, and BullMQ silently ignores an add whose id it holds. The moment the
 * row was written never repeats, so the name carries both.
 */
export interface JobSource {
  id: number;
  at: Date;
}
const named = (kind: string, row: JobSource) => `${kind}-${row.id}-${row.at.getTime().toString(36)}`;
export const replyJobId = (reply: JobSource) => named('r', reply);
export const broadcastJobId = (update: JobSource) => named('b', update);
export const spikeJobId = (spike: JobSource) => named('spike', spike);
/** A reply's outbound job: one per reply, named after it, so queuing it again while it waits is a no-op. */
export const replyJob = (reply: JobSource) => ({ name: 'outbound', data: { replyId: reply.id }, opts: { jobId: replyJobId(reply) } });
export const broadcastJob = (update: JobSource) => ({
  name: 'broadcast',
  data: { updateId: update.id },
  opts: { jobId: broadcastJobId(update) },
});

export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  // Completed jobs are not the record (the database is); keep a few for Bull Board.
  removeOnComplete: { count: 1000, age: 3600 },
  removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
};

/**
 * Producers fail fast when Redis is away (the row is already stored and the reconciler will
 * queue it later); workers wait for Redis forever, as BullMQ requires.
 */
export function connectRedis(url: string, role: 'producer' | 'worker'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    // A Redis that takes the connection but never answers (a network partition) fails a producer's
    // command too; workers' blocking commands wait by design.
    ...(role === 'producer' ? { commandTimeout: 2000 } : {}),
    lazyConnect: false,
  });
}

/**
 * `onError` hears what a queue's connection reports: without a listener BullMQ writes each
 * error to stderr itself, bypassing the structured log, many times a second while Redis is away.
 */
export function createQueues(connection: ConnectionOptions, prefix: string, onError: (err: Error) => void): Queues {
  const make = <N extends QueueName>(name: N) => {
    const queue = new Queue<JobData[N]>(name, { connection, prefix, defaultJobOptions });
    queue.on('error', onError);
    return queue;
  };
  return {
    ingest: make('ingest'),
    analyze: make('analyze'),
    notify: make('notify'),
    outbound: make('outbound'),
    broadcast: make('broadcast'),
    poll: make('poll'),
    spikes: make('spikes'),
    sla: make('sla'),
    retention: make('retention'),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
