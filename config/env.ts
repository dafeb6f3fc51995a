import { z } from 'zod';

// Empty strings in a .env file mean "unset", not "set to nothing".
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
/** The same for a setting with a default: empty gives the default. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

const url = (protocols: RegExp, hint: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `expected a ${hint} URL`);

const httpUrl = url(/^https?:$/, 'http(s)');

/** Every environment variable carebot reads. docs/configuration.md is the contract for their names. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address the HTTP server binds: 0.0.0.0 (every interface, what a container needs) or e.g. 127.0.0.1 behind a local proxy. */
  HOST: unsetIfEmpty(
    z
      .string()
      .regex(/^[0-9A-Za-z.:-]+$/, 'expected an IP address such as 0.0.0.0 or 127.0.0.1')
      .default('0.0.0.0'),
  ),
  /**
   * How many reverse proxies stand in front of carebot: the client's address (the admin lockout
   * counts by it) is then read from that far back in X-Forwarded-For. 0: the header is ignored, so
   * nobody can pick their own address by sending it.
   */
  TRUST_PROXY: unsetIfEmpty(z.coerce.number().int().min(0).max(10).default(0)),
  REDIS_URL: url(/^rediss?:$/, 'redis:// or rediss://').default('redis://127.0.0.1:6379'),
  DATABASE_URL: optional(url(/^postgres(ql)?:$/, 'postgres://')),
  DATA_DIR: z.string().min(1).default('./data'),
  CAREBOT_CONFIG: optional(z.string()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-')),
  SLACK_SIGNING_SECRET: optional(z.string().min(8)),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-')),
  SLACK_INBOX_CHANNEL: optional(z.string().regex(/^[CGD][A-Z0-9]+$/, 'expected a channel id such as C0123456789')),
  SLACK_STATUS_CHANNEL: optional(z.string().regex(/^[CGD][A-Z0-9]+$/, 'expected a channel id such as C0123456789')),
  /** Messages per second carebot posts into one channel (Slack allows about 1); 0 = unpaced. */
  SLACK_CHANNEL_RATE: z.coerce.number().min(0).max(100).default(1),
  /** How many messages may go out at once before the pace applies. */
  SLACK_CHANNEL_BURST: z.coerce.number().int().min(1).max(100).default(4),

  TWITTER_BEARER_TOKEN: optional(z.string().min(1)),
  TWITTER_API_KEY: optional(z.string().min(1)),
  TWITTER_API_SECRET: optional(z.string().min(1)),
  TWITTER_ACCESS_TOKEN: optional(z.string().min(1)),
  TWITTER_ACCESS_SECRET: optional(z.string().min(1)),
  /** OAuth 2.0 user context for posting, instead of the OAuth 1.0a tokens: X rotates the refresh token on each use. */
  TWITTER_CLIENT_ID: optional(z.string().min(1)),
  TWITTER_CLIENT_SECRET: optional(z.string().min(1)),
  TWITTER_OAUTH2_REFRESH_TOKEN: optional(z.string().min(1)),
  TWITTER_USER_ID: optional(z.string().regex(/^\d+$/, 'expected a numeric user id')),
  TWITTER_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** `on` serves the Account Activity webhook (CRC and deliveries) at /webhooks/twitter; off by default. */
  TWITTER_WEBHOOKS: unsetIfEmpty(z.enum(['on', 'off']).default('off')),

  DISCORD_TOKEN: optional(z.string().min(1)),
  WEBHOOK_SECRET: optional(z.string().min(16, 'expected at least 16 characters')),

  SLACK_API_URL: optional(httpUrl),
  TWITTER_API_URL: optional(httpUrl),
  DISCORD_API_URL: optional(httpUrl),

  /** A model written by `carebot train`, used on top of the lexicon. */
  TRIAGE_MODEL: optional(z.string()),

  ADMIN_PASSWORD: optional(z.string().min(8, 'expected at least 8 characters')),
  /** `on` lets Bull Board retry, promote and remove jobs; read-only otherwise. */
  ADMIN_WRITE: unsetIfEmpty(z.enum(['on', 'off']).default('off')),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
  /** Days carebot keeps raw payloads and closed conversations (docs/data.md); unset keeps them for ever. */
  RETENTION_DAYS: optional(
    z
      .string()
      .regex(/^[1-9][0-9]{0,4}$/, 'expected a whole number of days, 1 or more')
      .transform(Number),
  ),

  // Tuning knobs, mostly for tests and benchmarks; defaults are the production values.
  /** A job whose worker stops renewing its lock this long is handed to another worker. */
  JOB_LOCK_SECONDS: z.coerce.number().min(1).max(600).default(5),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
  RECONCILE_SECONDS: z.coerce.number().min(0.2).max(3600).default(15),
  STUCK_AFTER_SECONDS: z.coerce.number().min(0.1).max(86400).default(60),
  /** How often the SLA check looks for first responses that are due soon or overdue. */
  SLA_CHECK_SECONDS: z.coerce.number().min(0.2).max(3600).default(30),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -')
    .default('carebot'),
});

export type Env = z.infer<typeof envSchema>;
