import type { WebClient } from '@slack/web-api';
import type { Services } from '../src/app/services.js';
import { releaseStaleReplying } from '../src/slack/inbox/collision.js';
import { checkSla } from '../src/slack/jobs/sla.js';
import { startStageWorker } from '../src/queues/stage-worker.js';

/** The scheduled upkeep of the Slack inbox: SLA reminders and breaches, then stale "is replying" marks. */
export const startSlaWorker = (s: Services & { slack: WebClient }) =>
  startStageWorker(
    s,
    'sla',
    async () => {
      await checkSla(s);
      await releaseStaleReplying(s);
    },
    { concurrency: 1 },
  );
