// A worker process for the benchmark, started by bench/worker-process.ts.
//
//   BENCH_MODE=pipeline  carebot as production runs it: `start(config, log, role)` from src/app/boot.ts
//                        (workers for every stage, the reconciler, the health/metrics server).
//                        With PGlite (no DATABASE_URL) this process owns the embedded database, so it
//                        also takes the mentions from the parent (`receive`) and answers its queries.
//   BENCH_MODE=raw       the baseline: one BullMQ worker with a no-op processor, with the same
//                        Redis connection, concurrency and lock settings as a carebot stage worker.
import { readFileSync } from 'node:fs';
import { Worker } from 'bullmq';
import { count, inArray, sql } from 'drizzle-orm';
import { loadConfig } from '../config/index.js';
import { start, type Running } from '../src/app/boot.js';
import { query } from '../src/db/query.js';
import { inFlightStates, mentions } from '../src/db/schema.js';
import { createLogger } from '../src/shared/log.js';
import { receive } from '../src/pipeline/receive.js';
import { connectRedis } from '../src/queues/queues.js';
import type { MemoryReport, Notice, Reply, Request } from './protocol.js';

const send = (m: Notice | Reply) => process.send!(m);

export function memory(): MemoryReport {
  const m = process.memoryUsage();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, peakRss: hwm ? Number(hwm[1]) * 1024 : m.rss };
}

async function pipeline(): Promise<(req: Request) => Promise<unknown>> {
  const config = loadConfig(process.env);
  const log = createLogger(config);
  const role = config.DATABASE_URL ? 'workers' : 'all';
  const running: Running = await start(config, log, role);
  const { services: s } = running;
  process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
  return async (req) => {
    switch (req.type) {
      case 'receive':
        return receive(s, req.items);
      case 'inFlight': {
        const [r] = await s.db
          .select({ n: count() })
          .from(mentions)
          .where(inArray(mentions.state, [...inFlightStates]));
        return r?.n ?? 0;
      }
      case 'idsOf':
        return (
          await s.db
            .select({ id: mentions.id, externalId: mentions.externalId })
            .from(mentions)
            .where(inArray(mentions.externalId, req.externalIds))
        ).map((r) => [r.id, r.externalId]);
      case 'states':
        return s.db.select({ state: mentions.state, n: count() }).from(mentions).groupBy(mentions.state);
      case 'sql':
        return query(s.db, sql.raw(req.text));
      case 'memory':
        return memory();
      case 'stop':
        await running.stop();
        return null;
      default:
        throw new Error(`not for a pipeline process: ${req.type}`);
    }
  };
}

async function raw(): Promise<(req: Request) => Promise<unknown>> {
  const config = loadConfig(process.env);
  const connection = connectRedis(config.REDIS_URL, 'worker');
  const lockDuration = config.JOB_LOCK_SECONDS * 1000;
  let expected = 0;
  let completed = 0;
  const worker = new Worker('raw', async () => {}, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration,
    stalledInterval: lockDuration / 2,
    maxStalledCount: 2,
  });
  worker.on('completed', () => {
    completed++;
    if (expected && completed === expected) send({ type: 'drained', n: completed, at: Date.now() });
  });
  worker.on('error', (err) => console.error(`raw worker: ${err.message}`));
  await worker.waitUntilReady();
  return async (req) => {
    switch (req.type) {
      case 'expect':
        expected = req.n;
        completed = 0;
        return null;
      case 'memory':
        return memory();
      case 'stop':
        await worker.close();
        connection.disconnect();
        return null;
      default:
        throw new Error(`not for a raw process: ${req.type}`);
    }
  };
}

const handle = await (process.env.BENCH_MODE === 'raw' ? raw() : pipeline());
process.on('message', (req: Request) => {
  handle(req).then(
    (result) => {
      send({ id: req.id, ok: true, result });
      if (req.type === 'stop') process.disconnect();
    },
    (err: Error) => send({ id: req.id, ok: false, error: err.stack ?? err.message }),
  );
});
// Parent gone: nothing left to do.
process.on('disconnect', () => setTimeout(() => process.exit(0), 2000));
send({ type: 'ready', pid: process.pid });
