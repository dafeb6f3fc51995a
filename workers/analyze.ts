import { analyze } from '../src/pipeline/analyze.js';
import { markFailed } from '../src/db/mention-row.js';
import type { Services } from '../src/app/services.js';
import { startStageWorker } from '../src/queues/stage-worker.js';

export const startAnalyzeWorker = (s: Services) =>
  startStageWorker(s, 'analyze', (job) => analyze(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `analyze: ${err.message}`),
  });
