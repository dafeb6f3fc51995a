import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited } from '../support/child.js';
import { inventedRows } from '../triage/cli-support.js';
import { eventually } from '../support/services.js';

/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), then the
 * tarball installed with `--omit=dev` into an empty folder, and every command run from there.
 * Nothing of the repository is on the path: a file the tarball lacks, or a runtime import of a
 * dev dependency, fails here.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A stack trace line: what an uncaught error prints, and what a command must never end with.
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * npm's environment without the variables `npm test` hands its children: npm_config_local_prefix
 * and friends would point the inner npm back at the repository. The registry, cache and proxy
 * settings stay.
 */
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^npm_/i.test(k) || /^npm_config_(registry|cache|userconfig|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i.test(k),
  ),
);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

const failed = (what: string, r: Run) =>
  `${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

describe('the npm package, installed with --omit=dev in an empty folder', () => {
  let work: string;
  let app: string;
  const prefix = `t${randomBytes(5).toString('hex')}`;
  /** What a user's shell would give carebot, and nothing of this machine's (no token, no .env). */
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: app,
    TZ: process.env.TZ,
    REDIS_URL,
    DATA_DIR: join(app, 'data'),
    QUEUE_PREFIX: prefix,
    ...extra,
  });
  /** `npx carebot …` from the install folder; `--no` refuses to fetch a carebot from the registry. */
  const npx = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    run('npx', ['--no', 'carebot', ...args], { cwd: app, env: env(opts.env), stdin: opts.stdin });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'carebot-package-'));
    const packed = await run('npm', ['pack', '--pack-destination', work], { cwd: root, env: npmEnv });
    expect(packed.code, failed('npm pack', packed)).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote no tarball').toBeDefined();

    // Empty but for a package.json of its own, so that npm installs here and does not walk up.
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'carebot-install', private: true }));
    // --prefer-offline: npm's cache answers what it holds (CI just ran `npm ci`), the registry the rest.
    const installed = await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!)], {
      cwd: app,
      env: npmEnv,
    });
    expect(installed.code, failed('npm install', installed)).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'carebot', 'dist', 'src', 'cli.js'))).toBe(true);
  }, 300_000);

  afterAll(async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('carries no dev dependency and none of the repository’s tests or sources', () => {
    const modules = readdirSync(join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'tsx', '@biomejs', 'drizzle-kit', 'playwright-core']) expect(modules).not.toContain(dev);
    const pkg = readdirSync(join(app, 'node_modules', 'carebot'));
    expect(pkg).toEqual(expect.arrayContaining(['bin', 'dist', 'config', 'package.json', 'LICENSE']));
    for (const absent of ['test', 'fakes', 'sandbox', 'node_modules', '.env', 'data']) expect(pkg).not.toContain(absent);
  });

  it('`carebot migrate` creates the embedded database under DATA_DIR', async () => {
    const r = await npx(['migrate']);
    expect(r.code, failed('carebot migrate', r)).toBe(0);
    expect(r.stdout).toContain(`migrated embedded PGlite at ${join(app, 'data')}`);
    expect(readdirSync(join(app, 'data')).length).toBeGreaterThan(0);
  }, 60_000);

  it('`carebot triage` judges a JSON Lines line from standard input', async () => {
    const r = await npx(['triage'], {
      stdin: '{"id":"a","text":"where is my refund? been waiting 3 weeks","authorFollowers":12345}\n',
    });
    expect(r.code, failed('carebot triage', r)).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      id: 'a',
      sentiment: { label: 'negative' },
      language: 'en',
      category: 'billing',
      complaint: true,
      needsResponse: true,
      spam: false,
    });
  }, 60_000);

  it('`carebot train` writes a model from a labelled file, and `triage --model` reads it', async () => {
    const input = join(work, 'labelled.jsonl');
    writeFileSync(
      input,
      `${inventedRows()
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const model = join(work, 'model.json');
    const trained = await npx(['train', '--input', input, '--model', model]);
    expect(trained.code, failed('carebot train', trained)).toBe(0);
    expect(trained.stdout).toMatch(/trained on 60 rows .*0 skipped/);
    expect(existsSync(model)).toBe(true);

    // The rules alone call this neutral (test/triage/cli.test.ts): the model is what makes it a complaint.
    const judged = await npx(['triage', '--model', model], { stdin: '{"id":"z","text":"the zorblax thing happened at lunch"}\n' });
    expect(judged.code, failed('carebot triage --model', judged)).toBe(0);
    expect(JSON.parse(judged.stdout)).toMatchObject({ id: 'z', sentiment: { label: 'negative' }, complaint: true });
  }, 60_000);

  it('`carebot doctor` prints its checks, one line each, without a stack trace', async () => {
    const r = await npx(['doctor']);
    const out = r.stdout + r.stderr;
    expect(r.signal).toBeNull();
    expect(typeof r.code).toBe('number');
    expect(r.stdout.trim().split('\n').length, failed('carebot doctor', r)).toBeGreaterThan(1);
    expect(out, failed('carebot doctor', r)).not.toMatch(STACK);
  }, 60_000);

  it('`carebot start` serves health and metrics, and stops cleanly on SIGTERM', async () => {
    // The installed bin itself, not npx: SIGTERM goes to carebot as systemd or Docker would send it.
    const bin = join(app, 'node_modules', '.bin', 'carebot');
    const child = spawn(bin, ['start'], { cwd: app, env: env({ PORT: '0', LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const started = await eventually('carebot to start', () => out.split('\n').find((l) => l.includes('"carebot started"')), 45_000);
      const line = JSON.parse(started) as { role: string; port: number; database: string };
      expect(line).toMatchObject({ role: 'all', database: 'pglite' });
      const base = `http://127.0.0.1:${line.port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true, redis: 'ok', database: 'ok' });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('carebot_queue_jobs');
    } finally {
      child.kill('SIGTERM');
    }
    const stopped = await Promise.race([
      exited(child),
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000).unref()),
    ]);
    if (stopped === 'still running') child.kill('SIGKILL');
    expect(stopped, out.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(out).not.toMatch(STACK);
  }, 90_000);
});
