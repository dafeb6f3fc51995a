import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** One BullMQ queue per pipeline stage; the worker for each lives in workers/<name>.ts. */
export const queueNames = ['ingest', 'analyze', 'notify', 'outbound', 'poll', 'sla'] as const;
export type QueueName = (typeof queueNames)[number];

export interface JobData {
  ingest: { mentionId: number };
  analyze: { mentionId: number };
  notify: { mentionId: number };
  outbound: { replyId: number };
  poll: { connector: string };
  /** The scheduled SLA check of the Slack inbox: no data, it looks at every open conversation. */
  sla: Record<string, never>;
}

export type Queues = { [N in QueueName]: Queue<JobData[N]> };

/**
 * Job ids are derived from the row, so adding the same stage twice for one row is a no-op
 * while the job exists. BullMQ forbids bare integers and ':' in custom ids: hence the prefix.
 */
export const mentionJobId = (mentionId: number) => `m-${mentionId}`;
export const replyJobId = (replyId: number) => `r-${replyId}`;

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
    lazyConnect: false,
  });
}

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const make = <N extends QueueName>(name: N) =>
    new Queue<JobData[N]>(name, { connection, prefix, defaultJobOptions });
  return {
    ingest: make('ingest'),
    analyze: make('analyze'),
    notify: make('notify'),
    outbound: make('outbound'),
    poll: make('poll'),
    sla: make('sla'),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
