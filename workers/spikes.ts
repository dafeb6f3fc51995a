import type { WebClient } from '@slack/web-api';
import type { Services } from '../src/app/services.js';
import { postAlert, tickSpikes } from '../src/slack/jobs/spike-alert.js';
import { startStageWorker } from '../src/queues/stage-worker.js';
import { tickIncidents } from '../src/slack/jobs/incident-tick.js';

export const startSpikesWorker = (s: Services & { slack: WebClient }) =>
  startStageWorker(
    s,
    'spikes',
    (job) => (job.name === 'alert' ? postAlert(s, job.data.spikeId!) : job.name === 'incidents' ? tickIncidents(s) : tickSpikes(s)),
    { concurrency: 1 },
  );
