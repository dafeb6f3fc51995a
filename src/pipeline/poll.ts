import type { Platform } from '../mention.js';
import type { Services } from '../app/services.js';
import { receive } from './receive.js';

/** Poll schedulers tick this often; each connector's own pace (from its rate limits) gates the real poll. */
export const POLL_TICK_MS = 5000;

const key = (s: Services, platform: Platform, what: string) => `${s.config.QUEUE_PREFIX}:poll:${platform}:${what}`;

/**
 * One tick for one polling connector. The scheduler's fixed tick is idempotent to re-create
 * (after a Redis flush, on every start); how long to actually wait comes from the connector
 * (rate-limit headers) and is kept in Redis. A lock keeps two workers from polling at once.
 */
export async function pollTick(s: Services, platform: Platform): Promise<void> {
  const connector = s.connectors[platform];
  if (!connector?.poll) return;
  const nextAt = Number(await s.redis.get(key(s, platform, 'next')));
  if (nextAt > Date.now()) return;
  const locked = await s.redis.set(key(s, platform, 'lock'), String(process.pid), 'PX', 60_000, 'NX');
  if (!locked) return;
  try {
    const { nextInMs } = await connector.poll((items) => receive(s, items));
    await s.redis.set(key(s, platform, 'next'), String(Date.now() + nextInMs));
  } finally {
    await s.redis.del(key(s, platform, 'lock'));
  }
}

/** Creates (or leaves as they are) the poll schedulers of every connector that polls. */
export async function ensurePollSchedules(s: Services): Promise<void> {
  for (const [platform, connector] of Object.entries(s.connectors)) {
    if (!connector?.poll) continue;
    await s.queues.poll.upsertJobScheduler(
      `poll-${platform}`,
      { every: POLL_TICK_MS },
      { name: 'poll', data: { connector: platform }, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
    );
  }
}
