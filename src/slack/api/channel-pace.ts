import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Asks whether carebot may post to a channel now: 0, or how many ms to wait first. */
export type ChannelPace = (channel: string) => Promise<number>;

/**
 * Slack takes about one message per second per channel, with short bursts. Every worker process
 * paces against the same counters in Redis, so adding workers never breaks the limit. A window
 * of `burst` messages per `burst / perSecond` seconds keeps the average and allows the burst.
 * `perSecond` 0 turns pacing off (loopback fakes, benchmarks).
 */
export function createChannelPace(redis: Redis, prefix: string, perSecond: number, burst: number): ChannelPace {
  if (perSecond <= 0) return async () => 0;
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:slack-pace`,
    points: burst,
    duration: Math.max(1, Math.round(burst / perSecond)),
  });
  return async (channel) => {
    try {
      await limiter.consume(channel);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
      throw err; // Redis away: the job retries
    }
  };
}
