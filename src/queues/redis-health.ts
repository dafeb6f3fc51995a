import type { Redis } from 'ioredis';
import { withDeadline } from '../shared/deadline.js';
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
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Stream isn't writeable|max retries|MaxRetriesPerRequest|Command timed out|WRONGPASS|NOAUTH|LOADING|no answer within|redis unreachable/i;

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

const PROBE_MS = 1500;
/** While Redis is away, how often it is asked again: its return is told within about this. */
const RETRY_MS = 1000;

/**
 * Connection events only say that something happened: connections fail and come back one by one,
 * and an event can be late. Each event sets off a PING (`ping`, on a fail-fast connection); the
 * state, and the log line, follow what the PING finds.
 */
export function createRedisHealth(url: string, log: Logger, ping: () => Promise<unknown>): RedisHealth {
  const address = redisAddress(url);
  // Unknown until the first PING: a failure at start is "went away" too.
  let state: 'unknown' | 'up' | 'down' = 'unknown';
  let downSince = 0;
  /** What the connections last reported: a better cause than the PING's own failure. */
  let lastCause: string | undefined;
  let probing: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;

  const becomeDown = (err: unknown) => {
    if (state === 'down') return;
    state = 'down';
    downSince = Date.now();
    const cause = lastCause ?? (err as Error)?.message ?? String(err);
    log.warn(
      { redis: address, cause },
      `redis unreachable at ${address} (${cause}): mentions are still stored, and queued once it is back; one line more when it is`,
    );
  };
  const becomeUp = () => {
    if (state === 'down')
      log.info({ redis: address, downSeconds: Math.round((Date.now() - downSince) / 1000) }, `redis reachable again at ${address}`);
    state = 'up';
    lastCause = undefined;
  };
  const probe = (): void => {
    probing ??= withDeadline(ping(), PROBE_MS, 'redis ping')
      .then(becomeUp, becomeDown)
      .finally(() => {
        probing = undefined;
        clearTimeout(retry);
        if (state === 'down') retry = setTimeout(probe, RETRY_MS).unref();
      });
  };

  return {
    get up() {
      return state !== 'down';
    },
    watch(connection) {
      connection.on('error', (err: Error) => {
        lastCause = err.message;
        probe();
      });
      connection.on('ready', probe);
    },
    sawError(err) {
      if (!isRedisOutage(err)) return false;
      probe();
      return true;
    },
  };
}
