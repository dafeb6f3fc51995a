import { errorReason } from '../src/shared/log.js';
import { analyze } from '../src/pipeline/analyze.js';
import { markFailed } from '../src/db/mention-row.js';
import type { Ctx } from '../src/context.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

export const startAnalyzeWorker = (s: StageCtx & Ctx<'db' | 'triage' | 'spikes'>) =>
  startStageWorker(s, 'analyze', (job) => analyze(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `analyze: ${errorReason(err)}`),
  });
