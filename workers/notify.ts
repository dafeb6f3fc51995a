import type { WebClient } from '@slack/web-api';
import { markFailed } from '../src/db/mention-row.js';
import { notify } from '../src/pipeline/notify.js';
import type { Services } from '../src/app/services.js';
import { startStageWorker } from '../src/queues/stage-worker.js';

export const startNotifyWorker = (s: Services & { slack: WebClient }) =>
  startStageWorker(s, 'notify', (job) => notify(s, job.id!, job.data.mentionIds), {
    onExhausted: (job, err) => markFailed(s.db, job.data.mentionIds, `notify: ${err.message}`),
  });
