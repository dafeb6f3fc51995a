import { mentions } from '../db/schema.js';
import type { Incoming } from '../mention.js';
import type { Ctx } from '../context.js';
import { wellFormed } from '../shared/well-formed.js';
import { errorReason } from '../shared/log.js';
import { isolateRefusedRows } from './refused-rows.js';
import { applyChanges } from './changes.js';

/**
 * The pipeline's front door: every connector hands what it receives here. The row is written
 * first (a second copy of the same mention hits the unique key and does nothing), then queued.
 * If Redis is away the rows are still stored and the reconciler queues them later, so a
 * webhook can be acknowledged as soon as this returns.
 */
export async function receive(
  s: Ctx<'db' | 'intake' | 'metrics' | 'log' | 'registry' | 'redisHealth'> & Partial<Ctx<'slack'>>,
  received: Incoming[],
): Promise<{ stored: number; duplicates: number }> {
  // Edits and deletes change what is stored; an edit of a message never stored comes back as new.
  const changes = received.filter((i) => i.change);
  const items = [...received.filter((i) => !i.change), ...(changes.length ? await applyChanges(s, changes) : [])];
  const unique = [...new Map(items.map((i) => [`${i.platform}\u0000${i.externalId}`, i])).values()];
  if (!unique.length) return { stored: 0, duplicates: 0 };

  let stored = 0;
  let refused = 0;
  let written = false;
  try {
    // The rows name their ingest job as they are written: the reconciler finds them if it is lost.
    await s.intake.enter(async (jobId) => {
      // An item the database refuses (an id too long to index) is left out; the others are stored.
      const rows = await isolateRefusedRows(
        unique,
        (part) =>
          s.db
            .insert(mentions)
            .values(part.map((i) => ({ platform: i.platform, externalId: i.externalId, payload: wellFormed(i.payload), jobId })))
            .onConflictDoNothing()
            .returning({ id: mentions.id, platform: mentions.platform }),
        async (i, err) => {
          refused++;
          s.log.warn(
            { platform: i.platform, externalIdLength: String(i.externalId).length, reason: errorReason(err) },
            'mention refused by the database',
          );
          return [];
        },
      );
      stored = rows.length;
      written = true;
      for (const r of rows) s.metrics.mentionsReceived.inc({ platform: r.platform });
      return rows.map((r) => r.id);
    });
  } catch (err) {
    if (!written) throw err; // nothing was written: the caller must hear it (a webhook answers 5xx)
    // While Redis is away this would be a line per webhook: the one line of redis-health.ts says it.
    if (stored && !s.redisHealth.sawError(err))
      s.log.warn({ err: errorReason(err), mentions: stored }, 'stored mentions but could not queue them; the reconciler will');
  }
  const duplicates = items.length - stored - refused;
  if (duplicates) s.metrics.mentionsDuplicate.inc({ platform: items[0]!.platform }, duplicates);
  return { stored, duplicates };
}
