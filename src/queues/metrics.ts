import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { queueNames, type Queues } from './queues.js';
import { withDeadline } from '../shared/deadline.js';

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per service instance, so that tests can run several in one process. */
export function createMetrics(queues?: Queues) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'carebot_' });
  const registers = [registry];
  return {
    registry,
    mentionsReceived: new Counter({
      name: 'carebot_mentions_received_total',
      help: 'Mentions stored for the first time, by network',
      labelNames: ['platform'] as const,
      registers,
    }),
    mentionsDuplicate: new Counter({
      name: 'carebot_mentions_duplicate_total',
      help: 'Mentions received again (poll overlap, webhook retry) and dropped',
      labelNames: ['platform'] as const,
      registers,
    }),
    stageSeconds: new Histogram({
      name: 'carebot_stage_duration_seconds',
      help: 'Time one pipeline stage spends on a job',
      labelNames: ['stage'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'carebot_mention_to_slack_seconds',
      help: 'From storing a mention to its card reaching Slack',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    requeued: new Counter({
      name: 'carebot_reconciler_requeued_total',
      help: 'Work the reconciler queued again because its job was gone (a Redis flush or outage, a crash), by kind',
      labelNames: ['what'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'carebot_stage_failures_total',
      help: 'Stage attempts that failed, by stage and kind (retry, rejected, exhausted, rate_limited)',
      labelNames: ['stage', 'kind'] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'carebot_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        if (!queues) return;
        await Promise.all(
          queueNames.map(async (name) => {
            const counts = await withDeadline(
              queues[name].getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
              1000,
              `counting ${name} jobs`,
            );
            for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
          }),
        ).catch(() => {
          // Redis away: /metrics still answers with everything else; /readyz reports the outage.
        });
      },
    }),
  };
}
