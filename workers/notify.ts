import { errorReason } from '../src/shared/log.js';
import { markFailed } from '../src/db/mention-row.js';
import { notify } from '../src/pipeline/notify.js';
import type { SlackCtx } from '../src/context.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

export const startNotifyWorker = (s: StageCtx & SlackCtx<'db' | 'slackPace' | 'spikes' | 'connectors'>) =>
  startStageWorker(s, 'notify', (job) => notify(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `notify: ${errorReason(err)}`),
  });
