import { batchJobId, newBatchToken, type Queues } from '../queues/queues.js';
import { withDeadline } from '../shared/deadline.js';

interface Window {
  jobId: string;
  ids: number[];
  /** receive() calls still inserting under this window's job id. */
  inserting: number;
  closed: boolean;
  queued: Promise<void>;
  release(): void;
}

/**
 * Joins what arrives within a few milliseconds into one ingest job: a webhook delivers one
 * mention per request, and a batch of one would cost the pipeline as much as a batch of a
 * hundred. Each caller inserts its rows under the open window's job id, then waits until the
 * window's job is queued. A window closes after `windowMs` or at `max` mentions, and is queued
 * once the last insert under it has finished.
 */
export function createIntake(
  queues: Pick<Queues, 'ingest'>,
  opts: { windowMs: number; max: number; redisUp?: () => boolean; queueWithinMs?: number },
) {
  let open: Window | undefined;

  // The rows are stored: a webhook is answered within seconds even when Redis is away (known
  // away: not even tried), and the reconciler queues them once it is back.
  const queue = async (w: Window) => {
    if (!w.ids.length) return;
    if (opts.redisUp && !opts.redisUp()) throw new Error('redis unreachable: the reconciler queues these once it is back');
    await withDeadline(
      queues.ingest.add('ingest', { mentionIds: w.ids }, { jobId: w.jobId }),
      opts.queueWithinMs ?? 2000,
      'queuing an ingest job',
    );
  };
  const maybeQueue = (w: Window) => {
    if (w.closed && w.inserting === 0) w.release();
  };
  const close = (w: Window) => {
    if (w.closed) return;
    w.closed = true;
    if (open === w) open = undefined;
    maybeQueue(w);
  };
  const start = (): Window => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w: Window = {
      jobId: batchJobId('ingest', newBatchToken()),
      ids: [],
      inserting: 0,
      closed: false,
      queued: gate.then(() => queue(w)),
      release,
    };
    w.queued.catch(() => {}); // each caller hears of a failure through its own await
    setTimeout(() => close(w), opts.windowMs).unref();
    return w;
  };

  return {
    /**
     * Runs `insert` with the open window's job id; `insert` returns the ids it stored. Resolves
     * when those ids are in a queued ingest job (rejects if queuing failed: the rows are stored).
     */
    async enter(insert: (jobId: string) => Promise<number[]>): Promise<void> {
      open ??= start();
      const w = open;
      w.inserting++;
      try {
        const ids = await insert(w.jobId);
        w.ids.push(...ids);
        if (w.ids.length >= opts.max) close(w);
      } finally {
        w.inserting--;
        maybeQueue(w);
      }
      await w.queued;
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
