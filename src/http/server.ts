import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../context.js';
import type { Mount } from '../shared/mount.js';
import { adminRouter } from './admin.js';

export function createHttpApp(s: Ctx<'config' | 'log' | 'database' | 'redis' | 'queues' | 'metrics'>, mounts: Mount[] = []): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/readyz', async (_req, res) => {
    const check = async (f: () => Promise<unknown>) =>
      Promise.race([f().then(() => 'ok'), new Promise<string>((r) => setTimeout(() => r('timeout'), 2000).unref())]).catch(
        (err: Error) => err.message,
      );
    const [redis, database] = await Promise.all([check(() => s.redis.ping()), check(() => s.database.ping())]);
    const ok = redis === 'ok' && database === 'ok';
    res.status(ok ? 200 : 503).json({ ok, redis, database: database === 'ok' ? 'ok' : `${s.database.kind}: ${database}` });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });

  if (s.config.ADMIN_PASSWORD) app.use('/admin/queues', ...adminRouter(s.queues, s.config.ADMIN_PASSWORD, '/admin/queues'));

  for (const mount of mounts) mount(app);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Body parsers report malformed or oversized bodies here: answer with their status and a reason.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) s.log.error({ err }, 'http handler failed');
    res.status(status).json({ error: status === 500 ? 'internal error' : (err.type ?? err.message) });
  });
  return app;
}

export function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
