import { databaseErrorOf } from '../shared/log.js';

/** How node-postgres and PostgreSQL say the server cannot be reached or will not take work now. */
const AWAY =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/**
 * Whether `err` is the database being away (connection refused or lost, server shutting down or
 * full) rather than a bug or a refused row: the caller can say "try again" (HTTP 503) with a clear
 * conscience, since nothing was written.
 */
export function databaseUnavailable(err: unknown): boolean {
  const code = databaseErrorOf(err)?.code;
  // 08: connection exceptions; 57P01–57P03: shut down or not taking connections; 53300: too many connections.
  if (code && (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300')) return true;
  const e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  return AWAY.test(`${e?.code ?? ''} ${e?.message ?? ''}`) || (e?.cause !== undefined && e.cause !== err && databaseUnavailable(e.cause));
}
