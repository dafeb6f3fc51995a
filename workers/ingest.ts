import { errorReason } from '../src/shared/log.js';
import { markFailed } from '../src/db/mention-row.js';
import { ingest } from '../src/pipeline/ingest.js';
import type { Ctx } from '../src/context.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

export const startIngestWorker = (s: StageCtx & Ctx<'db' | 'registry'>) =>
  startStageWorker(s, 'ingest', (job) => ingest(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `ingest: ${errorReason(err)}`),
  });
