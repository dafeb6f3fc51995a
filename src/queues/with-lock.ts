/**
 * A Redis lock that one process at a time holds for a round of work (a poll, a tick, a fold).
 * Each taker stores its own random token, so that a round which outlived the lock's expiry
 * cannot release the lock another process has taken since: a plain `del` would, and then a
 * third process would run alongside the second.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export type Locked<T> = { acquired: false } | { acquired: true; value: T };

// Get and del in one step: between the two, the lock may expire and be taken by someone else.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

// The pid says which process holds a lock to whoever looks at it; the uuid tells apart two takers of it.
const newToken = () => `${process.pid}:${randomUUID()}`;

/**
 * Takes `key` for `ttlMs` and returns whether it got it, with no way to give it back early: for a
 * round that must not run again before the lock expires, whoever finishes it first.
 */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(key, newToken(), 'PX', ttlMs, 'NX')) === 'OK';
}

/**
 * Runs `fn` only if this process takes `key` (held for at most `ttlMs`), then releases it, also
 * when `fn` throws. A lock taken by another process is left alone, even if this one's expired.
 */
export async function withLock<T>(redis: Redis, key: string, ttlMs: number, fn: () => Promise<T>): Promise<Locked<T>> {
  const token = newToken();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return { acquired: false };
  try {
    return { acquired: true, value: await fn() };
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}
