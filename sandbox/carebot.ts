// carebot itself, unchanged, in this process: its workers, its HTTP server (with Bolt on
// /slack/events) and its connectors, pointed at the fakes. The sandbox's page is mounted on the
// same server, so the visitor needs one URL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { parse, stringify } from 'yaml';
import { loadConfig, type Config } from '../config/index.js';
import { start, type Running } from '../src/app/boot.js';
import type { Mount } from '../src/shared/mount.js';
import { createLogger } from '../src/shared/log.js';
import { ALERTS, BRAND, INBOX, STATUS, type World } from './world.js';

export const SIGNING_SECRET = 'sandbox-signing-secret-5c1e';
export const X_CONSUMER_SECRET = 'sandbox-consumer-secret';

export interface CarebotOptions {
  redisUrl: string;
  /** Where carebot's embedded database and the sandbox's YAML file live. */
  dir: string;
  port: number;
  queuePrefix: string;
  logLevel?: string;
  /** An already migrated PGlite (tests); otherwise PGlite under `dir`. */
  pglite?: PGlite;
}

export function carebotEnv(world: World, opts: CarebotOptions): Record<string, string> {
  const file = parse(readFileSync(new URL('./carebot.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  file.spikes = { ...file.spikes, alertChannel: ALERTS };
  file.discord = { ...file.discord, announcementChannel: world.discord.channelId('announcements') };
  const configFile = join(opts.dir, 'carebot.yaml');
  writeFileSync(configFile, stringify(file));
  return {
    PORT: String(opts.port),
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
    DATA_DIR: join(opts.dir, 'pglite'),
    LOG_LEVEL: opts.logLevel ?? 'warn',
    CAREBOT_CONFIG: configFile,
    SLACK_BOT_TOKEN: 'xoxb-sandbox-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: world.slack.url,
    SLACK_INBOX_CHANNEL: INBOX,
    SLACK_STATUS_CHANNEL: STATUS,
    // Each card posts at once: the fake Slack has no per-channel limit to respect.
    SLACK_CHANNEL_RATE: '0',
    TWITTER_API_URL: world.x.url,
    TWITTER_BEARER_TOKEN: 'sandbox-bearer',
    TWITTER_API_KEY: 'sandbox-key',
    TWITTER_API_SECRET: X_CONSUMER_SECRET,
    TWITTER_ACCESS_TOKEN: 'sandbox-access',
    TWITTER_ACCESS_SECRET: 'sandbox-access-secret',
    TWITTER_USER_ID: BRAND.id,
    // The sandbox's customers tweet through the Account Activity webhook (customers.ts).
    TWITTER_WEBHOOKS: 'on',
    DISCORD_TOKEN: 'sandbox-discord-token',
    DISCORD_API_URL: world.discord.apiUrl,
    // A stuck row is retried within seconds, as a visitor expects of a demo.
    RECONCILE_SECONDS: '2',
    STUCK_AFTER_SECONDS: '5',
  };
}

export async function startCarebot(world: World, opts: CarebotOptions, mounts: Mount[]): Promise<{ running: Running; config: Config }> {
  const config = loadConfig(carebotEnv(world, opts));
  const running = await start(config, createLogger(config), 'all', { mounts, ...(opts.pglite ? { pglite: opts.pglite } : {}) });
  return { running, config };
}
