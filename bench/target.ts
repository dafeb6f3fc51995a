// One carebot under test: a worker process (bench/child.ts, production `start()`) plus the way
// mentions reach it. With PostgreSQL the benchmark process is the producer (as the http role
// is in production) and the worker process only works; with PGlite the worker process owns the
// embedded database, so mentions and queries go to it over IPC.
import { count, inArray } from 'drizzle-orm';
import { loadConfig } from '../config/index.js';
import { closeServices, openServices } from '../src/app/boot.js';
import { inFlightStates, mentions } from '../src/db/schema.js';
import { createLogger } from '../src/shared/log.js';
import type { Incoming } from '../src/mention.js';
import { receive } from '../src/pipeline/receive.js';
import type { Services } from '../src/app/services.js';
import { childEnv, spawnCarebot, spawnWorker, type Env, type WorkerProcess } from './worker-process.js';

export type DbKind = 'postgres' | 'pglite';

export interface Target {
  kind: DbKind;
  worker: WorkerProcess;
  receive(items: Incoming[]): Promise<{ stored: number; duplicates: number }>;
  /** Rows not yet in a final state (notified, rejected, failed). */
  inFlight(): Promise<number>;
  /** Database id of each external id (to match Slack cards, which carry the id, to send times). */
  idsOf(externalIds: string[]): Promise<Array<[number, string]>>;
  states(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function openTarget(kind: DbKind, env: Env, nodeArgs: string[] = []): Promise<Target> {
  if (kind === 'pglite') {
    const worker = await spawnWorker('pipeline', env, { nodeArgs, readyTimeoutMs: 120_000 });
    return {
      kind,
      worker,
      receive: (items) => worker.request({ type: 'receive', items }),
      inFlight: () => worker.request({ type: 'inFlight' }),
      async idsOf(externalIds) {
        const out: Array<[number, string]> = [];
        for (let i = 0; i < externalIds.length; i += 5000) {
          out.push(...(await worker.request<Array<[number, string]>>({ type: 'idsOf', externalIds: externalIds.slice(i, i + 5000) })));
        }
        return out;
      },
      async states() {
        const rows = await worker.request<Array<{ state: string; n: number }>>({ type: 'states' });
        return Object.fromEntries(rows.map((r) => [r.state, r.n]));
      },
      close: () => worker.stop(),
    };
  }

  // The producer side: what `carebot start --role http` opens (it also migrates the new database).
  const config = loadConfig(childEnv(env));
  const s: Services = await openServices(config, createLogger(config), { role: 'http' });
  let worker: WorkerProcess;
  try {
    worker = await spawnCarebot(env, { nodeArgs });
  } catch (err) {
    await closeServices(s);
    throw err;
  }
  return {
    kind,
    worker,
    receive: (items) => receive(s, items),
    async inFlight() {
      const [r] = await s.db
        .select({ n: count() })
        .from(mentions)
        .where(inArray(mentions.state, [...inFlightStates]));
      return r?.n ?? 0;
    },
    async idsOf(externalIds) {
      const out: Array<[number, string]> = [];
      for (let i = 0; i < externalIds.length; i += 5000) {
        const rows = await s.db
          .select({ id: mentions.id, externalId: mentions.externalId })
          .from(mentions)
          .where(inArray(mentions.externalId, externalIds.slice(i, i + 5000)));
        out.push(...rows.map((r): [number, string] => [r.id, r.externalId]));
      }
      return out;
    },
    async states() {
      const rows = await s.db.select({ state: mentions.state, n: count() }).from(mentions).groupBy(mentions.state);
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    async close() {
      await worker.stop();
      await closeServices(s);
    },
  };
}
