import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/open.js';
import { mentions } from '../../src/db/schema.js';
import { exited, spawnCarebot } from '../support/child.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { eventually } from '../support/services.js';
import { deliverGeneric, startedPort } from '../support/generic-delivery.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const SECRET = 'outage-test-secret-0123';

/**
 * carebot as production runs it — its own process, `start --role all` — with Redis or PostgreSQL
 * behind a proxy the test cuts: what an operator sees in the log, what a webhook sender gets, and
 * how long a SIGTERM takes. PostgreSQL only: the test reads the rows the child process writes.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('carebot when Redis or PostgreSQL goes away', () => {
  const opened: Array<{ close(): Promise<void> | void }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  async function carebot(opts: { redisCut?: boolean; proxyDatabase?: boolean } = {}) {
    const db: TestDb = await createTestDb('postgres');
    opened.push({ close: () => db.drop() });
    const redis: TcpProxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    opened.push(redis);
    const pgUrl = new URL(db.url!);
    const postgres = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    opened.push(postgres);
    if (opts.redisCut) redis.cut();
    const database: Database = await openDatabase({ url: db.url });
    opened.push({ close: () => database.close() });
    const child = spawnCarebot(
      {
        REDIS_URL: redis.url(REDIS.toString()),
        DATABASE_URL: opts.proxyDatabase ? postgres.url(db.url!) : db.url!,
        QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
        WEBHOOK_SECRET: SECRET,
        RECONCILE_SECONDS: '0.5',
        STUCK_AFTER_SECONDS: '1',
        LOG_LEVEL: 'info',
      },
      'all',
    );
    opened.push({
      close: async () => {
        child.kill('SIGKILL');
        await exited(child);
      },
    });
    const started = await eventually('carebot started', () => startedPort(child.output()), 30_000);
    const base = `http://127.0.0.1:${started}`;
    const lines = (msg: RegExp) =>
      child
        .output()
        .split('\n')
        .filter((l) => msg.test(l));

    const deliver = (id: string) => deliverGeneric(base, SECRET, id);
    const timed = async (path: string) => {
      const at = Date.now();
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
      return { status: res.status, ms: Date.now() - at };
    };
    const row = async (id: string) =>
      (
        await database.db
          .select()
          .from(mentions)
          .where(eq(mentions.externalId, `shop/${id}`))
      )[0];
    return { child, redis, postgres, deliver, timed, row, lines };
  }

  const UNREACHABLE = /redis unreachable at redis:\/\/127\.0\.0\.1:\d+/;
  const BACK = /redis reachable again at redis:\/\/127\.0\.0\.1:\d+/;

  it('Redis away from the start: one line, webhooks answered at once and stored, /readyz 503, /metrics answers; one line when it is back, and the stored mention goes on', async () => {
    const c = await carebot({ redisCut: true });
    const delivered = await c.deliver('r1');
    expect(delivered.status).toBe(202);
    expect(delivered.ms).toBeLessThan(3000);
    expect((await c.row('r1'))?.state).toBe('received');
    expect((await c.timed('/readyz')).status).toBe(503);
    const metrics = await c.timed('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.ms).toBeLessThan(3000);
    // Seconds of an outage with every worker's connections retrying: still one line.
    await new Promise((r) => setTimeout(r, 3000));
    expect(c.lines(UNREACHABLE)).toHaveLength(1);
    expect(c.lines(/"level":50/)).toEqual([]);

    c.redis.restore();
    await eventually('the line saying Redis is back', () => c.lines(BACK).length === 1, 20_000);
    // Slack is off here: a mention goes as far as its triage. The reconciler queued it.
    await eventually('the stored mention triaged', async () => (await c.row('r1'))?.state === 'analyzed', 30_000);
    expect((await c.timed('/readyz')).status).toBe(200);
    expect(c.lines(UNREACHABLE)).toHaveLength(1);
  });

  it('Redis cut mid-run: the same, and a SIGTERM during the cut ends the process within the bound', async () => {
    const c = await carebot();
    expect((await c.deliver('m1')).status).toBe(202);
    await eventually('the first mention triaged', async () => (await c.row('m1'))?.state === 'analyzed', 30_000);
    c.redis.cut();
    const during = await c.deliver('m2');
    expect(during).toMatchObject({ status: 202 });
    expect(during.ms).toBeLessThan(3000);
    await eventually('the line saying Redis went', () => c.lines(UNREACHABLE).length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(c.lines(UNREACHABLE)).toHaveLength(1);

    const at = Date.now();
    c.child.kill('SIGTERM');
    const end = await exited(c.child);
    const tookMs = Date.now() - at;
    expect(end.code).toBe(0);
    expect(tookMs).toBeLessThan(25_000); // the stop's own bound is 20 s
    expect((await c.row('m2'))?.state).toBe('received'); // stored: the next start's reconciler queues it
  });

  it('PostgreSQL away: a webhook gets 503 with Retry-After at once and nothing is stored; back, it is taken', async () => {
    const c = await carebot({ proxyDatabase: true });
    c.postgres.cut();
    const refused = await c.deliver('p1');
    expect(refused).toMatchObject({ status: 503, retryAfter: '5' });
    expect(refused.ms).toBeLessThan(6000); // the pool's connection timeout is 5 s; a refused connection is at once
    expect(await c.row('p1')).toBeUndefined();
    c.postgres.restore();
    await eventually('taken once the database is back', async () => (await c.deliver('p1')).status === 202, 20_000);
    expect((await c.row('p1'))?.externalId).toBe('shop/p1');
  });
});
