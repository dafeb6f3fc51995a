import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Connector } from './connector.js';
import type { Database, Db } from './db/open.js';
import type { Logger } from './shared/log.js';
import type { Platform } from './mention.js';
import type { Metrics } from './queues/metrics.js';
import type { Intake } from './pipeline/intake.js';
import type { Queues } from './queues/queues.js';
import type { ChannelPace } from './slack/api/channel-pace.js';
import type { SpikeDetector } from './spikes/detector.js';
import type { Triage } from './triage/index.js';

/** What every stage is handed: the shared clients of one carebot process. */
export interface Services {
  config: Config;
  log: Logger;
  database: Database;
  db: Db;
  redis: Redis;
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
  /** The networks that are on. */
  connectors: Partial<Record<Platform, Connector>>;
}
