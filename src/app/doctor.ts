import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import type { ConnectorStore } from '../connector.js';
import { registry } from '../../connectors/registry.js';
import { twitterWebhookOff } from '../../connectors/twitter/webhook.js';
import { platforms } from '../mention.js';
import { createConnectorStore } from '../db/connector-store.js';
import { openDatabase, type Database } from '../db/open.js';

type Check = [name: string, run: () => Promise<string>];

/**
 * The connectors' store over the database the checks share, opened only when a check asks (an
 * OAuth 2.0 refresh token is spent and its successor stored there): opening embedded PGlite
 * takes seconds.
 */
function lazyStore(open: () => Promise<Database>): ConnectorStore {
  const store = async () => createConnectorStore((await open()).db);
  return {
    cursor: async (name) => (await store()).cursor(name),
    saveCursor: async (name, value) => (await store()).saveCursor(name, value),
    updateCursor: async (name, update) => (await store()).updateCursor(name, update),
    highestStoredId: async (platform, key, value) => (await store()).highestStoredId(platform, key, value),
  };
}

const withTimeout = <T>(p: Promise<T>, ms = 5000) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms / 1000}s`)), ms).unref())]);

/** What carebot opens to the network, and how each part is guarded (docs/http.md). */
export function httpEdge(config: Config): string {
  const xOff = twitterWebhookOff(config);
  if (config.TWITTER_WEBHOOKS === 'on' && xOff) throw new Error(xOff);
  return [
    `listening on ${config.HOST}:${config.PORT}`,
    config.METRICS_TOKEN ? '/metrics behind METRICS_TOKEN' : '/metrics open (set METRICS_TOKEN to require a bearer token)',
    config.ADMIN_PASSWORD
      ? `Bull Board ${config.ADMIN_WRITE === 'on' ? 'read-write' : 'read-only'} behind ADMIN_PASSWORD`
      : 'Bull Board off',
    xOff ? 'X webhooks off' : 'X webhooks on at /webhooks/twitter (signed with TWITTER_API_SECRET)',
  ].join('; ');
}

/** `carebot doctor`: one line per check, ✓ or ✗ with the reason; exits non-zero when any fails. */
export async function runDoctor(load: () => Config): Promise<number> {
  let config: Config;
  try {
    config = load();
  } catch (err) {
    console.log(`✗ config: ${(err as Error).message}`);
    return 1;
  }
  let database: Promise<Database> | undefined;
  const open = () => (database ??= openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  const store = lazyStore(open);
  const checks: Check[] = [
    ['config', async () => (config.CAREBOT_CONFIG ? `env + ${config.CAREBOT_CONFIG}` : 'env')],
    ['http', async () => httpEdge(config)],
    [
      'redis',
      async () => {
        const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
        try {
          await withTimeout(redis.connect());
          const info = await redis.info('server');
          return `redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
        } finally {
          redis.disconnect();
        }
      },
    ],
    [
      'database',
      async () => {
        const db = await open();
        await withTimeout(db.ping());
        return db.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite at ${config.DATA_DIR}`;
      },
    ],
    [
      'slack',
      async () => {
        if (!config.SLACK_BOT_TOKEN) return `off (${config.networks.slack.why})`;
        const res = await withTimeout(
          new WebClient(config.SLACK_BOT_TOKEN, { slackApiUrl: config.SLACK_API_URL, retryConfig: { retries: 0 } }).auth.test(),
        );
        return `bot ${res.user} in ${res.team}`;
      },
    ],
    [
      'slack inbox',
      async () => {
        if (!config.SLACK_BOT_TOKEN) return 'off';
        if (config.SLACK_APP_TOKEN) {
          // Asking for a connection URL proves the app-level token without opening the socket.
          await withTimeout(
            new WebClient(config.SLACK_APP_TOKEN, {
              slackApiUrl: config.SLACK_API_URL,
              retryConfig: { retries: 0 },
            }).apps.connections.open(),
          );
          return 'Socket Mode (app-level token accepted)';
        }
        if (config.SLACK_SIGNING_SECRET) return 'HTTP at /slack/events (requests checked with SLACK_SIGNING_SECRET)';
        throw new Error(
          'set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP): without one, nothing agents do in Slack reaches carebot',
        );
      },
    ],
    ...platforms.flatMap((platform): Check[] => {
      const { check } = registry[platform];
      return check ? [[platform, () => withTimeout(check(config, store), 10_000)]] : [];
    }),
  ];
  let failed = 0;
  for (const [name, run] of checks) {
    try {
      console.log(`✓ ${name}: ${await run()}`);
    } catch (err) {
      failed++;
      console.log(`✗ ${name}: ${(err as Error).message}`);
    }
  }
  await database?.then((db) => db.close()).catch(() => {});
  return failed ? 1 : 0;
}
