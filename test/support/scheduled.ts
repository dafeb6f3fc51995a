import { QueueEvents } from 'bullmq';
import type { QueueName } from '../../src/queues/queues.js';
import { eventually, type Harness } from './services.js';

/**
 * Until the next run of a repeating job (the job scheduler `schedulerId` on `queue`) has
 * finished. That run is still delayed when this is called, so it starts after and reads
 * everything stored before: whatever a periodic round does with the state as it is now, it has
 * done once this resolves. A run that fails fails the test with its reason.
 */
export async function nextScheduledRun(h: Pick<Harness, 's'>, queue: QueueName, schedulerId: string, timeoutMs = 30_000): Promise<void> {
  const q = h.s.queues[queue];
  // A connection of its own: QueueEvents blocks on it, reading the queue's event stream.
  const connection = h.s.redis.duplicate();
  const events = new QueueEvents(queue, { connection, prefix: q.opts.prefix });
  try {
    await events.waitUntilReady();
    const job = await eventually(`the next run of ${schedulerId} to be scheduled`, async () => {
      const scheduler = await q.getJobScheduler(schedulerId);
      // Well ahead of its time, so that it cannot start before the events are being read.
      if (!scheduler?.next || scheduler.next < Date.now() + 250) return undefined;
      return (await q.getJobs(['delayed'])).find((j) => j.repeatJobKey === schedulerId);
    });
    await job.waitUntilFinished(events, timeoutMs);
  } finally {
    await events.close();
    connection.disconnect();
  }
}
