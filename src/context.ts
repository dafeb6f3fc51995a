import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Connector, Network } from './connector.js';
import type { Database, Db } from './db/open.js';
import type { Platform } from './mention.js';
import type { Intake } from './pipeline/intake.js';
import type { Metrics } from './queues/metrics.js';
import type { Queues } from './queues/queues.js';
import type { RedisHealth } from './queues/redis-health.js';
import type { Logger } from './shared/log.js';
import type { ChannelPace } from './slack/api/channel-pace.js';
import type { SpikeDetector } from './spikes/detector.js';
import type { Triage } from './triage/index.js';

/**
 * The shared handles of one carebot process, opened by src/app/services.ts. No module takes
 * them all: each names the few it uses, `Ctx<'db' | 'log'>`, the way BullMQ hands its
 * LockManager only the four things it needs. This file holds types only (the layer rules
 * check that), so any layer may name a handle without depending on the layer that makes it.
 */
export interface Handles {
  config: Config;
  log: Logger;
  database: Database;
  db: Db;
  /** Workers' connection: commands wait for Redis to come back (BullMQ's workers need that). */
  redis: Redis;
  /**
   * The queues' connection: a command fails at once while Redis is away, so a webhook or a Slack
   * action that queues work answers instead of waiting for it (the row is stored; the reconciler
   * queues it later). The same connection as `redis` in an http-only process.
   */
  producer: Redis;
  /** Whether Redis answers; said once in the log when it goes and once when it returns. */
  redisHealth: RedisHealth;
  queues: Queues;
  /** Joins mentions arriving within a few ms (webhook deliveries) into one ingest job. */
  intake: Intake;
  metrics: Metrics;
  triage: Triage;
  /** Swaps in TRIAGE_MODEL when its file changes; absent without a model. */
  modelWatch?: { stop(): void };
  /** Absent when Slack is off (no SLACK_BOT_TOKEN): cards then wait in state `analyzed`. */
  slack?: WebClient;
  /** Slack's per-channel pace, shared by every worker process through Redis. */
  slackPace: ChannelPace;
  /** Counts what negative mentions are about and tells when one thing surges. */
  spikes: SpikeDetector;
  /** Every network carebot knows (connectors/registry.ts), on or not: how to read its payloads. */
  registry: Record<Platform, Network>;
  /** The networks that are on. */
  connectors: Partial<Record<Platform, Connector>>;
}

/** The few handles a module uses. */
export type Ctx<K extends keyof Handles> = Pick<Handles, K>;

/** The same, for code that runs only while Slack is on. */
export type SlackCtx<K extends keyof Handles = never> = Pick<Handles, K> & { slack: WebClient };
