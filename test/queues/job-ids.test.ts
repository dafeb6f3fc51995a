import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, sendJson, startHttpServer, type LoopbackServer } from '../../fakes/http.js';
import { mentions, replies } from '../../src/db/schema.js';
import { replyJob } from '../../src/queues/queues.js';
import { configFiles } from '../support/config-file.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

/**
 * Outbound jobs are named after their rows, and finished jobs stay in Redis for a while (an hour,
 * failed ones a week). A database that hands out the same row ids again — restored from a backup,
 * or created fresh beside a Redis that served an earlier one — must still get every reply sent:
 * BullMQ ignores an add whose job id it holds, without a word.
 */
describe('job ids on a Redis that served another database', () => {
  const yaml = configFiles();
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let source: LoopbackServer;
  const received: Array<{ text: string }> = [];
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  beforeAll(async () => {
    source = await startHttpServer(async (req, res) => {
      received.push(JSON.parse(await readBody(req)) as { text: string });
      sendJson(res, 200, {});
    });
  });
  afterAll(async () => {
    await source.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  /** One carebot on its own fresh database, on the shared queue prefix, with a webhook source that answers. */
  const carebotOnFreshDatabase = () =>
    createHarness('pglite', {
      QUEUE_PREFIX: prefix,
      CAREBOT_CONFIG: yaml(
        `webhooks:\n  shop:\n    secret: shop-secret-0123456789\n    callbackUrl: http://127.0.0.1:${source.port}/\n    allowPrivateCallback: true\n`,
      ),
    });

  /** Stores a customer's message and a reply to it, queues the reply as the inbox does, and waits for its end. */
  async function replyOnce(h: Harness, text: string) {
    const [m] = await h.s.db
      .insert(mentions)
      .values({
        platform: 'webhook',
        externalId: 'shop/1',
        state: 'notified',
        payload: { source: 'shop', body: { id: '1', text: 'where is my order', author: { id: 'c-1', handle: 'ann' } } },
        conversationId: 'shop/1',
        authorId: 'c-1',
        authorHandle: 'ann',
        text: 'where is my order',
        createdAt: new Date(),
        ingestedAt: new Date(),
      })
      .returning();
    const [r] = await h.s.db
      .insert(replies)
      .values({ idempotencyKey: `k-${text}`, mentionId: m!.id, platform: 'webhook', text })
      .returning({ id: replies.id, at: replies.createdAt });
    await h.s.queues.outbound.addBulk([replyJob(r!)]);
    // Not the reconciler: it would queue a lost reply again after a while and hide the drop.
    return eventually(
      `reply ${r!.id} sent`,
      async () => (await h.s.db.select().from(replies).where(eq(replies.id, r!.id)))[0]?.state === 'sent',
      10_000,
    ).then(() => r!);
  }

  it('sends the reply of a fresh database whose row ids repeat those of finished jobs', async () => {
    const first = await carebotOnFreshDatabase();
    first.startWorkers();
    const old = await replyOnce(first, 'from the first database');
    await first.s.queues.outbound.pause(); // the old job stays in Redis, completed, as it would for an hour
    const keys = await redis.keys(`${prefix}:*`);
    const dump = await Promise.all(keys.map(async (k) => [k, await redis.dumpBuffer(k)] as const));
    await first.close(); // drops its database and deletes its prefix's keys…
    // …which a real Redis would still hold: put them back.
    for (const [k, v] of dump) if (v) await redis.restore(k, 0, v, 'REPLACE');

    const second = await carebotOnFreshDatabase();
    try {
      await second.s.queues.outbound.resume();
      second.startWorkers();
      const again = await replyOnce(second, 'from the second database');
      expect(again.id).toBe(old.id); // the same row id: what used to name the job
      expect(received.map((r) => r.text)).toEqual(['from the first database', 'from the second database']);
    } finally {
      await second.close();
    }
  });
});
