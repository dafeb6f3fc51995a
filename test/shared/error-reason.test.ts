import { describe, expect, it } from 'vitest';
import { errorReason, serializeError } from '../../src/shared/log.js';
import { parseSince } from '../../src/shared/since.js';

/** drizzle's wrapper, as it throws: the statement and its parameters in the message, the driver's error as cause. */
const drizzleError = (cause?: unknown) =>
  Object.assign(new Error('Failed query: update "mentions" set "text" = $1\nparams: dana@example.com lost my order'), {
    query: 'update "mentions" set "text" = $1',
    params: ['dana@example.com lost my order'],
    cause,
  });
const serverError = (message: string, code: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('errorReason: what an error may say in a log line, a row or a job', () => {
  it('keeps the server’s message and SQLSTATE, and elides quoted customer values but not names and numbers', () => {
    const err = drizzleError(serverError('invalid input syntax for type integer: "dana lost it" in "mentions_pkey" at "42"', '22P02'));
    expect(errorReason(err)).toBe('database: invalid input syntax for type integer: "…" in "mentions_pkey" at "42" (SQLSTATE 22P02)');
  });

  it('names the cause of a query that failed without a server error (a dropped connection), never the parameters', () => {
    expect(errorReason(drizzleError(Object.assign(new Error(''), { code: 'ECONNRESET' })))).toBe('database query failed: ECONNRESET');
    expect(errorReason(drizzleError(new TypeError('fetch failed')))).toBe('database query failed: fetch failed');
    expect(errorReason(drizzleError())).toBe('database query failed');
  });

  it('cuts a quoted drizzle message, and falls back to the code or name of an error with no message', () => {
    expect(errorReason(new Error(`could not store: ${drizzleError().message}`))).toBe('could not store: database query failed');
    expect(errorReason(Object.assign(new Error(''), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(errorReason(new RangeError(''))).toBe('RangeError');
    expect(errorReason('Failed query: select $1 params: secret words')).toBe('database query failed');
  });

  it('serializes for the logger without the statement, the parameters or the server’s detail', () => {
    const wrapped = new Error('ingest failed', { cause: drizzleError(serverError('value too long', '22001')) });
    const out = JSON.stringify(serializeError(wrapped));
    expect(out).toBe(JSON.stringify({ type: 'Error', message: 'ingest failed: database: value too long (SQLSTATE 22001)', code: '22001' }));
    expect(serializeError('Failed query: x params: dana')).toBe('database query failed');
    expect(serializeError(new Error('plain'))).toMatchObject({ type: 'Error', message: 'plain' });
  });
});

describe('parseSince: a time as people type it', () => {
  const now = Date.UTC(2026, 11, 7, 12);
  it('reads spans back from now and ISO dates, and nothing else', () => {
    expect(parseSince('30m', now)).toEqual(new Date(now - 30 * 60_000));
    expect(parseSince('24h', now)).toEqual(new Date(now - 86_400_000));
    expect(parseSince('7d', now)).toEqual(new Date(now - 7 * 86_400_000));
    expect(parseSince('2026-12-01')).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(parseSince('2026-12-01T09:30Z')).toEqual(new Date('2026-12-01T09:30:00Z'));
    for (const bad of ['yesterday', '7 d', '-1d', '2026-13-45', '2026-12-01T25:99Z', '']) expect(parseSince(bad, now), bad).toBeUndefined();
  });
});
