import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Queues } from '../queues/queues.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Wrong passwords one address may try in GUESS_WINDOW_SECONDS before it is locked out for as long. */
export const MAX_GUESSES = 10;
export const GUESS_WINDOW_SECONDS = 15 * 60;

export interface AdminOptions {
  password: string;
  /** Retry, promote, remove and clean jobs from the board; read-only otherwise. */
  write: boolean;
  /** Counts wrong passwords per address, shared by every http process; a memory count stands in while Redis is away. */
  redis: Redis;
  keyPrefix: string;
}

/**
 * HTTP Basic auth with any user name; compares digests so the check takes the same time for
 * every guess. An address that gives MAX_GUESSES wrong passwords is answered 429 (the right
 * password included) until GUESS_WINDOW_SECONDS have passed.
 */
function requirePassword(opts: AdminOptions) {
  const expected = digest(opts.password);
  const limits = { points: MAX_GUESSES, duration: GUESS_WINDOW_SECONDS, blockDuration: GUESS_WINDOW_SECONDS };
  const wrong = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `${opts.keyPrefix}:admin-guesses`,
    ...limits,
    insuranceLimiter: new RateLimiterMemory(limits),
  });
  const locked = (res: Response, msBeforeNext: number) =>
    void res
      .set('Retry-After', String(Math.max(1, Math.ceil(msBeforeNext / 1000))))
      .status(429)
      .send('too many wrong admin passwords from this address: try again later');
  return async (req: Request, res: Response, next: NextFunction) => {
    const who = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const seen = await wrong.get(who).catch(() => null);
    if (seen && seen.consumedPoints >= MAX_GUESSES) return locked(res, seen.msBeforeNext);
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    const given = scheme === 'Basic' && value ? Buffer.from(value, 'base64').toString().split(':').slice(1).join(':') : '';
    if (given && timingSafeEqual(digest(given), expected)) return next();
    // A browser's first request carries no password: only a password given counts as a guess.
    if (given) {
      try {
        await wrong.consume(who);
      } catch (err) {
        if (err instanceof RateLimiterRes) return locked(res, err.msBeforeNext);
      }
    }
    res.set('WWW-Authenticate', 'Basic realm="carebot admin"').status(401).send('admin password required');
  };
}

/** Bull Board at `base`, behind ADMIN_PASSWORD; read-only unless `write`. */
export function adminRouter(queues: Queues, opts: AdminOptions, base: string): [ReturnType<typeof requirePassword>, Router] {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(base);
  createBullBoard({
    queues: Object.values(queues).map((q) => new BullMQAdapter(q, { readOnlyMode: !opts.write })),
    serverAdapter: adapter,
  });
  // Bull Board serves from an Express app of its own, which would name Express again.
  const board = adapter.getRouter() as Express;
  board.disable('x-powered-by');
  return [requirePassword(opts), board as Router];
}
