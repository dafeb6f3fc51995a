import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { query } from '../db/query.js';
import { mentions } from '../db/schema.js';
import { loadMentions } from '../db/mention-row.js';
import type { AnalyzedRow } from '../db/rows.js';

/** A row this notify job may post, and whether an earlier attempt may have posted it already. */
export interface ClaimedMention extends AnalyzedRow {
  /** When an earlier attempt claimed it; set means "ask Slack before posting". */
  claimedBefore: Date | null;
}

/**
 * Takes the batch's rows for one notify job, in the database, before anything is posted. A row
 * held by another job stays with it until its lease runs out (counted from the last claim, which
 * touches `updated_at`); the same job (a retry, or the stalled-job recovery after a crash) takes
 * its own rows back at once.
 */
export async function claimForNotify(db: Db, ids: number[], jobId: string, leaseMs: number): Promise<ClaimedMention[]> {
  if (!ids.length) return [];
  const claimed = await query<{ id: string | number; prev_claimed_at: string | Date | null }>(
    db,
    sql`
    with free as (
      select id, notify_claimed_at from ${mentions}
      where id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql.raw(', '),
      )})
        and state = 'analyzed'
        and (notify_claim is null or notify_claim = ${jobId} or updated_at < now() - make_interval(secs => ${leaseMs / 1000}))
      for update skip locked
    )
    -- The first claim's time stays: a card posted by any earlier attempt is no older than it.
    update ${mentions} as m set notify_claim = ${jobId}, notify_claimed_at = coalesce(m.notify_claimed_at, now()), updated_at = now()
    from free where m.id = free.id
    returning m.id, free.notify_claimed_at as prev_claimed_at`,
  );
  const before = new Map(claimed.map((r) => [Number(r.id), r.prev_claimed_at ? new Date(r.prev_claimed_at) : null]));
  const rows = await loadMentions(db, [...before.keys()], ['analyzed']);
  return rows.map((r) => ({ ...r, claimedBefore: before.get(r.id) ?? null }));
}

/** Gives back rows this job did not post and knows it did not, so that any job may take them. */
export async function releaseClaims(db: Db, ids: number[], jobId: string): Promise<void> {
  if (!ids.length) return;
  await db
    .update(mentions)
    .set({ notifyClaim: null, notifyClaimedAt: null })
    .where(and(inArray(mentions.id, ids), eq(mentions.notifyClaim, jobId), eq(mentions.state, 'analyzed')));
}
