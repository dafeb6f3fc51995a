import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

const require = createRequire(import.meta.url);
const versionOf = (pkg: string): string => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    // packages whose exports hide package.json
    try {
      const main = require.resolve(pkg);
      const root = main.slice(0, main.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}/`.length);
      return (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
};

export interface Machine {
  cpu: string;
  cores: number;
  memory_gb: number;
  os: string;
  node: string;
  redis: string;
  postgres: string;
  pglite: string;
  bullmq: string;
  loadavg_at_start: number[];
}

export async function describeMachine(redis: Redis, postgres: string): Promise<Machine> {
  const info = await redis.info('server');
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    postgres,
    pglite: versionOf('@electric-sql/pglite'),
    bullmq: versionOf('bullmq'),
    loadavg_at_start: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
