import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { replies } from '../db/schema.js';
import type { Ctx } from '../context.js';

const limiters = new WeakMap<Redis, Map<string, RateLimiterRedis>>();

function limiterFor(s: Ctx<'config' | 'redis'>, platform: string, perMinute: number): RateLimiterRedis {
  let byPlatform = limiters.get(s.redis);
  if (!byPlatform) {
    byPlatform = new Map();
    limiters.set(s.redis, byPlatform);
  }
  let limiter = byPlatform.get(platform);
  if (!limiter) {
    // Even spacing, not a burst per minute: at most one per `60 / perMinute` s, or `perMinute / 60` a second.
    const fast = perMinute >= 60;
    limiter = new RateLimiterRedis({
      storeClient: s.redis,
      keyPrefix: `${s.config.QUEUE_PREFIX}:incident-replies`,
      points: fast ? Math.round(perMinute / 60) : 1,
      duration: fast ? 1 : Math.max(1, Math.round(60 / perMinute)),
    });
    byPlatform.set(platform, limiter);
  }
  return limiter;
}

/**
 * Acknowledgements and follow-ups go out at `incidents.repliesPerMinute` per network, counted in
 * Redis across every worker process; an agent's own reply is never held back by them. Returns
 * 0 when this one may go now, else how long to wait (spread a little so waiting jobs do not all
 * wake at once).
 */
export async function incidentReplyWait(s: Ctx<'config' | 'db' | 'redis'>, replyId: number): Promise<number> {
  const [r] = await s.db
    .select({ kind: replies.kind, platform: replies.platform, state: replies.state })
    .from(replies)
    .where(eq(replies.id, replyId));
  if (!r || r.kind === 'reply' || r.state !== 'pending') return 0;
  const perMinute = s.config.file.incidents.repliesPerMinute[r.platform];
  if (!perMinute) return 0;
  try {
    await limiterFor(s, r.platform, perMinute).consume(r.platform);
    return 0;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    return Math.max(1, err.msBeforeNext) + Math.floor(Math.random() * Math.min(5000, 60_000 / perMinute) * 4);
  }
}
