import { UnrecoverableError } from 'bullmq';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inFlightStates, mentions, type MentionState } from '../db/schema.js';

export type MentionRow = typeof mentions.$inferSelect;

export async function loadMention(db: Db, id: number): Promise<MentionRow> {
  const [row] = await db.select().from(mentions).where(eq(mentions.id, id));
  // The row is written before any job exists, so a job without one is a bug, not a retry case.
  if (!row) throw new UnrecoverableError(`mention ${id} does not exist`);
  return row;
}

/**
 * Moves a mention from one state to the next with the stage's results. The `from` condition
 * makes a second delivery of the same job a no-op: it returns false and writes nothing.
 */
export async function advance(
  db: Db,
  id: number,
  from: MentionState,
  to: MentionState,
  set: Partial<typeof mentions.$inferInsert>,
): Promise<boolean> {
  const rows = await db
    .update(mentions)
    .set({ ...set, state: to, error: null, updatedAt: sql`now()` })
    .where(and(eq(mentions.id, id), eq(mentions.state, from)))
    .returning({ id: mentions.id });
  return rows.length > 0;
}

/** Bad data: stores the reason on the row and fails the job without retries. */
export async function reject(db: Db, id: number, reason: string): Promise<never> {
  await db
    .update(mentions)
    .set({ state: 'rejected', error: reason, updatedAt: sql`now()` })
    .where(and(eq(mentions.id, id), inArray(mentions.state, [...inFlightStates])));
  throw new UnrecoverableError(reason);
}

/** Out of retries: the row says why, and the reconciler leaves it alone. */
export async function markFailed(db: Db, id: number, reason: string): Promise<void> {
  await db
    .update(mentions)
    .set({ state: 'failed', error: reason, updatedAt: sql`now()` })
    .where(and(eq(mentions.id, id), inArray(mentions.state, [...inFlightStates])));
}
