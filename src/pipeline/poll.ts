import { platforms, type Platform } from '../mention.js';
import type { Ctx } from '../context.js';
import { receive } from './receive.js';
import { withLock } from '../queues/with-lock.js';

/** Poll schedulers tick this often; each connector's own pace (from its rate limits) gates the real poll. */
export const POLL_TICK_MS = 5000;

const key = (s: Ctx<'config'>, platform: Platform, what: string) => `${s.config.QUEUE_PREFIX}:poll:${platform}:${what}`;

/**
 * One tick for one polling connector. The scheduler's fixed tick is idempotent to re-create
 * (after a Redis flush, on every start); how long to actually wait comes from the connector
 * (rate-limit headers) and is kept in Redis. A lock keeps two workers from polling at once.
 */
export async function pollTick(
  s: Ctx<'config' | 'log' | 'db' | 'redis' | 'redisHealth' | 'intake' | 'metrics' | 'connectors' | 'registry'> & Partial<Ctx<'slack'>>,
  platform: Platform,
): Promise<void> {
  const connector = s.connectors[platform];
  // Taken out here: inside the locked closure below, TypeScript forgets that `poll` is there.
  const poll = connector?.poll?.bind(connector);
  if (!poll) return;
  const nextAt = Number(await s.redis.get(key(s, platform, 'next')));
  if (nextAt > Date.now()) return;
  await withLock(s.redis, key(s, platform, 'lock'), 60_000, async () => {
    const { nextInMs } = await poll((items) => receive(s, items));
    await s.redis.set(key(s, platform, 'next'), String(Date.now() + nextInMs));
  });
}

/** Creates (or leaves as they are) the poll schedulers of every connector that polls. */
export async function ensurePollSchedules(s: Ctx<'queues' | 'connectors'>): Promise<void> {
  for (const platform of platforms) {
    if (!s.connectors[platform]?.poll) continue;
    await s.queues.poll.upsertJobScheduler(
      `poll-${platform}`,
      { every: POLL_TICK_MS },
      { name: 'poll', data: { connector: platform }, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
    );
  }
}
