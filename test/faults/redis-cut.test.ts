import { describe, expect, it } from 'vitest';
import { mentions } from '../../src/db/schema.js';
import { receive } from '../../src/pipeline/receive.js';
import { dbKinds } from '../support/db.js';
import { everydayTweets } from '../support/mentions.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const INBOX = 'C0INBOX001';
const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

describe.each(dbKinds)('Redis cut away mid-run, on %s', (kind) => {
  const t = withFakeSlack();

  it('stores what arrives during the cut, and once Redis is back every mention gets one card', async () => {
    const proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    try {
      t.h = await createHarness(kind, {
        REDIS_URL: proxy.url(REDIS.toString()),
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_API_URL: t.slack.url,
        SLACK_INBOX_CHANNEL: INBOX,
      });
      t.h.startWorkers();
      const rows = () => t.h.s.db.select().from(mentions);
      const batch = everydayTweets(20);
      await receive(t.h.s, batch.slice(0, 10));

      proxy.cut();
      // The database is the system of record: the rows are written before anything is queued.
      const during = receive(t.h.s, batch.slice(10)).catch(() => undefined);
      await eventually('the mentions received during the cut stored', async () => (await rows()).length === 20);

      proxy.restore();
      await during;
      await eventually('every row notified', async () => (await rows()).every((r) => r.state === 'notified'), 60_000);
      const cards = t.slack.messages(INBOX).filter((m) => !m.thread_ts);
      expect(cards).toHaveLength(20);
      expect(new Set(cards.map((c) => c.ts)).size).toBe(20);
      expect(proxy.accepted).toBeGreaterThan(1);
    } finally {
      proxy.restore();
      await t.h?.close();
      t.h = undefined!;
      await proxy.close();
    }
  });
});
