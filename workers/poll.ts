import { pollTick } from '../src/pipeline/poll.js';
import type { Ctx } from '../src/context.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

export const startPollWorker = (s: StageCtx & Ctx<'db' | 'intake' | 'connectors' | 'registry'> & Partial<Ctx<'slack'>>) =>
  startStageWorker(s, 'poll', (job) => pollTick(s, job.data.connector), { concurrency: 2 });
