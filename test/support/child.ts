import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'src', 'cli.ts');
// `--import tsx` would resolve tsx from the child's working directory, which is not the repo.
const tsx = new URL('node_modules/tsx/dist/loader.mjs', new URL(`file://${root}`)).href;

/**
 * A carebot process as a user starts it, and nothing more of this machine: an explicit
 * environment (the developer's variables, and any real token among them, stay out) and an
 * empty working directory of its own (no `.env` is read, no `./data` is left in the repo).
 */
function startCli(args: string[], env: Record<string, string | undefined>) {
  const cwd = mkdtempSync(join(tmpdir(), 'carebot-child-'));
  const child = spawn(process.execPath, ['--import', tsx, cli, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, TZ: process.env.TZ, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.once('close', () => rmSync(cwd, { recursive: true, force: true }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return Object.assign(child, { stdoutText: () => out, stderrText: () => err });
}

/** `carebot start --role <role>` as its own process, the way production runs it. */
export function spawnCarebot(
  env: Record<string, string>,
  role: 'workers' | 'http' | 'all' = 'workers',
): ChildProcess & { output: () => string } {
  const child = startCli(['start', '--role', role], { ...env, PORT: '0' });
  child.stdin.end();
  return Object.assign(child, { output: () => child.stdoutText() + child.stderrText() });
}

/** `carebot <args>` run to its end, fed `stdin`. */
export function runCarebot(args: string[], opts: { stdin?: string; env?: Record<string, string | undefined> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = startCli(args, opts.env ?? {});
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: child.stdoutText(), stderr: child.stderrText() }));
    child.stdin.end(opts.stdin ?? '');
  });
}

export const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
