import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../context.js';
import type { Mount } from '../shared/mount.js';
import { adminRouter } from './admin.js';
import { databaseUnavailable } from '../db/unavailable.js';
import { errorReason } from '../shared/log.js';

/** A client gets this long to send its request line and headers… */
export const HEADERS_TIMEOUT_MS = 10_000;
/** …and this long for the whole request, body included: a webhook's megabyte takes a second. */
export const REQUEST_TIMEOUT_MS = 30_000;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <token>`, compared in constant time. */
function hasBearer(req: Request, token: string): boolean {
  const [scheme, value] = (req.headers.authorization ?? '').split(' ');
  return scheme === 'Bearer' && Boolean(value) && timingSafeEqual(digest(value!), digest(token));
}

export function createHttpApp(
  s: Ctx<'config' | 'log' | 'database' | 'redis' | 'producer' | 'queues' | 'metrics'>,
  mounts: Mount[] = [],
): Express {
  const app = express();
  app.disable('x-powered-by');
  // The client's address (req.ip) from X-Forwarded-For, as many hops back as there are proxies we run.
  app.set('trust proxy', s.config.TRUST_PROXY);

  // Nothing carebot serves is meant to be framed (clickjacking of Bull Board's buttons, say). A
  // route that sets its own Content-Security-Policy replaces this one; X-Frame-Options still holds.
  app.use((_req, res, next) => {
    res.set({ 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Content-Type-Options': 'nosniff' });
    next();
  });

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

  app.get('/metrics', async (req, res) => {
    const token = s.config.METRICS_TOKEN;
    if (token && !hasBearer(req, token)) {
      return void res.set('WWW-Authenticate', 'Bearer realm="carebot metrics"').status(401).json({ error: 'metrics need METRICS_TOKEN' });
    }
    res.set('Content-Type', s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });

  if (s.config.ADMIN_PASSWORD) {
    const admin = adminRouter(
      s.queues,
      { password: s.config.ADMIN_PASSWORD, write: s.config.ADMIN_WRITE === 'on', redis: s.redis, keyPrefix: s.config.QUEUE_PREFIX },
      '/admin/queues',
    );
    app.use('/admin/queues', ...admin);
  }

  for (const mount of mounts) mount(app);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Body parsers report malformed or oversized bodies here: answer with their status and a reason.
  let databaseAwaySaid = 0;
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // Nothing was stored: the sender (X, a webhook source, Slack) retries a 503 later.
    if (databaseUnavailable(err)) {
      if (Date.now() - databaseAwaySaid > 10_000) {
        databaseAwaySaid = Date.now();
        s.log.warn({ reason: errorReason(err) }, 'database unavailable: answering 503 (said at most every 10 s)');
      }
      return void res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: `database unavailable (${s.database.kind}): try again later` });
    }
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) s.log.error({ err }, 'http handler failed');
    res.status(status).json({ error: status === 500 ? 'internal error' : (err.type ?? err.message) });
  });
  return app;
}

/**
 * Serves `app` on `host:port` (HOST, default 0.0.0.0: every interface, as a container needs).
 * A client that trickles its headers or body is cut off after seconds, not minutes.
 */
export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // How often Node looks for requests past those timeouts (30 s by default).
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
