import { Redis } from 'ioredis';
import type { Config } from '../../../config/index.js';
import { bounded, CLIENT_TIMEOUT_MS, cause, hostPort, line, type Line } from './report.js';

/** Where Redis is, as a line names it: `127.0.0.1:6379`, with the database and TLS when not the defaults. */
export function redisTarget(url: string): string {
  const where = hostPort(url, 6379).replace(/\/0$/, '');
  return url.startsWith('rediss:') ? `${where} (TLS)` : where;
}

/**
 * Connects once, without retrying, and asks for the server's version and eviction policy. BullMQ
 * needs `noeviction`: under memory pressure any other policy drops queued jobs (the reconciler
 * queues their mentions again, late), so another policy is a warning.
 */
export async function checkRedis(config: Config): Promise<Line> {
  const target = redisTarget(config.REDIS_URL);
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: CLIENT_TIMEOUT_MS,
    commandTimeout: CLIENT_TIMEOUT_MS,
  });
  // ioredis rejects connect() with "Connection is closed."; the cause comes as an 'error' event.
  let last: unknown;
  redis.on('error', (err) => {
    last = err;
  });
  try {
    await bounded(redis.connect());
    const info = await bounded(redis.info());
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    if (policy && policy !== 'noeviction') {
      return line(
        'warn',
        'redis',
        target,
        `Redis ${version}; maxmemory-policy is ${policy}: set noeviction, or Redis may drop queued jobs`,
      );
    }
    return line('ok', 'redis', target, `Redis ${version}`);
  } catch (err) {
    return line('fail', 'redis', target, cause(last ?? err));
  } finally {
    redis.disconnect();
  }
}
