/**
 * How a command fails: in one line on stderr that names the cause and the value
 * (`carebot: triage: cannot read the input: no such file (--input /missing)`), never a stack.
 * docs/cli.md lists the exit codes.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, withoutPassword } from '../../../config/index.js';
import { databaseErrorOf, errorReason } from '../../shared/log.js';

/** The exit codes, as docs/cli.md documents them. */
export const exitCodes = {
  ok: 0,
  /** The command could not do its work: configuration, database, port, file, or a bug. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a missing or malformed value. */
  usage: 2,
  /** A second SIGTERM or SIGINT while `start` was stopping. */
  interrupted: 130,
} as const;

/** The command line is wrong; exits 2. Its message names the option and the value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a command could not do, already in one line that names the cause and the value; exits 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

const fsReasons: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A file error's cause in words, without the path Node puts in its message. */
export function fsReason(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  return (code && fsReasons[code]) ?? firstLine(String(message ?? err));
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? s;

/**
 * Opens a file named on the command line for reading, or says in one line why it cannot:
 * `<failing>: no such file (--input /missing)`, `failing` being e.g. "cannot read the input".
 */
export async function openForReading(failing: string, flag: string, path: string): Promise<FileHandle> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    if ((await file.stat()).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return file;
  } catch (err) {
    await file?.close();
    throw new CommandError(`${failing}: ${fsReason(err)} (${flag} ${path})`);
  }
}

/** Fails early, before the work, when `path` could not be written: its directory must exist. */
export async function checkWritable(what: string, flag: string, path: string): Promise<void> {
  try {
    if ((await stat(path).catch(() => undefined))?.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    if (!(await stat(dirname(path))).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ENOENT' ? 'no such directory' : fsReason(err);
    throw new CommandError(`cannot write ${what}: ${reason} (${flag} ${path})`);
  }
}

/** Where a command's database is, as its error shows it: never with the password. */
export function databaseName(db: { url?: string; dataDir: string }): string {
  return db.url ? `DATABASE_URL=${withoutPassword(db.url)}` : `DATA_DIR=${db.dataDir}`;
}

/**
 * Fails when a command is to read the embedded database and there is none: opening PGlite on a
 * missing DATA_DIR would create an empty one, and read nothing from it.
 */
export function checkDatabaseExists(db: { url?: string; dataDir: string }, flag?: string): void {
  if (db.url || db.dataDir.startsWith('memory://') || existsSync(db.dataDir)) return;
  throw new CommandError(
    `${flag ? `${flag}: ` : ''}no database there: set DATABASE_URL, or DATA_DIR to the service's (DATA_DIR=${resolve(db.dataDir)})`,
  );
}

/** What failed to connect, in words. */
const netReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

const listenReasons: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (a port below 1024 needs privileges)',
  EADDRNOTAVAIL: 'no such address on this machine',
};

type Errno = Error & { code?: string; syscall?: string; address?: string; port?: number; path?: string; errors?: unknown[] };

/** The error's own code, or that of the first error an AggregateError holds (Node tries IPv4 and IPv6). */
const codeOf = (err: Errno): string | undefined => err.code ?? (err.errors?.[0] as Errno | undefined)?.code;

/** SQLSTATE classes that mean "could not get in": connection exceptions, authorization, no such database. */
const connectionStates = /^(08|28|3D)/;

export interface FailureContext {
  /** The command that ran. */
  command?: string;
  /** The database the command opened, when it opened one. */
  database?: { url?: string; dataDir: string };
  /** The address `start` listens on. */
  listen?: { host: string; port: number };
  /** The configured secrets, once the configuration is loaded: never printed. */
  secrets?: string[];
}

/**
 * Any error as the one line carebot prints (without the `carebot: ` prefix), and its exit code.
 * What carebot knows to go wrong names its cause and value; anything else is a bug: its message,
 * and how to see its stack.
 */
export function describeFailure(err: unknown, ctx: FailureContext): { line: string; code: number } {
  const on = ctx.command ? `${ctx.command}: ` : '';
  if (err instanceof UsageError) return { line: `${on}${err.message}`, code: exitCodes.usage };
  if (err instanceof ConfigError) return { line: err.message, code: exitCodes.failed };
  if (err instanceof CommandError) return { line: `${on}${err.message}`, code: exitCodes.failed };
  const e = (err ?? {}) as Errno;
  const code = codeOf(e);
  if (e.syscall === 'listen' && code) {
    const where = ctx.listen ?? { host: e.address ?? '?', port: e.port ?? Number.NaN };
    return {
      line: `${on}cannot listen on port ${where.port}: ${listenReasons[code] ?? code} (HOST=${where.host} PORT=${where.port})`,
      code: exitCodes.failed,
    };
  }
  if (ctx.database) {
    const db = databaseErrorOf(err);
    const where = databaseName(ctx.database);
    if (db?.code === '42P01') {
      return { line: `${on}the database has no carebot tables: run carebot migrate first (${where})`, code: exitCodes.failed };
    }
    if (db && connectionStates.test(db.code)) {
      return {
        line: `${on}cannot connect to the database: ${errorReason(err).replace(/^database: /, '')} (${where})`,
        code: exitCodes.failed,
      };
    }
    if (db) return { line: `${on}${errorReason(err)} (${where})`, code: exitCodes.failed };
    if (code && netReasons[code] && isDatabaseAddress(e, ctx.database.url)) {
      return { line: `${on}cannot connect to the database: ${netReasons[code]} (${where})`, code: exitCodes.failed };
    }
  }
  if (code && fsReasons[code] && e.path) return { line: `${on}${fsReason(e)} (${e.path})`, code: exitCodes.failed };
  const message = err instanceof Error ? errorReason(err) || err.name : String(err);
  return {
    line: `${on}${firstLine(message)} (an unexpected error: please report it; CAREBOT_STACK=1 prints its stack)`,
    code: exitCodes.failed,
  };
}

/** Whether a connection error is about the database's host and port (and not, say, a network's API). */
function isDatabaseAddress(e: Errno, url: string | undefined): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const errors = [e, ...((e.errors ?? []) as Errno[])];
  const port = Number(u.port || 5432);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return errors.some(
    (x) => x.port === port || (x as { hostname?: string }).hostname === host || (x.syscall === 'getaddrinfo' && x.message.includes(host)),
  );
}

/** The line as printed: one line whatever the message held, no password from any URL in it, no configured secret. */
export function printable(line: string, secrets: readonly string[] = []): string {
  let clean = line
    .replace(/\s*\n\s*/g, ' ')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):[^\s/@]*@/gi, '$1@')
    .trim();
  for (const s of secrets) if (clean.includes(s)) clean = clean.split(s).join('[REDACTED]');
  return clean;
}
