import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLock, withLock } from '../../src/queues/with-lock.js';

describe('withLock', () => {
  let redis: Redis;
  const prefix = `t-lock-${randomBytes(5).toString('hex')}`;
  let n = 0;
  const newKey = () => `${prefix}:${n++}`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('runs only one of two concurrent callers, then frees the key', async () => {
    const key = newKey();
    let running = 0;
    const ran: string[] = [];
    const work = (who: string) => async () => {
      running++;
      expect(running).toBe(1);
      await sleep(50);
      ran.push(who);
      running--;
      return who;
    };
    const results = await Promise.all([withLock(redis, key, 5_000, work('a')), withLock(redis, key, 5_000, work('b'))]);
    expect(ran).toHaveLength(1);
    expect(results.filter((r) => r.acquired)).toEqual([{ acquired: true, value: ran[0] }]);
    expect(results.filter((r) => !r.acquired)).toEqual([{ acquired: false }]);
    expect(await redis.exists(key)).toBe(0);
  });

  it('leaves alone a lock that expired and was taken by someone else', async () => {
    const key = newKey();
    const first = withLock(redis, key, 100, async () => {
      await sleep(250);
      // Expired under us: another process takes it.
      expect(await redis.set(key, 'other', 'PX', 5_000, 'NX')).toBe('OK');
    });
    await expect(first).resolves.toEqual({ acquired: true, value: undefined });
    expect(await redis.get(key)).toBe('other');
  });

  it('releases the lock when fn throws', async () => {
    const key = newKey();
    await expect(
      withLock(redis, key, 5_000, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await redis.exists(key)).toBe(0);
    expect(await withLock(redis, key, 5_000, async () => 'again')).toEqual({ acquired: true, value: 'again' });
  });

  it('tryLock holds the key until it expires', async () => {
    const key = newKey();
    expect(await tryLock(redis, key, 200)).toBe(true);
    expect(await tryLock(redis, key, 200)).toBe(false);
    expect(await withLock(redis, key, 200, async () => 'ran')).toEqual({ acquired: false });
    await sleep(300);
    expect(await tryLock(redis, key, 200)).toBe(true);
  });
});
