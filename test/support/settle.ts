import type { Job, Queue } from 'bullmq';
import { replies } from '../../src/db/schema.js';
import type { QueueName } from '../../src/queues/queues.js';
import { eventually, type Harness } from './services.js';

/**
 * Waiting for the point after which something would have happened, instead of sleeping and
 * hoping it would have by then: a late duplicate (a second card, a second send) comes from a
 * job still queued or running, or one the reconciler queues again, never out of nowhere.
 */

/** A job in one of these states will still run. */
const live = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

type Ctx = Pick<Harness, 's' | 'config'>;

const poll = (ms = 50) => new Promise((r) => setTimeout(r, ms));

/**
 * Until no job of `names` is waiting, running (a killed worker's job counts until it is taken
 * back), delayed (a retry, a pause) or prioritized, in whichever process it runs. Give the
 * stages in pipeline order (`ingest`, `analyze`, `notify`): a job adds the next stage's job
 * before it finishes, so reading upstream first never misses one in between.
 */
export async function drained(h: Ctx, names: QueueName[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left: string[] = [];
    for (const name of names) {
      const counts = await h.s.queues[name].getJobCounts(...live);
      const busy = Object.entries(counts).filter(([, n]) => n > 0);
      if (busy.length) left.push(`${name}: ${busy.map(([state, n]) => `${n} ${state}`).join(', ')}`);
    }
    if (!left.length) return;
    if (Date.now() > until) throw new Error(`timed out waiting for the ${names.join(', ')} queues to drain (${left.join('; ')})`);
    await poll();
  }
}

/**
 * Until a maintenance round (the reconciler) has started after this call. Each round takes the
 * maintenance lock with a token of its own, and a process runs its rounds one after the other:
 * a new token means the round that was under way, which may have read a row before it settled,
 * has finished (and queued whatever it was going to), and the new one reads the rows as they
 * are now. For tests where one process runs the maintenance loop.
 */
export async function maintenanceRound(h: Ctx, timeoutMs = 30_000): Promise<void> {
  const key = `${h.config.QUEUE_PREFIX}:maintenance-lock`; // src/app/boot.ts
  const before = await h.s.redis.get(key);
  await eventually(
    'a maintenance round (the reconciler) to start',
    async () => {
      const now = await h.s.redis.get(key);
      return now !== null && now !== before;
    },
    timeoutMs,
  );
}

/**
 * The point after which nothing more will happen: `final` holds (the rows are in their final
 * states), no job of `queues` is left, the reconciler has had another round, and still no job
 * is left (it queued nothing again).
 */
export async function settled(h: Ctx, what: string, queues: QueueName[], final: () => Promise<boolean> | boolean = () => true) {
  await eventually(what, final, 60_000);
  await drained(h, queues);
  await maintenanceRound(h);
  await drained(h, queues);
}

/**
 * Until no reply to a customer can still go out: every reply row past 'pending' and 'sending',
 * no outbound job left, and the reconciler has had a round since.
 */
export const repliesSettled = (h: Ctx) =>
  settled(h, 'every reply sent or settled', ['outbound'], async () => {
    const rows = await h.s.db.select({ state: replies.state }).from(replies);
    return rows.every((r) => r.state !== 'pending' && r.state !== 'sending');
  });

/** Until each of `jobs` has completed; a job that failed fails the test with its reason. */
export async function finished(what: string, queue: Queue, jobs: Job[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(jobs.map((j) => queue.getJobState(j.id!)));
    const failed = states.indexOf('failed');
    if (failed >= 0) {
      const job = await queue.getJob(jobs[failed]!.id!);
      throw new Error(`${what}: job ${jobs[failed]!.id} failed (${job?.failedReason})`);
    }
    if (states.every((s) => s === 'completed')) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (jobs: ${states.join(', ')})`);
    await poll();
  }
}
