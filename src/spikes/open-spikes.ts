import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { spikes } from '../db/schema.js';
import type { Spike } from '../db/rows.js';
import type { Ctx } from '../context.js';
import { spikeJobId } from '../queues/queues.js';
import { MAX_RELATED, type Anomaly } from './detector.js';

/** Any constant will do: it only has to be the same for every carebot process on one database. */
const OPEN_LOCK = 0x73706b65;

export function loadOpenSpikes(db: Db): Promise<Spike[]> {
  return db.select().from(spikes).where(eq(spikes.status, 'open'));
}

/** The alert job of a spike; its id is unique while it exists, so only one posts the alert. */
export const queueSpikeAlert = (s: Ctx<'queues'>, spike: Pick<Spike, 'id' | 'openedAt'>) =>
  s.queues.spikes.add('alert', { spikeId: spike.id }, { jobId: spikeJobId({ id: spike.id, at: spike.openedAt }) });

/**
 * The open spike an anomaly belongs to: the one about its term, else one it shares a word with,
 * else one whose words are in at least half of its mentions in the window (the same event said
 * another way: "my whole team is stuck", "on iOS").
 */
async function spikeFor(s: Ctx<'spikes'>, open: Spike[], a: Anomaly): Promise<Spike | undefined> {
  const group = [a.term, ...a.related];
  const sharing =
    open.find((sp) => sp.term === a.term) ??
    open.find((sp) => sp.terms.includes(a.term)) ??
    open.find((sp) => sp.terms.some((t) => group.includes(t)));
  if (sharing || !open.length) return sharing;
  const words = [...new Set(open.flatMap((sp) => sp.terms))];
  const together = await s.spikes.cooccurring(a.term, words, a.windowEnd);
  const best = together.indexOf(Math.max(...together));
  return together[best]! * 2 >= a.count ? open.find((sp) => sp.terms.includes(words[best]!)) : undefined;
}

/**
 * Grows an open spike by an anomaly, in one statement so concurrent workers never undo each
 * other: its terms gain the anomaly's, and when the anomaly is about the spike's own term its
 * count follows the newest window (a stale count from a slower worker for the same or an older
 * window never overwrites a newer one) and its related terms put the anomaly's first (a batch
 * relates only the words it holds, so the earlier ones fill the rest). Undefined when the
 * spike has closed meanwhile.
 */
async function grow(db: Db, spikeId: number, a: Anomaly): Promise<Spike | undefined> {
  const own = sql`${spikes.term} = ${a.term}`;
  const newer = sql`${own} and (${a.windowEnd}::int, ${a.count}::int) > (${spikes.windowEnd}, ${spikes.count})`;
  const related = sql`(select coalesce(jsonb_agg(e order by o), '[]'::jsonb) from (
      select e, min(o) as o from jsonb_array_elements(${JSON.stringify(a.related)}::jsonb || ${spikes.related}) with ordinality as x(e, o)
      group by e order by min(o) limit ${MAX_RELATED}) as kept)`;
  const added = sql`coalesce((select jsonb_agg(e order by o) from jsonb_array_elements(${JSON.stringify([a.term, ...a.related])}::jsonb) with ordinality as x(e, o)
      where not ${spikes.terms} @> jsonb_build_array(e)), '[]'::jsonb)`;
  const [grown] = await db
    .update(spikes)
    .set({
      terms: sql`${spikes.terms} || ${added}`,
      count: sql`case when ${newer} then ${a.count} else ${spikes.count} end`,
      expected: sql`case when ${newer} then ${a.expected} else ${spikes.expected} end`,
      windowEnd: sql`case when ${newer} then ${a.windowEnd} else ${spikes.windowEnd} end`,
      related: sql`case when ${own} then ${related} else ${spikes.related} end`,
      peak: sql`case when ${own} then greatest(${spikes.peak}, ${a.count}) else ${spikes.peak} end`,
      lastAnomalousAt: sql`now()`,
    })
    .where(and(eq(spikes.id, spikeId), eq(spikes.status, 'open')))
    .returning();
  return grown;
}

/**
 * Turns anomalies into spikes: an anomaly that belongs to an open spike grows it (one event,
 * one alert), any other opens a new one and queues its alert at once. Growing needs no lock;
 * opening is serialized by a transaction-scoped advisory lock, under which the open spikes are
 * read again, so two workers never open two spikes for the same event and none gives up.
 */
export async function recordAnomalies(s: Ctx<'config' | 'log' | 'db' | 'queues' | 'spikes'>, anomalies: Anomaly[]): Promise<void> {
  if (!anomalies.length) return;
  const channel = s.config.file.spikes.alertChannel ?? s.config.SLACK_INBOX_CHANNEL;
  if (!channel) return; // nowhere to alert: the counting still learns the baseline
  const unmatched: Anomaly[] = [];
  const open = await loadOpenSpikes(s.db);
  for (const a of anomalies) {
    const sp = await spikeFor(s, open, a);
    if (!sp || !(await grow(s.db, sp.id, a))) unmatched.push(a);
  }
  if (!unmatched.length) return;
  const opened = await s.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${OPEN_LOCK})`);
    const open = await loadOpenSpikes(tx);
    const created: Spike[] = [];
    for (const a of unmatched) {
      const sp = await spikeFor(s, open, a);
      const grown = sp && (await grow(tx, sp.id, a));
      if (sp) open.splice(open.indexOf(sp), 1, ...(grown ? [grown] : [])); // a spike closed meanwhile makes way for a new one
      if (grown) continue;
      const [made] = await tx
        .insert(spikes)
        .values({
          term: a.term,
          terms: [a.term, ...a.related],
          related: a.related,
          count: a.count,
          expected: a.expected,
          peak: a.count,
          windowEnd: a.windowEnd,
          channel,
        })
        .returning();
      open.push(made!);
      created.push(made!);
    }
    return created;
  });
  // Queued after the commit; a crash in between leaves an alert the spike round revives.
  for (const sp of opened) {
    s.log.warn({ spikeId: sp.id, term: sp.term, count: sp.count, expected: sp.expected }, 'possible outage: spike opened');
    await queueSpikeAlert(s, sp);
  }
}
