// The parent's handle on a bench/child.ts process: request/reply over IPC, RSS from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MemoryReport, Notice, Reply, Request } from './protocol.js';

type Body<R> = R extends { id: number } ? Omit<R, 'id'> : never;

/** Environment for a worker process; `undefined` unsets a variable inherited from the bench process. */
export type Env = Record<string, string | undefined>;

export const childEnv = (env: Env): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
};

export interface WorkerProcess {
  pid: number;
  request<T>(req: Body<Request>): Promise<T>;
  /** Resolves on the next `drained` notice (raw mode). */
  drained(): Promise<{ n: number; at: number }>;
  memory(): Promise<MemoryReport>;
  /** Output the process wrote (logs), for error reports. */
  output(): string;
  stop(): Promise<void>;
}

const childEntry = fileURLToPath(new URL('./child.ts', import.meta.url));

export async function spawnWorker(
  mode: 'pipeline' | 'raw',
  env: Env,
  opts: { nodeArgs?: string[]; readyTimeoutMs?: number } = {},
): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', childEntry], {
    env: { ...childEnv(env), BENCH_MODE: mode },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const drainWaiters: Array<(d: { n: number; at: number }) => void> = [];
  let exited: Error | undefined;

  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${mode} worker not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${out}`)),
      opts.readyTimeoutMs ?? 60_000,
    );
    child.on('message', (m: Notice | Reply) => {
      if ('type' in m && m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.pid);
      } else if ('type' in m && m.type === 'drained') {
        drainWaiters.shift()?.(m);
      } else if ('id' in m) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.result);
        else p?.reject(new Error(m.error));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      exited = new Error(`${mode} worker exited (code ${code}, signal ${signal})\n${out.slice(-4000)}`);
      for (const p of pending.values()) p.reject(exited);
      pending.clear();
      reject(exited);
    });
  });
  const pid = await ready;

  const request = <T>(req: Body<Request>): Promise<T> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  };

  return {
    pid,
    request,
    drained: () => new Promise((resolve) => drainWaiters.push(resolve)),
    memory: () => request<MemoryReport>({ type: 'memory' }),
    output: () => out,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      await request({ type: 'stop' }).catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** A port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const cli = fileURLToPath(new URL('../bin/carebot.js', import.meta.url));

/** Compiles dist/ from this checkout (`npm run build`): bin/carebot.js runs it. */
export function buildCli(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    {
      stdio: 'inherit',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  );
}

/**
 * `carebot start --role workers` (or `--role http`) from the compiled build, exactly as production
 * runs it (no tsx loader in the process, which alone adds about 75 MB). It speaks no IPC: it is
 * measured from outside — RSS from /proc, heap from its own /metrics — and reached on `port`.
 */
export async function spawnCarebot(
  env: Env,
  opts: { nodeArgs?: string[]; readyTimeoutMs?: number; role?: 'workers' | 'http' } = {},
): Promise<WorkerProcess & { port: number }> {
  const port = await freePort();
  // BENCH_WORKER_NODE_OPTIONS: V8 flags for the measured worker alone (to try heap settings).
  const v8 = process.env.BENCH_WORKER_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...v8, ...(opts.nodeArgs ?? []), cli, 'start', '--role', opts.role ?? 'workers'], {
    env: { ...childEnv(env), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (const until = Date.now() + (opts.readyTimeoutMs ?? 60_000); ; ) {
    if (child.exitCode !== null) throw new Error(`carebot worker exited:\n${out.slice(-4000)}`);
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > until) throw new Error(`carebot worker not ready:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const notIpc = () => Promise.reject(new Error('the carebot CLI worker takes no requests'));
  return {
    pid: child.pid!,
    port,
    request: notIpc,
    drained: notIpc,
    async memory() {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const heapUsed = Number(/^carebot_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? 0);
      const { rss = 0, peakRss = 0 } = rssOf(child.pid!) ?? {};
      return { rss, peakRss, heapUsed, external: 0 };
    },
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** RSS of any process, read from outside (the way `ps` or a container limit sees it). */
export function rssOf(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
