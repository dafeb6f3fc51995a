import { analyze } from '../src/pipeline/analyze.js';
import { markFailed } from '../src/pipeline/mention-row.js';
import type { Services } from '../src/services.js';
import { startStageWorker } from '../src/worker.js';

export const startAnalyzeWorker = (s: Services) =>
  startStageWorker(s, 'analyze', (job) => analyze(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `analyze: ${err.message}`),
  });
