import type { SlackCtx } from '../src/context.js';
import { postAlert, tickSpikes } from '../src/slack/jobs/spike-alert.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';
import { tickIncidents } from '../src/slack/jobs/incident-tick.js';

export const startSpikesWorker = (s: StageCtx & SlackCtx<'db' | 'slackPace'>) =>
  startStageWorker(
    s,
    'spikes',
    (job) => (job.name === 'alert' ? postAlert(s, job.data.spikeId!) : job.name === 'incidents' ? tickIncidents(s) : tickSpikes(s)),
    { concurrency: 1 },
  );
