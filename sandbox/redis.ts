// Redis for the sandbox: the one at REDIS_URL when it answers, else a private redis-server on a
// free port (no persistence, gone when the sandbox stops), else a clear message.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface SandboxRedis {
  url: string;
  /** Whether the sandbox started this server (and so stops it). */
  started: boolean;
  stop(): Promise<void>;
}

export class RedisMissing extends Error {}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const hasRedisServer = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

async function startRedisServer(): Promise<SandboxRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 50 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(url))) {
    child.kill();
    throw new RedisMissing(`redis-server did not answer on port ${port}`);
  }
  return {
    url,
    started: true,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function sandboxRedis(env: NodeJS.ProcessEnv = process.env): Promise<SandboxRedis> {
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) return { url, started: false, stop: async () => {} };
  if (hasRedisServer()) return startRedisServer();
  throw new RedisMissing(
    `no Redis answers at ${url} and redis-server is not installed: install it (apt install redis-server, or brew install redis) or set REDIS_URL`,
  );
}
