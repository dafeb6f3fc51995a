import type { SlackCtx } from '../src/context.js';
import { releaseStaleReplying } from '../src/slack/inbox/collision.js';
import { checkSla } from '../src/slack/jobs/sla.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

/** The scheduled upkeep of the Slack inbox: SLA reminders and breaches, then stale "is replying" marks. */
export const startSlaWorker = (s: StageCtx & SlackCtx<'db'>) =>
  startStageWorker(
    s,
    'sla',
    async (job) => {
      await checkSla(s, job.data.now === undefined ? undefined : new Date(job.data.now));
      await releaseStaleReplying(s);
    },
    { concurrency: 1 },
  );
