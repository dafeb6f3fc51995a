import type { WebClient } from '@slack/web-api';
import type { Services } from '../src/services.js';
import { postAlert, tickSpikes } from '../src/spikes/alert.js';
import { startStageWorker } from '../src/worker.js';

export const startSpikesWorker = (s: Services & { slack: WebClient }) =>
  startStageWorker(s, 'spikes', (job) => (job.name === 'alert' ? postAlert(s, job.data.spikeId!) : tickSpikes(s)), { concurrency: 1 });
