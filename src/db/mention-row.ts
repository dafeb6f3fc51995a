import { UnrecoverableError } from 'bullmq';
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { ReplyTarget } from '../connector.js';
import type { Db } from './open.js';
import { query } from './query.js';
import { groupBy } from '../shared/group-by.js';
import { inFlightStates, mentions, type MentionState } from './schema.js';
import {
  analyzedColumns,
  ingestedColumns,
  missing,
  stateColumns,
  type AnalyzedRow,
  type IngestedRow,
  type MentionIn,
  type MentionInsert,
  type MentionRow,
} from './rows.js';

/** One row's move to its next state, with what the stage found out. */
export type MentionUpdate = { id: number; state: MentionState } & Partial<Omit<MentionInsert, 'id' | 'state' | 'updatedAt'>>;

const columns = getTableColumns(mentions);

/** What a row loaded by id may be required to be past: a reply's mention was ingested, a card's analyzed. */
const past = { ingested: ingestedColumns, analyzed: analyzedColumns } as const;
interface RowPast {
  ingested: IngestedRow;
  analyzed: AnalyzedRow;
}

export async function loadMention(db: Db, id: number): Promise<MentionRow>;
/** The row, checked once here to hold what `stage` writes, and typed so: one lacking it is a bug, not a retry case. */
export async function loadMention<P extends keyof RowPast>(db: Db, id: number, stage: P): Promise<RowPast[P]>;
export async function loadMention(db: Db, id: number, stage?: keyof RowPast): Promise<MentionRow> {
  const [row] = await db.select().from(mentions).where(eq(mentions.id, id));
  // The row is written before any job exists, so a job without one is a bug, not a retry case.
  if (!row) throw new UnrecoverableError(`mention ${id} does not exist`);
  const lacking = stage && missing(row, past[stage]);
  if (lacking) throw new UnrecoverableError(`mention ${id} (${row.state}) should be ${stage} but has no ${columns[lacking].name}`);
  return row;
}

/** The customer message a reply answers, as a connector takes it. */
export const replyTarget = (m: IngestedRow): ReplyTarget => ({
  platform: m.platform,
  externalId: m.externalId,
  conversationId: m.conversationId,
  author: { id: m.authorId, handle: m.authorHandle, displayName: m.authorName, followers: m.authorFollowers, profileUrl: m.authorUrl },
  private: m.private,
  payload: m.payload,
});

/**
 * The rows of a batch that are in one of `states` (the others went further already), typed by
 * what their state guarantees. A row that lacks one of those columns is a bug (no stage moves a
 * row on without them): it is failed with the reason and left out, as a stage fails a row it
 * cannot move, and the rest of the batch goes on.
 */
export async function loadMentions<S extends MentionState>(db: Db, ids: number[], states: readonly S[]): Promise<Array<MentionIn<S>>> {
  if (!ids.length) return [];
  const rows = await db
    .select()
    .from(mentions)
    .where(and(inArray(mentions.id, ids), inArray(mentions.state, [...states])));
  const loaded: Array<MentionIn<S>> = [];
  for (const row of rows) {
    const guaranteed: ReadonlyArray<keyof MentionRow> = stateColumns[row.state];
    const lacking = missing(row, guaranteed);
    // The query took only rows in `states`, and each has what its state guarantees: checked just above.
    if (!lacking) loaded.push(row as MentionIn<S>);
    else await markFailed(db, [row.id], `mention ${row.id} is ${row.state} but has no ${columns[lacking].name}`);
  }
  return loaded;
}

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
