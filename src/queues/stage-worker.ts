import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { RetryLater } from './retry-later.js';
import type { JobData, QueueName } from './queues.js';
import { rateLimitDelayMs } from './rate-limit.js';
import type { Ctx } from '../context.js';
import { errorReason } from '../shared/log.js';

/**
 * The error as BullMQ will keep it (the job's failure reason and stack, shown in Bull Board):
 * one whose message is not fit to keep (drizzle's carries the statement and its parameters,
 * customer text among them) is replaced by one that says only `errorReason`.
 */
function keepable(err: unknown): Error {
  const reason = errorReason(err);
  if (err instanceof Error && err.message === reason) return err;
  const safe = err instanceof UnrecoverableError ? new UnrecoverableError(reason) : new Error(reason);
  if (err instanceof Error && !(err instanceof UnrecoverableError)) safe.name = err.name;
  return safe;
}

/** What running a stage worker takes; each worker adds what its stage uses. */
export type StageCtx = Ctx<'config' | 'log' | 'redis' | 'redisHealth' | 'queues' | 'metrics'>;

export interface StageOptions<N extends QueueName> {
  concurrency?: number;
  /** Called once, on the last attempt, before the job fails for good: the row records why. */
  onExhausted?(job: Job<JobData[N]>, err: Error): Promise<void>;
}

/**
 * A BullMQ worker with carebot's rules: short lock and stall check (a killed worker's job comes
 * back in seconds), a network's 429 pauses the whole queue for as long as it asked without
 * spending an attempt, bad data fails at once, and the last attempt records its failure.
 */
export function startStageWorker<N extends QueueName>(
  s: StageCtx,
  name: N,
  run: (job: Job<JobData[N]>) => Promise<void>,
  opts: StageOptions<N> = {},
): Worker<JobData[N]> {
  const lockDuration = s.config.JOB_LOCK_SECONDS * 1000;
  const worker = new Worker<JobData[N]>(
    name,
    async (job, token) => {
      const done = s.metrics.stageSeconds.startTimer({ stage: name });
      try {
        await run(job);
      } catch (caught) {
        if (caught instanceof RetryLater) {
          await job.moveToDelayed(Date.now() + caught.delayMs, token);
          throw new DelayedError();
        }
        const waitMs = rateLimitDelayMs(caught);
        if (waitMs !== undefined) {
          s.metrics.failures.inc({ stage: name, kind: 'rate_limited' });
          s.log.warn({ queue: name, waitMs }, 'rate limited: pausing the queue');
          await s.queues[name].rateLimit(waitMs);
          throw Worker.RateLimitError();
        }
        const err = keepable(caught);
        if (err instanceof UnrecoverableError) {
          s.metrics.failures.inc({ stage: name, kind: 'rejected' });
          throw err;
        }
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        s.metrics.failures.inc({ stage: name, kind: last ? 'exhausted' : 'retry' });
        if (last) await opts.onExhausted?.(job, err);
        throw err;
      } finally {
        done();
      }
    },
    {
      connection: s.redis,
      prefix: s.config.QUEUE_PREFIX,
      concurrency: opts.concurrency ?? s.config.WORKER_CONCURRENCY,
      lockDuration,
      stalledInterval: lockDuration / 2,
      maxStalledCount: 2,
      // Never reached: it is here because BullMQ honours a manual rateLimit() (a 429's pause)
      // only on workers that have a limiter; without one, another slot takes the job at once.
      limiter: { max: 1_000_000, duration: 1000 },
    },
  );
  worker.on('failed', (job, err) => {
    if (err.name === 'DelayedError' || err.name === 'RateLimitError') return;
    s.log.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: errorReason(err) }, 'job failed');
  });
  // Redis being away is said once for the whole process (redis-health.ts), not by every worker every second.
  worker.on('error', (err) => {
    if (!s.redisHealth.sawError(err)) s.log.error({ queue: name, err: errorReason(err) }, 'worker error');
  });
  return worker;
}
