import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { spikes } from '../db/schema.js';
import type { Services } from '../services.js';
import type { Anomaly } from './detector.js';

export type Spike = typeof spikes.$inferSelect;

export function loadOpenSpikes(db: Db): Promise<Spike[]> {
  return db.select().from(spikes).where(eq(spikes.status, 'open'));
}

/** The alert job of a spike; its id is unique while it exists, so only one posts the alert. */
export const queueSpikeAlert = (s: Services, spikeId: number) => s.queues.spikes.add('alert', { spikeId }, { jobId: `spike-${spikeId}` });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Turns anomalies into spikes: an anomaly that shares a term with an open spike grows it (one
 * event, one alert), any other opens a new one and queues its alert at once. A Redis lock keeps
 * two workers from opening two spikes for the same event at the same moment.
 */
export async function recordAnomalies(s: Services, anomalies: Anomaly[]): Promise<void> {
  if (!anomalies.length) return;
  const channel = s.config.file.spikes.alertChannel ?? s.config.SLACK_INBOX_CHANNEL;
  if (!channel) return; // nowhere to alert: the counting still learns the baseline
  const lock = `${s.config.QUEUE_PREFIX}:spikes:open-lock`;
  for (let i = 0; !(await s.redis.set(lock, String(process.pid), 'PX', 5000, 'NX')); i++) {
    if (i > 100) return; // the holder will have seen the same anomalies
    await sleep(20);
  }
  try {
    const open = await loadOpenSpikes(s.db);
    for (const a of anomalies) {
      const group = [a.term, ...a.related];
      const same = open.find((sp) => sp.terms.some((t) => group.includes(t)));
      if (same) {
        const terms = [...new Set([...same.terms, ...group])];
        const [grown] = await s.db
          .update(spikes)
          .set({
            terms,
            ...(a.term === same.term ? { count: a.count, expected: a.expected } : {}),
            peak: sql`greatest(${spikes.peak}, ${a.count})`,
            lastAnomalousAt: sql`now()`,
          })
          .where(eq(spikes.id, same.id))
          .returning();
        if (grown) open.splice(open.indexOf(same), 1, grown);
        continue;
      }
      const [opened] = await s.db
        .insert(spikes)
        .values({ term: a.term, terms: group, count: a.count, expected: a.expected, peak: a.count, channel })
        .onConflictDoNothing()
        .returning();
      if (!opened) continue;
      open.push(opened);
      s.log.warn({ spikeId: opened.id, term: a.term, count: a.count, expected: a.expected }, 'possible outage: spike opened');
      await queueSpikeAlert(s, opened.id);
    }
  } finally {
    await s.redis.del(lock);
  }
}
