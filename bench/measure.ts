// The measurements themselves. Each one is timed from the first mention/job handed over to the
// moment the last one is done, with the same batch size for carebot and for raw BullMQ.
import type { Queue } from 'bullmq';
import type { FakeSlack } from '../fakes/slack.js';
import type { Incoming } from '../src/mention.js';
import { defaultJobOptions } from '../src/queues/queues.js';
import type { Source } from './data.js';
import { percentile, sleep } from './stats.js';
import type { Target } from './target.js';
import type { WorkerProcess } from './worker-process.js';

/** Mentions per receive() call / jobs per addBulk() call: a poll page of the X API is 100. */
export const BATCH = 100;
/** receive()/addBulk() calls in flight at once while flooding. */
const SENDERS = 2;

async function flood<T>(batches: T[][], send: (batch: T[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < batches.length) await send(batches[next++]!);
    }),
  );
}

const chunk = <T>(xs: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
};

/** Waits until every stored mention is in a final state; returns when that was first seen. */
async function settle(target: Target, timeoutMs: number, pollMs = 50): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const asked = Date.now();
    if ((await target.inFlight()) === 0) return asked;
    if (Date.now() > until)
      throw new Error(`${target.kind}: mentions still in flight after ${timeoutMs / 1000} s (${JSON.stringify(await target.states())})`);
    await sleep(pollMs);
  }
}

export interface Throughput {
  n: number;
  seconds: number;
  perSecond: number;
}

/** Floods `n` mentions into the pipeline; mentions/s until every one is notified (or rejected). */
export async function pipelineThroughput(target: Target, source: Source, n: number, timeoutMs: number): Promise<Throughput> {
  const batches = chunk(source.take(n), BATCH);
  const t0 = Date.now();
  let stored = 0;
  await flood(batches, async (b) => {
    const r = await target.receive(b); // not `stored += await …`: that reads `stored` before the await
    stored += r.stored;
  });
  if (stored !== n) throw new Error(`${target.kind}: stored ${stored} of ${n} mentions`);
  const t1 = await settle(target, timeoutMs);
  const seconds = (t1 - t0) / 1000;
  return { n, seconds, perSecond: n / seconds };
}

/** The same flood through bare BullMQ: one queue, a no-op processor, the same job options. */
export async function rawThroughput(queue: Queue, worker: WorkerProcess, n: number): Promise<Throughput> {
  const ids = Array.from({ length: n }, (_, i) => i);
  const batches = chunk(ids, BATCH);
  const runId = Math.random().toString(36).slice(2, 8);
  await worker.request({ type: 'expect', n });
  const drained = worker.drained();
  const t0 = Date.now();
  await flood(batches, (b) =>
    queue.addBulk(b.map((i) => ({ name: 'raw', data: { mentionId: i }, opts: { ...defaultJobOptions, jobId: `raw-${runId}-${i}` } }))),
  );
  const { at } = await drained;
  const seconds = (at - t0) / 1000;
  return { n, seconds, perSecond: n / seconds };
}

export interface Latency {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  /** Mentions that got a Slack message (spam gets none). */
  cards: number;
  achievedPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * A steady offered load: one receive() per mention (as a webhook delivers them), on a fixed
 * schedule. Latency runs from each mention's scheduled time (so a producer falling behind counts
 * against carebot, not for it) to the moment the fake Slack received its chat.postMessage.
 */
export async function steadyLatency(
  target: Target,
  source: Source,
  slack: FakeSlack,
  opts: { perSecond: number; seconds: number; timeoutMs: number },
): Promise<Latency> {
  const total = Math.round(opts.perSecond * opts.seconds);
  const items: Incoming[] = source.take(total);
  const due = new Map<string, number>();
  slack.reset();
  const pending: Promise<unknown>[] = [];
  const t0 = Date.now() + 20;
  let sent = 0;
  while (sent < total) {
    const now = Date.now();
    const upTo = Math.min(total, Math.floor(((now - t0) * opts.perSecond) / 1000) + 1);
    for (; sent < upTo; sent++) {
      const m = items[sent]!;
      due.set(m.externalId, t0 + (sent * 1000) / opts.perSecond);
      pending.push(target.receive([m]));
    }
    await sleep(1);
  }
  await Promise.all(pending);
  await settle(target, opts.timeoutMs, 100);

  const idToExternal = new Map(await target.idsOf([...due.keys()]));
  const latencies: number[] = [];
  let last = 0;
  for (const call of slack.calls) {
    if (call.method !== 'chat.postMessage') continue;
    const meta = call.body.metadata as { event_payload?: { mention_id?: unknown } } | undefined;
    const external = idToExternal.get(Number(meta?.event_payload?.mention_id));
    const at = external === undefined ? undefined : due.get(external);
    if (at === undefined) continue;
    latencies.push(call.at - at);
    last = Math.max(last, call.at);
  }
  slack.reset();
  return {
    offeredPerSecond: opts.perSecond,
    seconds: opts.seconds,
    sent: total,
    cards: latencies.length,
    achievedPerSecond: latencies.length / ((last - t0) / 1000),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
  };
}

/** Floods the remaining mentions (in rounds, clearing the fake Slack's record between them). */
export async function feed(target: Target, source: Source, slack: FakeSlack, n: number, timeoutMs: number, round = 20_000): Promise<void> {
  for (let done = 0; done < n; done += round) {
    await pipelineThroughput(target, source, Math.min(round, n - done), timeoutMs);
    slack.reset();
  }
}
