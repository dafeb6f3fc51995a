/**
 * What one `carebot doctor` line says, and the plumbing every check shares: a bound on how long
 * it may take, and the cause of a failure in words an operator can act on.
 */

import { withDeadline } from '../../shared/deadline.js';

/** ok ✓, warn ! (worth knowing, not failing), off – (optional and not configured), fail ✗ (exit 1). */
export type Status = 'ok' | 'warn' | 'off' | 'fail';

export interface Line {
  status: Status;
  /** `<what> [<where it was checked>]: <the answer or the cause>` */
  text: string;
}

const marks: Record<Status, string> = { ok: '✓', warn: '!', off: '–', fail: '✗' };

export const format = (line: Line) => `${marks[line.status]} ${line.text}`;

/** `name target: detail`, the target (host:port, API base, which token) left out when there is none. */
export const line = (status: Status, name: string, target: string | undefined, detail: string): Line => ({
  status,
  text: `${name}${target ? ` ${target}` : ''}: ${detail}`,
});

/** How long one check may wait on the network; the checks run side by side. */
export const CHECK_TIMEOUT_MS = 3000;
/**
 * The clients' own timeouts, a little later than `bounded`'s: the line then says plainly
 * "timeout after 3 s" rather than each library's words for it.
 */
export const CLIENT_TIMEOUT_MS = CHECK_TIMEOUT_MS + 500;

export class TimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(ms: number) {
    super(`timeout after ${ms / 1000} s`);
  }
}

/** `p`, or a TimeoutError after `ms`. The timer does not keep the process alive. */
export const bounded = <T>(p: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> => withDeadline(p, ms, () => new TimeoutError(ms));

const errnoWords: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

interface ErrorLike {
  message?: string;
  code?: unknown;
  cause?: unknown;
  errors?: unknown[];
  original?: unknown;
}

/** The system error code underneath wrappers ("fetch failed", AggregateError of ::1 and 127.0.0.1, Slack's request error). */
function errnoOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as ErrorLike;
  if (typeof e.code === 'string' && /^(E[A-Z]+|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)$/.test(e.code)) return e.code;
  return errnoOf(e.cause, depth + 1) ?? errnoOf(e.original, depth + 1) ?? errnoOf(e.errors?.[0], depth + 1);
}

/** The cause of a failed check in a few words: `ECONNREFUSED (connection refused)`, `timeout after 3 s`, the server's own words. */
export function cause(err: unknown): string {
  if (err instanceof TimeoutError) return err.message;
  const code = errnoOf(err);
  if (code) return errnoWords[code] ? `${code} (${errnoWords[code]})` : code;
  // Wrappers ("A request error occurred: fetch failed") say least: the innermost error says why ("bad port").
  let inner = err as ErrorLike | undefined;
  for (let i = 0; i < 4; i++) {
    const next = (inner?.original ?? inner?.cause) as ErrorLike | undefined;
    if (!next || typeof next.message !== 'string' || !next.message) break;
    inner = next;
  }
  const message = inner?.message;
  return typeof message === 'string' && message ? message.split('\n')[0]! : String(err);
}

/** A token shown by its kind and last four characters, enough to tell which one is set: `xoxb-…a1b2`. */
export function maskToken(token: string): string {
  const prefix = /^[a-z]+-/.exec(token)?.[0] ?? '';
  return token.length >= 16 ? `${prefix}…${token.slice(-4)}` : `${prefix}…`;
}

/** `host:port[/path]` of a URL, never its user or password. */
export function hostPort(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/^\/$/, '');
    return `${u.hostname}:${u.port || defaultPort}${path}`;
  } catch {
    return '(unparsable URL)';
  }
}
