import type { Ctx } from '../src/context.js';
import { applyRetention } from '../src/pipeline/retention.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

/** The daily purge of what is past RETENTION_DAYS; one run at a time. Runs with Slack on or off. */
export const startRetentionWorker = (s: StageCtx & Ctx<'db'>) =>
  startStageWorker(
    s,
    'retention',
    async (job) => {
      await applyRetention(s, job.data.now === undefined ? undefined : new Date(job.data.now));
    },
    { concurrency: 1 },
  );
