import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('the TCP proxy that cuts a dependency away', () => {
  let proxy: TcpProxy | undefined;
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await proxy?.close();
  });

  it('cuts Redis away and gives it back: commands fail while cut, and the same client goes on after', async () => {
    proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    const redis = new Redis(proxy.url(REDIS.toString()), { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    redis.on('error', () => {});
    closers.push(() => redis.disconnect());
    expect(await redis.ping()).toBe('PONG');

    proxy.cut();
    await expect(redis.ping()).rejects.toThrow();

    proxy.restore();
    await eventually('the client reconnected through the proxy', async () => (await redis.ping().catch(() => '')) === 'PONG');
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  });

  it('holds commands while paused and lets them through when restored', async () => {
    proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    const redis = new Redis(proxy.url(REDIS.toString()));
    closers.push(() => redis.disconnect());
    expect(await redis.ping()).toBe('PONG');
    proxy.pause();
    let answered = false;
    const ping = redis.ping().then((r) => {
      answered = true;
      return r;
    });
    // Another connection's round trip proves time passed for the held one without a sleep.
    const direct = new Redis(REDIS.toString());
    closers.push(() => direct.disconnect());
    for (let i = 0; i < 20; i++) await direct.ping();
    expect(answered).toBe(false);
    proxy.restore();
    expect(await ping).toBe('PONG');
  });

  it.runIf(process.env.TEST_DATABASE_URL)('cuts PostgreSQL away: a query fails at once, a new connection works once restored', async () => {
    const admin = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const connect = async () => {
      const client = new pg.Client({ connectionString: proxy!.url(admin.toString()) });
      client.on('error', () => {});
      await client.connect();
      closers.push(() => client.end().catch(() => {}));
      return client;
    };
    const client = await connect();
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    proxy.cut();
    await expect(client.query('select 1')).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
    proxy.restore();
    expect((await (await connect()).query('select 2 as two')).rows).toEqual([{ two: 2 }]);
  });
});
