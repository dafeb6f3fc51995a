// carebot as the outage benchmark runs it: wired to the sandbox's fakes (Slack, X, Discord), with
// production settings except where the benchmark says so. With PostgreSQL it is two processes of
// the compiled CLI, `--role http` (webhooks, Slack's requests) and `--role workers`; with PGlite
// one `--role all` process (bench/child.ts) that owns the embedded database.
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { envSchema } from '../config/env.js';
import { carebotEnv } from '../sandbox/carebot.js';
import { agent, type World } from '../sandbox/world.js';
import type { DbKind } from './target.js';
import { freePort, spawnCarebot, spawnWorker, type Env, type WorkerProcess } from './worker-process.js';

/** The generic webhook source the outage arrives on, and its secret. */
export const SOURCE = 'appreviews';
export const SOURCE_SECRET = 'bench-outage-webhook-secret';

export interface CarebotSetup {
  kind: DbKind;
  world: World;
  redisUrl: string;
  queuePrefix: string;
  /** Holds the YAML file, and PGlite's files (they outlive a restart). */
  dir: string;
  databaseUrl?: string;
  /** Everything in the inbox channel (carebot's defaults) instead of #outages and #status. */
  oneChannel: boolean;
}

export interface Carebot {
  /** Where the webhooks and Slack's requests go. */
  url: string;
  /** Rows of a read-only statement against carebot's database. */
  sql<T>(text: string): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * The environment: the sandbox's wiring, every other variable carebot reads unset (nothing leaks
 * in from the shell), and the YAML file with carebot's default spike thresholds.
 */
function envFor(setup: CarebotSetup, paced: boolean): Env {
  const unset: Env = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, undefined]));
  const sandbox = carebotEnv(setup.world, {
    redisUrl: setup.redisUrl,
    dir: setup.dir,
    port: 0,
    queuePrefix: setup.queuePrefix,
    logLevel: 'warn',
  });
  const file = parse(readFileSync(sandbox.CAREBOT_CONFIG!, 'utf8')) as Record<string, Record<string, unknown>>;
  // The sandbox lowers the thresholds so a visitor can raise a spike by hand; here they are carebot's.
  file.spikes = setup.oneChannel ? {} : { alertChannel: file.spikes!.alertChannel };
  file.webhooks = { [SOURCE]: { secret: SOURCE_SECRET } };
  // The replayed quiet hours are hours old at once: with targets they would all come due together.
  file.slack = { ...file.slack, sla: {}, roles: { leads: [agent.id] } };
  writeFileSync(sandbox.CAREBOT_CONFIG!, stringify(file));
  return {
    ...unset,
    ...sandbox,
    DATABASE_URL: setup.databaseUrl,
    SLACK_STATUS_CHANNEL: setup.oneChannel ? undefined : sandbox.SLACK_STATUS_CHANNEL,
    // Off while the quiet hours are replayed (their cards would have trickled out over those hours).
    SLACK_CHANNEL_RATE: paced ? undefined : '0',
    RECONCILE_SECONDS: undefined,
    STUCK_AFTER_SECONDS: undefined,
    // X's rate-limit headers stretch this when the window runs short.
    TWITTER_POLL_SECONDS: '5',
  };
}

/** Starts carebot; `paced` is Slack's production per-channel pace (1/s, bursts of 4). */
export async function startCarebot(setup: CarebotSetup, paced: boolean): Promise<Carebot> {
  const env = envFor(setup, paced);
  if (setup.kind === 'pglite') {
    const port = await freePort();
    const all: WorkerProcess = await spawnWorker('pipeline', { ...env, PORT: String(port) }, { readyTimeoutMs: 120_000 });
    return {
      url: `http://127.0.0.1:${port}`,
      sql: (text) => all.request({ type: 'sql', text }),
      stop: () => all.stop(),
    };
  }
  const http = await spawnCarebot(env, { role: 'http' });
  const workers = await spawnCarebot(env, { role: 'workers' }).catch(async (err: Error) => {
    await http.stop();
    throw err;
  });
  const pool = new pg.Pool({ connectionString: setup.databaseUrl, max: 2 });
  return {
    url: `http://127.0.0.1:${http.port}`,
    sql: async (text) => (await pool.query(text)).rows,
    async stop() {
      await workers.stop();
      await http.stop();
      await pool.end();
    },
  };
}
