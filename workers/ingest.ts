import { markFailed } from '../src/db/mention-row.js';
import { ingest } from '../src/pipeline/ingest.js';
import type { Services } from '../src/app/services.js';
import { startStageWorker } from '../src/queues/stage-worker.js';

export const startIngestWorker = (s: Services) =>
  startStageWorker(s, 'ingest', (job) => ingest(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `ingest: ${err.message}`),
  });
