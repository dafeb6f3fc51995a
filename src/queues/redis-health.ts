import type { Redis } from 'ioredis';
import type { Logger } from '../shared/log.js';

/**
 * Whether Redis answers, told once when it goes and once when it comes back. ioredis reports
 * every failed reconnect (several a second, about 150 a second on a wrong password), and each
 * BullMQ worker does the same on its own connections: logged one by one, an outage buries
 * everything else in the log. Mentions keep being stored meanwhile; the reconciler queues them
 * once Redis is back.
 */
export interface RedisHealth {
  readonly up: boolean;
  /** Follows a connection's `error` and `ready` events. */
  watch(connection: Redis): void;
  /** Hears an error a connection user reported; true when it is Redis being away (the state line tells it). */
  sawError(err: unknown): boolean;
}

/** What ioredis and BullMQ say when Redis is away or refuses the connection, as opposed to a bug. */
const OUTAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Stream isn't writeable|max retries|MaxRetriesPerRequest|Command timed out|WRONGPASS|NOAUTH|LOADING/i;

export const isRedisOutage = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string } | undefined;
  return OUTAGE.test(`${e?.code ?? ''} ${e?.message ?? String(err)}`);
};

/** `redis://host:port/db` without user or password: what a log line may show. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis (unparsable REDIS_URL)';
  }
}

export function createRedisHealth(url: string, log: Logger): RedisHealth {
  const address = redisAddress(url);
  const watched: Redis[] = [];
  // Connections come back one by one: the late ones' last errors are not a new outage.
  const anyReady = () => watched.some((c) => c.status === 'ready');
  // Unknown until the first connection answers or fails: a failure at start is "went away" too.
  let state: 'unknown' | 'up' | 'down' = 'unknown';
  let downSince = 0;

  const down = (err: unknown) => {
    if (state === 'down' || anyReady()) return;
    state = 'down';
    downSince = Date.now();
    const cause = (err as Error)?.message ?? String(err);
    log.warn(
      { redis: address, cause },
      `redis unreachable at ${address} (${cause}): mentions are still stored, and queued once it is back; one line more when it is`,
    );
  };
  const up = () => {
    if (state === 'down')
      log.info({ redis: address, downSeconds: Math.round((Date.now() - downSince) / 1000) }, `redis reachable again at ${address}`);
    state = 'up';
  };

  return {
    get up() {
      return state !== 'down';
    },
    watch(connection) {
      watched.push(connection);
      connection.on('error', down);
      connection.on('ready', up);
      if (connection.status === 'ready') up();
    },
    sawError(err) {
      if (!isRedisOutage(err)) return false;
      down(err);
      return true;
    },
  };
}
