import type { PGlite } from '@electric-sql/pglite';
import type { Worker } from 'bullmq';
import type { Server } from 'node:http';
import { ConfigError, type Config } from '../../config/index.js';
import { createConnectors, registry } from '../../connectors/registry.js';
import { startAnalyzeWorker } from '../../workers/analyze.js';
import { startBroadcastWorker } from '../../workers/broadcast.js';
import { startIngestWorker } from '../../workers/ingest.js';
import { startNotifyWorker } from '../../workers/notify.js';
import { startOutboundWorker } from '../../workers/outbound.js';
import { startPollWorker } from '../../workers/poll.js';
import { startRetentionWorker } from '../../workers/retention.js';
import { startSlaWorker } from '../../workers/sla.js';
import { startSpikesWorker } from '../../workers/spikes.js';
import { createConnectorStore } from '../db/connector-store.js';
import { openDatabase } from '../db/open.js';
import { createHttpApp, listen } from '../http/server.js';
import type { Mount } from '../shared/mount.js';
import { mountStatusPage } from '../http/status-page.js';
import type { Logger } from '../shared/log.js';
import type { Incoming } from '../mention.js';
import { createMetrics } from '../queues/metrics.js';
import { ensurePollSchedules } from '../pipeline/poll.js';
import { ensureRetentionSchedule } from '../pipeline/retention.js';
import { createIntake } from '../pipeline/intake.js';
import { receive } from '../pipeline/receive.js';
import { reconcile } from '../pipeline/reconcile.js';
import { closeQueues, connectRedis, createQueues } from '../queues/queues.js';
import { createRedisHealth } from '../queues/redis-health.js';
import { errorReason } from '../shared/log.js';
import { tryLock } from '../queues/with-lock.js';
import type { Services } from './services.js';
import { createChannelPace } from '../slack/api/channel-pace.js';
import { createSlackClient } from '../slack/api/client.js';
import { ensureSlaSchedule } from '../slack/jobs/sla.js';
import { ensureSpikeSchedule } from '../slack/jobs/spike-alert.js';
import { ensureIncidentSchedule } from '../slack/jobs/incident-tick.js';
import { createSpikeDetector, defaultSpikeSettings, ignoredTerms } from '../spikes/detector.js';
import { createTriage, loadModel, watchModel } from '../triage/index.js';

export type Role = 'all' | 'http' | 'workers';

/** How long a stop waits for in-flight HTTP requests before cutting them. */
const REQUESTS_GRACE_MS = 5_000;
/** How long a stop (SIGTERM) may take whatever is unreachable: under a container's usual 30 s. */
export const STOP_GRACE_MS = 20_000;

export interface Running {
  services: Services;
  server?: Server;
  /** Finishes active jobs, closes every connection. Safe to call twice. */
  stop(): Promise<void>;
}

/** Opens everything a carebot process shares: database (migrated), Redis, queues, clients. */
export async function openServices(config: Config, log: Logger, opts: { role: Role; pglite?: PGlite }): Promise<Services> {
  if (opts.role !== 'all' && !config.DATABASE_URL && !opts.pglite) {
    throw new ConfigError(`DATABASE_URL: required for --role ${opts.role} (embedded PGlite has a single owner: use --role all)`);
  }
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, pglite: opts.pglite });
  await database.migrate();
  const redis = connectRedis(config.REDIS_URL, opts.role === 'http' ? 'producer' : 'worker');
  const producer = opts.role === 'http' ? redis : connectRedis(config.REDIS_URL, 'producer');
  // PING on the connection that waits for Redis: at start it answers once connected, not "not
  // connected yet"; while Redis is away it gets no answer within the probe's deadline.
  const redisHealth = createRedisHealth(config.REDIS_URL, log, () => redis.ping());
  redisHealth.watch(redis);
  if (producer !== redis) redisHealth.watch(producer);
  const queues = createQueues(producer, config.QUEUE_PREFIX, (err) => {
    if (!redisHealth.sawError(err)) log.warn({ err: errorReason(err) }, 'queue error');
  });
  const triage = createTriage({ vip: config.file.vip, model: config.TRIAGE_MODEL ? await loadModel(config.TRIAGE_MODEL) : undefined });
  const modelWatch = config.TRIAGE_MODEL ? watchModel(config.TRIAGE_MODEL, triage, log) : undefined;
  const slack = createSlackClient(config);
  if (!slack) log.info({ network: 'slack' }, `slack: off (${config.networks.slack.why}); mentions wait in state analyzed`);
  return {
    config,
    log,
    database,
    db: database.db,
    redis,
    producer,
    redisHealth,
    queues,
    intake: createIntake(queues, { windowMs: 20, max: 500, redisUp: () => redisHealth.up }),
    metrics: createMetrics(queues),
    triage,
    modelWatch,
    slack,
    slackPace: createChannelPace(redis, config.QUEUE_PREFIX, config.SLACK_CHANNEL_RATE, config.SLACK_CHANNEL_BURST),
    spikes: createSpikeDetector(
      redis,
      config.QUEUE_PREFIX,
      { ...defaultSpikeSettings, ...spikeSettings(config) },
      ignoredTerms([
        ...config.file.spikes.ignore,
        ...config.file.brand.handles,
        ...config.file.brand.keywords,
        config.file.brand.name ?? '',
      ]),
    ),
    registry,
    connectors: await createConnectors(config, createConnectorStore(database.db), log),
  };
}

const spikeSettings = ({ file: { spikes: s } }: Config) => ({
  windowMinutes: s.windowMinutes,
  minCount: s.minCount,
  coldMinCount: s.coldMinCount,
  minRatio: s.minRatio,
});

/**
 * The workers of every stage, plus a maintenance loop that runs the reconciler and re-creates
 * the poll schedules (both idempotent, so a flushed Redis heals itself). A Redis lock keeps
 * many worker processes from reconciling at the same time.
 */
export function startWorkers(s: Services): { stop(): Promise<void> } {
  const workers: Worker[] = [
    startIngestWorker(s),
    startAnalyzeWorker(s),
    startOutboundWorker(s),
    startBroadcastWorker(s),
    startPollWorker(s),
    startRetentionWorker(s),
  ];
  if (s.slack) {
    const slack = { ...s, slack: s.slack };
    workers.push(startNotifyWorker(slack), startSpikesWorker(slack), startSlaWorker(slack));
  }

  const periodMs = s.config.RECONCILE_SECONDS * 1000;
  const lockKey = `${s.config.QUEUE_PREFIX}:maintenance-lock`;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // Never released: held for about a period, it keeps the processes' rounds one period apart.
      // On the fail-fast connection: with Redis away a round fails at once instead of holding the stop.
      if (!(await tryLock(s.producer, lockKey, Math.max(periodMs - 100, 100)))) return;
      await ensurePollSchedules(s);
      await ensureRetentionSchedule(s);
      if (s.slack) await Promise.all([ensureSpikeSchedule(s), ensureSlaSchedule(s), ensureIncidentSchedule(s)]);
      await reconcile(s, s.config.STUCK_AFTER_SECONDS * 1000);
    } catch (err) {
      if (!s.redisHealth.sawError(err)) s.log.warn({ err: errorReason(err) }, 'maintenance round failed; next round retries');
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, periodMs);
  running = tick();

  return {
    async stop() {
      clearInterval(timer);
      await running;
      // With Redis away an active job can finish nothing (its result goes to Redis) and BullMQ's
      // close would wait for ever: close at once; the jobs' locks expire and another worker retries them.
      await Promise.all(workers.map((w) => w.close(!s.redisHealth.up)));
    },
  };
}

export async function closeServices(s: Services): Promise<void> {
  s.modelWatch?.stop();
  await closeQueues(s.queues);
  s.redis.disconnect();
  s.producer.disconnect();
  await s.database.close();
}

/** Runs one carebot process in the given role until stop() (wired to SIGTERM/SIGINT by the CLI). */
export async function start(config: Config, log: Logger, role: Role, opts: { pglite?: PGlite; mounts?: Mount[] } = {}): Promise<Running> {
  const services = await openServices(config, log, { role, pglite: opts.pglite });
  const workers = role === 'http' ? undefined : startWorkers(services);
  for (const connector of Object.values(services.connectors)) {
    if (role !== 'http') await connector?.start?.((items) => receive(services, items));
  }
  // Every role serves health and metrics; only http/all serve the public routes.
  const toPipeline = (items: Incoming[]) => receive(services, items);
  // Agents act in Slack through the processes that face the outside: one Socket Mode connection
  // or the /slack/events route per http/all process. Only they load Bolt.
  const slackApp = role === 'workers' || !config.SLACK_BOT_TOKEN ? undefined : (await import('../slack/app.js')).createSlackApp(services);
  const publicRoutes = [
    ...Object.values(registry).flatMap(
      (network) => network.routes?.(config, toPipeline, { store: createConnectorStore(services.db), log }) ?? [],
    ),
    mountStatusPage(services),
    ...(slackApp?.mount ? [slackApp.mount] : []),
    ...(opts.mounts ?? []),
  ];
  const app = createHttpApp(services, role === 'workers' ? [] : publicRoutes);
  const server = await listen(app, config.PORT, config.HOST);
  await slackApp?.start();
  log.info(
    { role, port: (server.address() as { port: number }).port, database: services.database.kind, slack: slackApp?.mode ?? 'off' },
    'carebot started',
  );

  let stopping: Promise<void> | undefined;
  return {
    services,
    server,
    stop() {
      stopping ??= (async () => {
        const orderly = (async () => {
          const closed = new Promise<void>((r) => server.close(() => r()));
          server.closeIdleConnections();
          // A request still running after a few seconds is cut: its sender retries what got no answer.
          setTimeout(() => server.closeAllConnections(), REQUESTS_GRACE_MS).unref();
          await closed;
          await slackApp?.stop();
          await workers?.stop();
          await Promise.all(Object.values(services.connectors).map((c) => c?.stop?.()));
          await closeServices(services);
        })();
        const late = await Promise.race([
          orderly.then(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(true), STOP_GRACE_MS).unref()),
        ]);
        if (!late) return void log.info('carebot stopped');
        // Something did not finish (Redis or the database away, a job stuck in a network call):
        // stop anyway. A job cut short comes back to another worker once its lock expires.
        log.warn({ afterSeconds: STOP_GRACE_MS / 1000 }, 'carebot stopped before everything finished');
        server.closeAllConnections();
        services.redis.disconnect();
        services.producer.disconnect();
      })();
      return stopping;
    },
  };
}
