// npm run bench [-- --quick] [-- --json FILE] [--db postgres,pglite] [--repeats N] [--cpu-prof DIR]
//
// Replays real support tweets (../shared/data/spotifycares-stream.jsonl; synthetic text when it is
// absent) through the whole pipeline — receive → ingest → analyze → notify → card on a loopback
// fake Slack — on the real Redis and on each database, and measures raw BullMQ on the same Redis
// in the same run as the yardstick. See docs/benchmarks.md for what each figure means.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { openSource } from './data.js';
import { createBenchDatabase, postgresVersion, type BenchDatabase } from './database.js';
import { describeMachine } from './machine.js';
import { feed, pipelineThroughput, rawThroughput, steadyLatency, type Throughput } from './measure.js';
import { goals, printReport, writeJson, type Report, type Result } from './report.js';
import { benchScript } from './script.js';
import { mb, median, round } from './stats.js';
import { openTarget, type DbKind, type Target } from './target.js';
import { buildCli, rssOf, spawnWorker, type Env, type WorkerProcess } from './worker-process.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    db: { type: 'string', default: 'postgres,pglite' },
    repeats: { type: 'string' },
    n: { type: 'string' },
    'raw-n': { type: 'string' },
    'latency-seconds': { type: 'string' },
    memory: { type: 'string' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(`usage: npm run bench -- [--quick] [--json FILE] [--db postgres,pglite]
       [--repeats N] [--n MENTIONS] [--raw-n JOBS] [--latency-seconds S] [--memory MENTIONS] [--cpu-prof DIR]`);
  process.exit(0);
}

const quick = args.quick;
const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const plan = {
  repeats: num(args.repeats, 3),
  /** Mentions per throughput run. */
  n: num(args.n, quick ? 1_500 : 8_000),
  rawN: num(args['raw-n'], quick ? 5_000 : 20_000),
  warmup: quick ? 300 : 1_000,
  latencyRate: goals.latency_rate,
  latencySeconds: num(args['latency-seconds'], quick ? 5 : 20),
  /** Mentions the measured worker process has handled in all when its RSS is read. */
  memory: num(args.memory, quick ? 6_000 : goals.rss_after),
  settleTimeoutMs: quick ? 120_000 : 600_000,
};
const dbs = args.db.split(',').map((d) => d.trim()) as DbKind[];
for (const d of dbs) if (d !== 'postgres' && d !== 'pglite') throw new Error(`--db: expected postgres and/or pglite, got '${d}'`);

const INBOX = 'C0BENCH0001';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `bench${randomBytes(4).toString('hex')}`;
const { startedAt, log, cleanups, cleanup, run } = benchScript('bench');

/** The worker's whole environment; `undefined` removes a variable the bench process may have inherited. */
function envFor(prefix: string, slack: FakeSlack, databaseUrl?: string): Env {
  return {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    DATA_DIR: 'memory://',
    PORT: '0',
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_API_URL: slack.url,
    SLACK_INBOX_CHANNEL: INBOX,
    // What is measured is carebot's own overhead: Slack's per-channel pace would cap every
    // figure at about one card per second.
    SLACK_CHANNEL_RATE: '0',
    // Everything else at its production default; no network connectors.
    SLACK_APP_TOKEN: undefined,
    CAREBOT_CONFIG: undefined,
    TRIAGE_MODEL: undefined,
    TWITTER_BEARER_TOKEN: undefined,
    TWITTER_API_KEY: undefined,
    TWITTER_API_SECRET: undefined,
    TWITTER_ACCESS_TOKEN: undefined,
    TWITTER_ACCESS_SECRET: undefined,
    DISCORD_TOKEN: undefined,
    ADMIN_PASSWORD: undefined,
    JOB_LOCK_SECONDS: undefined,
    WORKER_CONCURRENCY: undefined,
    RECONCILE_SECONDS: undefined,
    STUCK_AFTER_SECONDS: undefined,
  };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

async function main(): Promise<void> {
  // With PostgreSQL the measured worker is the compiled `carebot start --role workers`: build it from this checkout.
  if (dbs.includes('postgres')) {
    log('building dist/ (npm run build)');
    buildCli();
  }
  const source = openSource();
  log(`data: ${source.name}`);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  cleanups.push(async () => redis.disconnect());
  cleanups.push(async () => log(`removed ${await deleteKeys(redis, `${runPrefix}*`)} Redis keys under ${runPrefix}*`));
  const slack = await startFakeSlack();
  cleanups.push(() => slack.close());

  const pg = await postgresVersion();
  const machine = await describeMachine(redis, 'version' in pg ? pg.version : `unreachable (${pg.error})`);
  const skipped: string[] = [];
  const kinds = dbs.filter((d) => {
    if (d === 'postgres' && 'error' in pg) {
      skipped.push(`postgres: ${pg.error}`);
      return false;
    }
    return true;
  });

  // The yardstick: one long-lived no-op worker process, measured between the pipeline runs.
  const rawPrefix = `${runPrefix}raw`;
  const rawEnv = envFor(rawPrefix, slack);
  const rawWorker: WorkerProcess = await spawnWorker('raw', rawEnv);
  cleanups.push(() => rawWorker.stop());
  const rawConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const rawQueue = new Queue('raw', { connection: rawConnection, prefix: rawPrefix });
  cleanups.push(async () => {
    await rawQueue.close();
    rawConnection.disconnect();
  });
  await rawThroughput(rawQueue, rawWorker, 2_000); // warm-up

  const results: Result[] = [];
  for (const kind of kinds) {
    log(`${kind}: starting a worker process`);
    let database: BenchDatabase | undefined;
    if (kind === 'postgres') {
      database = await createBenchDatabase();
      cleanups.push(() => database!.drop());
      log(`postgres: database ${database.name}`);
    }
    const prefix = `${runPrefix}${kind === 'postgres' ? 'pg' : 'pl'}`;
    const profDir = args['cpu-prof'] ? resolve(args['cpu-prof'], kind) : undefined;
    if (profDir) mkdirSync(profDir, { recursive: true });
    const target: Target = await openTarget(
      kind,
      envFor(prefix, slack, database?.url),
      profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    );
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await target.close();
    };
    cleanups.push(close);
    const startRss = rssOf(target.worker.pid)?.rss ?? 0;
    let handled = 0;

    log(`${kind}: warm-up (${plan.warmup} mentions)`);
    await pipelineThroughput(target, source, plan.warmup, plan.settleTimeoutMs);
    handled += plan.warmup;
    slack.reset();

    const pipelineRuns: Throughput[] = [];
    const rawRuns: Throughput[] = [];
    for (let i = 0; i < plan.repeats; i++) {
      const raw = await rawThroughput(rawQueue, rawWorker, plan.rawN);
      rawRuns.push(raw);
      log(
        `${kind}: raw BullMQ run ${i + 1}/${plan.repeats}: ${Math.round(raw.perSecond)} jobs/s (${raw.n} in ${raw.seconds.toFixed(1)} s)`,
      );
      const run = await pipelineThroughput(target, source, plan.n, plan.settleTimeoutMs);
      pipelineRuns.push(run);
      handled += plan.n;
      slack.reset();
      log(
        `${kind}: pipeline run ${i + 1}/${plan.repeats}: ${Math.round(run.perSecond)} mentions/s (${run.n} in ${run.seconds.toFixed(1)} s)`,
      );
    }

    log(`${kind}: latency at ${plan.latencyRate}/s for ${plan.latencySeconds} s`);
    const latency = await steadyLatency(target, source, slack, {
      perSecond: plan.latencyRate,
      seconds: plan.latencySeconds,
      timeoutMs: plan.settleTimeoutMs,
    });
    handled += latency.sent;
    log(`${kind}: p50 ${round(latency.p50)} ms, p99 ${round(latency.p99)} ms (${latency.cards} cards)`);

    const rest = Math.max(0, plan.memory - handled);
    if (rest) {
      log(`${kind}: ${rest} more mentions, to read RSS after ${plan.memory}`);
      await feed(target, source, slack, rest, plan.settleTimeoutMs);
      handled += rest;
    }
    const mem = await target.worker.memory();
    const outside = rssOf(target.worker.pid);
    const states = await target.states();
    log(`${kind}: RSS ${mb(outside?.rss ?? mem.rss)} MB after ${handled} mentions; states ${JSON.stringify(states)}`);
    await close();
    await database?.drop();

    const pipelineMps = median(pipelineRuns.map((r) => r.perSecond));
    const rawJps = median(rawRuns.map((r) => r.perSecond));
    results.push({
      db: kind,
      pipeline_mps: round(pipelineMps),
      raw_bullmq_jps: round(rawJps),
      ratio: round(pipelineMps / rawJps, 3),
      p50_ms: round(latency.p50),
      p99_ms: round(latency.p99),
      rss_mb: mb(outside?.rss ?? mem.rss),
      detail: {
        pipeline_runs: pipelineRuns.map((r) => ({ ...r, seconds: round(r.seconds, 2), perSecond: round(r.perSecond) })),
        raw_runs: rawRuns.map((r) => ({ ...r, seconds: round(r.seconds, 2), perSecond: round(r.perSecond) })),
        latency: {
          ...latency,
          achievedPerSecond: round(latency.achievedPerSecond, 1),
          p50: round(latency.p50),
          p90: round(latency.p90),
          p99: round(latency.p99),
          max: round(latency.max),
        },
        rss_after_mentions: handled,
        rss_at_start_mb: mb(startRss),
        peak_rss_mb: mb(outside?.peakRss ?? mem.peakRss),
        heap_used_mb: mb(mem.heapUsed),
        final_states: states,
        worker_process:
          kind === 'postgres'
            ? 'worker = the compiled `carebot start --role workers` (node bin/carebot.js), producer and fake Slack in the bench process'
            : 'worker = carebot start --role all in a child process that owns embedded PGlite (so it also stores what the bench hands it)',
      },
    });
  }

  const report: Report = {
    results,
    machine,
    date: new Date().toISOString(),
    data: source.name,
    mode: quick ? 'quick' : 'full',
    goals,
    skipped,
    seconds: (Date.now() - startedAt) / 1000,
  };
  await cleanup();
  printReport(report);
  if (args.json) {
    writeJson(resolve(args.json), report);
    log(`wrote ${resolve(args.json)}`);
  }
}

run(main);
