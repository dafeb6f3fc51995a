import { UnrecoverableError } from 'bullmq';
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { ReplyTarget } from '../connector.js';
import type { Db } from './open.js';
import { query } from './query.js';
import { groupBy } from '../shared/group-by.js';
import { inFlightStates, mentions, type MentionState } from './schema.js';
import type { MentionInsert, MentionRow } from './rows.js';

/** One row's move to its next state, with what the stage found out. */
export type MentionUpdate = { id: number; state: MentionState } & Partial<Omit<MentionInsert, 'id' | 'state' | 'updatedAt'>>;

export async function loadMention(db: Db, id: number): Promise<MentionRow> {
  const [row] = await db.select().from(mentions).where(eq(mentions.id, id));
  // The row is written before any job exists, so a job without one is a bug, not a retry case.
  if (!row) throw new UnrecoverableError(`mention ${id} does not exist`);
  return row;
}

/** The customer message a reply answers, as a connector takes it. */
export const replyTarget = (m: MentionRow): ReplyTarget => ({
  platform: m.platform,
  externalId: m.externalId,
  conversationId: m.conversationId!,
  author: { id: m.authorId!, handle: m.authorHandle!, displayName: m.authorName, followers: m.authorFollowers, profileUrl: m.authorUrl },
  payload: m.payload,
});

/** The rows of a batch that are in one of `states` (the others went further already). */
export function loadMentions(db: Db, ids: number[], states: readonly MentionState[]): Promise<MentionRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db
    .select()
    .from(mentions)
    .where(and(inArray(mentions.id, ids), inArray(mentions.state, [...states])));
}

const columns = getTableColumns(mentions);

/** The update keyed by the database's column names, as jsonb_to_recordset matches them. */
const asRecord = (u: MentionUpdate, keys: Array<keyof typeof columns>) =>
  Object.fromEntries([['id', u.id], ...keys.map((k) => [columns[k].name, u[k as keyof MentionUpdate] ?? null])]);

/**
 * Moves a batch of rows to their next state in one statement per shape of update. The `from`
 * condition makes a second delivery of the same job a no-op for the rows it already moved.
 * Returns the ids that moved.
 */
export async function updateMentions(db: Db, from: readonly MentionState[], updates: MentionUpdate[]): Promise<number[]> {
  const byShape = groupBy(updates, (u) => Object.keys(u).sort().join(','));
  const moved: number[] = [];
  for (const [shape, rows] of byShape) {
    const keys = shape.split(',').filter((k) => k !== 'id') as Array<keyof typeof columns>;
    const set = sql.join(
      keys.map((k) => sql.raw(`"${columns[k].name}" = v."${columns[k].name}"`)),
      sql.raw(', '),
    );
    const record = sql.raw(['id bigint', ...keys.map((k) => `"${columns[k].name}" ${columns[k].getSQLType()}`)].join(', '));
    const result = await query<{ id: string | number }>(
      db,
      sql`
      update ${mentions} as m set ${set}, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(rows.map((r) => asRecord(r, keys)))}::jsonb) as v(${record})
      where m.id = v.id and m.state in (${sql.join(
        from.map((f) => sql`${f}`),
        sql.raw(', '),
      )})
      returning m.id`,
    );
    for (const r of result) moved.push(Number(r.id));
  }
  return moved;
}

/** Out of retries: the rows say why, and the reconciler leaves them alone. */
export async function markFailed(db: Db, ids: number[], reason: string): Promise<void> {
  if (!ids.length) return;
  await db
    .update(mentions)
    .set({ state: 'failed', error: reason, updatedAt: sql`now()` })
    .where(and(inArray(mentions.id, ids), inArray(mentions.state, [...inFlightStates])));
}
