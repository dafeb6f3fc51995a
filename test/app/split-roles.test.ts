import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { mentions } from '../../src/db/schema.js';
import { exited, spawnCarebot } from '../support/child.js';
import { createTestDb } from '../support/db.js';
import { deliverGeneric, startedPort } from '../support/generic-delivery.js';
import { eventually } from '../support/services.js';

const SECRET = 'split-roles-secret-0123';

/**
 * docs/deploy.md's layout, run here: `--role http` facing the outside and `--role workers` doing
 * the work, two processes on one PostgreSQL and one Redis. A webhook taken by the first is
 * triaged by the second; each stops on SIGTERM.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the roles split over two processes', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('takes a webhook in the http process and triages it in the workers process', { timeout: 90_000 }, async () => {
    const db = await createTestDb('postgres');
    const database = await openDatabase({ url: db.url });
    const env = { DATABASE_URL: db.url!, QUEUE_PREFIX: prefix, WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' };
    const http = spawnCarebot(env, 'http');
    const workers = spawnCarebot(env, 'workers');
    try {
      const port = await eventually('the http process started', () => startedPort(http.output()), 30_000);
      await eventually('the workers process started', () => startedPort(workers.output()), 30_000);
      expect((await deliverGeneric(`http://127.0.0.1:${port}`, SECRET, 's1')).status).toBe(202);
      const row = await eventually(
        'the mention triaged by the workers process',
        async () => {
          const [r] = await database.db.select().from(mentions).where(eq(mentions.externalId, 'shop/s1'));
          return r?.state === 'analyzed' && r;
        },
        30_000,
      );
      expect(row.triage).toMatchObject({ needsResponse: expect.any(Boolean) });
      for (const child of [http, workers]) {
        child.kill('SIGTERM');
        expect((await exited(child)).code).toBe(0);
      }
      expect(http.output()).toContain('"role":"http"');
      expect(workers.output()).toContain('"role":"workers"');
    } finally {
      for (const child of [http, workers]) child.kill('SIGKILL');
      await database.close();
      await db.drop();
    }
  });
});
