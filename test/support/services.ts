import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { closeServices, openServices, startWorkers } from '../../src/app/boot.js';
import { createLogger } from '../../src/shared/log.js';
import type { Services } from '../../src/app/services.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { createTestDb, type DbKind, type TestDb } from './db.js';
import { memoryLog } from './log.js';

export interface Harness {
  s: Services;
  config: Config;
  db: TestDb;
  log: ReturnType<typeof memoryLog>;
  /** Environment to hand a child process so it joins the same database, Redis prefix and fakes. */
  env: Record<string, string>;
  startWorkers(): { stop(): Promise<void> };
  close(): Promise<void>;
}

/**
 * A carebot instance for one test: its own database and its own BullMQ prefix on the real
 * Redis (so tests running side by side never see each other's jobs).
 */
export async function createHarness(kind: DbKind, env: Record<string, string | undefined> = {}): Promise<Harness> {
  const db = await createTestDb(kind);
  const fullEnv: Record<string, string> = Object.fromEntries(
    Object.entries({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
      DATABASE_URL: db.url,
      DATA_DIR: 'memory://',
      PORT: '0',
      LOG_LEVEL: 'info',
      JOB_LOCK_SECONDS: '2',
      RECONCILE_SECONDS: '0.5',
      STUCK_AFTER_SECONDS: '1',
      // The fake Slack has no per-channel limit; tests of the pace set their own.
      SLACK_CHANNEL_RATE: '0',
      ...env,
    }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const config = loadConfig(fullEnv);
  const log = memoryLog();
  const s = await openServices(config, createLogger(config, log), { role: 'all', pglite: db.pglite });
  const running: { stop(): Promise<void> }[] = [];
  return {
    s,
    config,
    db,
    log,
    env: fullEnv,
    startWorkers() {
      const w = startWorkers(s);
      running.push(w);
      return w;
    },
    async close() {
      await Promise.all(running.map((w) => w.stop()));
      if (s.redis.status === 'ready') {
        const keys = await s.redis.keys(`${config.QUEUE_PREFIX}:*`);
        if (keys.length) await s.redis.del(...keys);
      }
      await closeServices(s);
      await db.drop();
    },
  };
}

/** Polls until `check` returns a truthy value; fails the test with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * For a describe block: one fake Slack for all its tests, and the test's harness (set `h` when
 * the test starts one), closed after each test with the fake's record cleared.
 */
export function withFakeSlack(): { slack: FakeSlack; h: Harness } {
  const t = {} as { slack: FakeSlack; h: Harness };
  beforeAll(async () => {
    t.slack = await startFakeSlack();
  });
  afterAll(() => t.slack.close());
  afterEach(async () => {
    await t.h?.close();
    t.h = undefined!;
    t.slack.reset();
  });
  return t;
}
