import type { Ctx } from '../src/context.js';
import { sendBroadcast } from '../src/slack/jobs/send-broadcast.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

// One at a time: an incident's next update goes out after its first, so it threads under it.
export const startBroadcastWorker = (s: StageCtx & Ctx<'db' | 'slack' | 'connectors'>) =>
  startStageWorker(s, 'broadcast', (job) => sendBroadcast(s, job.data.updateId), { concurrency: 1 });
