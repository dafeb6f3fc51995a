import { pino, type Logger, type DestinationStream } from 'pino';
import type { Config } from '../../config/index.js';

export type { Logger } from 'pino';

const SECRET_NAME = /TOKEN|SECRET|PASSWORD/;

/** Every secret value the configuration holds: tokens, passwords, and passwords inside URLs. */
export function secretsOf(config: Config): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (SECRET_NAME.test(name) && typeof value === 'string') values.push(value);
  }
  for (const u of [config.DATABASE_URL, config.REDIS_URL]) {
    if (!u) continue;
    const password = new URL(u).password;
    if (password) values.push(password, decodeURIComponent(password));
  }
  for (const source of Object.values(config.file.webhooks)) values.push(source.secret);
  // JSON-escaped forms too: that is how a secret looks inside a serialized log line.
  const all = values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);
  return [...new Set(all)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Scrubs secret values from every line on its way out. Redacting known field names is not
 * enough: a token can surface inside an error message or a URL that some library logs.
 */
function scrubbing(secrets: string[], out: DestinationStream): DestinationStream {
  if (!secrets.length) return out;
  return {
    write(line: string) {
      let clean = line;
      for (const s of secrets) if (clean.includes(s)) clean = clean.split(s).join('[REDACTED]');
      out.write(clean);
    },
  };
}

/** A PostgreSQL error (node-postgres and PGlite alike): its SQLSTATE and the server's own message. */
export interface DatabaseError {
  code: string;
  message: string;
}

const causes = (err: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let e = err; e && typeof e === 'object' && chain.length < 8 && !chain.includes(e); e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
};

/** The PostgreSQL error in `err` or in its causes (drizzle wraps the driver's error as `cause`). */
export function databaseErrorOf(err: unknown): DatabaseError | undefined {
  return causes(err).find(isDatabaseError);
}

const isDatabaseError = (e: unknown): e is DatabaseError => {
  const { code, severity, message } = e as { code?: unknown; severity?: unknown; message?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string' && typeof message === 'string';
};

/** drizzle's "Failed query: <sql> params: <values>": the values are whatever the row held, customer text included. */
const isQueryError = (e: unknown) => typeof e === 'object' && e !== null && 'query' in e && 'params' in e;
const carriesQuery = (err: unknown) => causes(err).some(isQueryError);

/**
 * A value quoted in a server message ('invalid input syntax for type integer: "<value>"') may be
 * customer text: only a number, a date or a lower-case name (a table, a constraint: what the
 * operator needs to see) is kept.
 */
const keptQuote = /^(?:[-+\d.:TZ ]{1,40}|[a-z_][a-z0-9_]{0,62})$/;
const elideValues = (message: string) => message.replace(/"([^"]*)"/g, (q, v: string) => (keptQuote.test(v) ? q : '"…"'));
/** A message that quotes drizzle's (`could not …: ${err.message}`) loses the statement and what follows. */
const elideQuery = (message: string) => message.replace(/Failed query:[\s\S]*$/, 'database query failed');

/**
 * What an error says, fit for a log line, a row's `error` and a job's failure reason: for a
 * database error, the server's message and SQLSTATE, never the statement nor its parameters
 * (drizzle puts both in its message, and the parameters are customer text); for anything
 * else, its message.
 */
export function errorReason(err: unknown): string {
  const db = databaseErrorOf(err);
  if (db) return `database: ${elideValues(db.message)} (SQLSTATE ${db.code})`;
  if (carriesQuery(err)) {
    const cause = causes(err).find((e) => !isQueryError(e) && e instanceof Error) as (Error & { code?: unknown }) | undefined;
    const why = cause && (cause.message || (typeof cause.code === 'string' ? cause.code : cause.name));
    return `database query failed${why ? `: ${why}` : ''}`;
  }
  if (err instanceof Error)
    return (
      elideQuery(err.message) ||
      (typeof (err as { code?: unknown }).code === 'string' ? String((err as { code?: unknown }).code) : err.name)
    );
  return elideQuery(String(err));
}

/**
 * pino's error serializer (for `err` and `error`), except for database errors: the standard one
 * copies every property (drizzle's `query` and `params`, the server's `detail`) and the message
 * and stack of every cause. A message given as a string is cut before drizzle's "Failed query:".
 */
export function serializeError(err: unknown): unknown {
  // Many callers log `{ err: err.message }`: a drizzle message loses its statement and parameters here too.
  if (typeof err === 'string') return elideQuery(err);
  if (!(err instanceof Error) || (!carriesQuery(err) && !databaseErrorOf(err))) return pino.stdSerializers.err(err as Error);
  const reason = errorReason(err);
  // A wrapper's own words stay, with the database's reason after them.
  const message = isQueryError(err) || isDatabaseError(err) ? reason : `${errorReason(new Error(err.message))}: ${reason}`;
  return { type: err.name, message, code: databaseErrorOf(err)?.code };
}

export function createLogger(config: Config, out: DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { pid: process.pid },
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: ['*.authorization', '*.headers.authorization', '*.token', '*.password', '*.secret', '*.cookie'],
        censor: '[REDACTED]',
      },
    },
    scrubbing(secretsOf(config), out),
  );
}
