import type { Platform } from '../src/mention.js';
import { pollTick } from '../src/pipeline/poll.js';
import type { Services } from '../src/app/services.js';
import { startStageWorker } from '../src/queues/stage-worker.js';

export const startPollWorker = (s: Services) =>
  startStageWorker(s, 'poll', (job) => pollTick(s, job.data.connector as Platform), { concurrency: 2 });
