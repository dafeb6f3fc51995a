import { timingSafeEqual, createHash } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Request, Response, NextFunction, Router } from 'express';
import type { Queues } from '../queues/queues.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP Basic auth with any user name; compares digests so the check takes the same time for every guess. */
function requirePassword(password: string) {
  const expected = digest(password);
  return (req: Request, res: Response, next: NextFunction) => {
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    const given = scheme === 'Basic' && value ? Buffer.from(value, 'base64').toString().split(':').slice(1).join(':') : '';
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.set('WWW-Authenticate', 'Basic realm="carebot admin"').status(401).send('admin password required');
  };
}

/** Bull Board at `base`, behind ADMIN_PASSWORD. */
export function adminRouter(queues: Queues, password: string, base: string): [ReturnType<typeof requirePassword>, Router] {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(base);
  createBullBoard({ queues: Object.values(queues).map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  return [requirePassword(password), adapter.getRouter() as Router];
}
