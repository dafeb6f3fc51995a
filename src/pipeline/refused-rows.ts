import { ZodError } from 'zod';
import type { Ctx } from '../context.js';
import type { Db } from '../db/open.js';
import { updateMentions, type MentionUpdate } from '../db/mention-row.js';
import type { MentionState } from '../db/schema.js';
import { databaseErrorOf, errorReason } from '../shared/log.js';

/**
 * Whether `err` blames the data of a row rather than the service: PostgreSQL's SQLSTATE class
 * 22 (data exception: a date out of range, a bad value) or 23 (a constraint), 54000 (a value
 * too big for an index), or a zod validation error. Anything else (connection refused, Redis
 * away, a timeout, a deadlock) is an outage: the job fails and is retried, and no row is blamed.
 */
export function refusesData(err: unknown): boolean {
  if (err instanceof ZodError) return true;
  const code = databaseErrorOf(err)?.code;
  return code !== undefined && (code.startsWith('22') || code.startsWith('23') || code === '54000');
}

/**
 * Runs `run` on the whole batch. If the database refuses it for its data, the batch is split in
 * halves and each half tried again, down to single rows: the rows refused on their own go to
 * `refused` (with the error), and every other row goes through as if nothing had happened. An
 * outage, at any depth, is thrown as it is. `run` must do all or nothing for the items it gets
 * (one statement, or a transaction). One bad row among n costs about 2·log2(n) more statements.
 */
export async function isolateRefusedRows<T, R>(
  items: readonly T[],
  run: (part: T[]) => Promise<R[]>,
  refused: (item: T, err: unknown) => Promise<R[]>,
): Promise<R[]> {
  if (!items.length) return [];
  try {
    return await run([...items]);
  } catch (err) {
    if (!refusesData(err)) throw err;
    if (items.length === 1) return refused(items[0]!, err);
    const half = Math.ceil(items.length / 2);
    return [
      ...(await isolateRefusedRows(items.slice(0, half), run, refused)),
      ...(await isolateRefusedRows(items.slice(half), run, refused)),
    ];
  }
}

/** `run` in one transaction when it may take several statements, so that a refusal leaves nothing half done. */
const atomically = <R>(db: Db, many: boolean, run: (db: Db) => Promise<R>): Promise<R> =>
  many ? db.transaction((tx) => run(tx)) : run(db);

/**
 * A stage's bulk move of its batch (`updateMentions`), where a row the database refuses is
 * `rejected` with the reason instead of failing its neighbours. Returns the ids that moved as asked.
 */
export async function moveMentions(
  s: Ctx<'db' | 'log'>,
  stage: string,
  from: readonly MentionState[],
  updates: MentionUpdate[],
): Promise<number[]> {
  return isolateRefusedRows(
    updates,
    (part) => atomically(s.db, part.length > 1, (db) => updateMentions(db, from, part)),
    async (u, err) => {
      await rejectMention(s, stage, from, u.id, err);
      return [];
    },
  );
}

/** Marks one row `rejected` with why, if it is still in one of `from`. */
export async function rejectMention(
  s: Ctx<'db' | 'log'>,
  stage: string,
  from: readonly MentionState[],
  id: number,
  err: unknown,
): Promise<void> {
  const reason = `${stage}: ${errorReason(err)}`;
  const [moved] = await updateMentions(s.db, from, [{ id, state: 'rejected', error: reason }]);
  if (moved !== undefined) s.log.warn({ mentionId: id, reason }, 'mention rejected: the database refused it');
}
