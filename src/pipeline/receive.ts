import { mentions } from '../db/schema.js';
import type { Incoming } from '../mention.js';
import { batchJobId, newBatchToken } from '../queues.js';
import type { Services } from '../services.js';
import { wellFormed } from '../well-formed.js';

/**
 * The pipeline's front door: every connector hands what it receives here. The row is written
 * first (a second copy of the same mention hits the unique key and does nothing), then queued.
 * If Redis is away the rows are still stored and the reconciler queues them later, so a
 * webhook can be acknowledged as soon as this returns.
 */
export async function receive(
  s: Pick<Services, 'db' | 'queues' | 'metrics' | 'log'>,
  items: Incoming[],
): Promise<{ stored: number; duplicates: number }> {
  const unique = [...new Map(items.map((i) => [`${i.platform}\u0000${i.externalId}`, i])).values()];
  if (!unique.length) return { stored: 0, duplicates: 0 };

  // The job is named before the insert, so every row says which job carries it on.
  const jobId = batchJobId('ingest', newBatchToken());
  const rows = await s.db
    .insert(mentions)
    .values(unique.map((i) => ({ platform: i.platform, externalId: i.externalId, payload: wellFormed(i.payload), jobId })))
    .onConflictDoNothing()
    .returning({ id: mentions.id, platform: mentions.platform });

  for (const r of rows) s.metrics.mentionsReceived.inc({ platform: r.platform });
  const duplicates = items.length - rows.length;
  if (duplicates) s.metrics.mentionsDuplicate.inc({ platform: items[0]!.platform }, duplicates);

  if (rows.length) {
    try {
      await s.queues.ingest.add('ingest', { mentionIds: rows.map((r) => r.id) }, { jobId });
    } catch (err) {
      s.log.warn({ err, mentions: rows.length }, 'stored mentions but could not queue them; the reconciler will');
    }
  }
  return { stored: rows.length, duplicates };
}
